#pragma once
// Each subcommand registers itself on the app and returns the function that
// runs it once the command line is parsed.

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace leadscore::cli {

struct Runner {
  CLI::App* command;         ///< the subcommand, to tell which one was given
  std::function<int()> run;  ///< runs it with the parsed options; returns the exit code
};

Runner add_summarize_command(CLI::App& app);
Runner add_churn_command(CLI::App& app);
Runner add_value_command(CLI::App& app);
Runner add_score_command(CLI::App& app);
Runner add_score_rules_command(CLI::App& score);
void add_score_model_commands(CLI::App& score, std::vector<Runner>& runners);
Runner add_segment_command(CLI::App& app);
Runner add_funnel_command(CLI::App& app);
Runner add_cohorts_command(CLI::App& app);
Runner add_demo_command(CLI::App& app);

}  // namespace leadscore::cli
