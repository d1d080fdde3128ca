// leadscore score: lead scoring, by rule sets (`score rules`) and by models
// learned from won/lost history (`score train | apply | evaluate`). Each kind
// of scoring registers its own subcommands of `score` below.

#include <vector>

#include "commands.hpp"
#include "common.hpp"

namespace leadscore::cli {

Runner add_score_command(CLI::App& app) {
  auto* score = app.add_subcommand("score", "Lead scoring: rule sets and models learned from history");
  score->require_subcommand(1);
  std::vector<Runner> runners;
  runners.push_back(add_score_rules_command(*score));
  add_score_model_commands(*score, runners);
  return {score, [runners] {
            for (const auto& runner : runners)
              if (runner.command->parsed()) return runner.run();
            return exit_bad_input;
          }};
}

}  // namespace leadscore::cli
