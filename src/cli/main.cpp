// leadscore: the command-line face of the library.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/version.hpp"

int main(int argc, char** argv) {
  using namespace leadscore::cli;
  CLI::App app{"leadscore: lead scoring, segmentation, churn risk and customer lifetime value"};
  app.set_version_flag("--version", std::string("leadscore ") + leadscore::version);
  app.add_flag("--quiet,-q", global_options().quiet, "No progress output on stderr");
  app.require_subcommand(1);

  const std::vector<Runner> runners{
      add_summarize_command(app),
      add_churn_command(app),
      add_value_command(app),
      add_score_command(app),
      add_segment_command(app),
      add_funnel_command(app),
      add_cohorts_command(app),
      add_demo_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_bad_input;
  }

  try {
    for (const auto& runner : runners)
      if (runner.command->parsed()) return runner.run();
    return exit_bad_input;
  } catch (const leadscore::Error& e) {
    std::fprintf(stderr, "leadscore: error: %s\n", e.what());
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leadscore: internal error: %s\n", e.what());
    return 1;
  }
}
