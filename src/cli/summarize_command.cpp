// leadscore summarize: transactions -> frequency, recency, T, monetary value.

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "leadscore/summary/summarize.hpp"

namespace leadscore::cli {
namespace {

struct SummarizeOptions {
  TableOptions table{.id_col = "customer_id", .date_col = "date", .amount_col = "amount"};
  std::string time_unit = "days";
  std::string calibration_end;
  std::string observation_end;
  std::string out;
  bool json = false;
};

std::string summary_csv(const TransactionBatch& tx, const CustomerSummary& s) {
  std::string out = "customer_id,frequency,recency,T,monetary_value";
  if (s.has_holdout()) out += ",frequency_holdout,monetary_value_holdout,duration_holdout";
  out += '\n';
  out.reserve(s.size() * 48);
  const std::string duration = number(s.duration_holdout);
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += csv_field(tx.ids.name(s.customer[i]));
    for (double v : {s.frequency[i], s.recency[i], s.T[i], s.monetary_value[i]})
      out += ',' + number(v);
    if (s.has_holdout()) {
      out += ',' + number(s.frequency_holdout[i]) + ',' + number(s.monetary_value_holdout[i]);
      out += ',' + duration;
    }
    out += '\n';
  }
  return out;
}

int run(const SummarizeOptions& o) {
  TransactionColumns columns{.id = o.table.id_col,
                             .date = o.table.date_col,
                             .amount = o.table.amount_col,
                             .discount = {},
                             .date_format = o.table.date_format};
  SummaryConfig config;
  if (o.time_unit == "weeks") config.time_unit = TimeUnit::weeks;
  if (!o.calibration_end.empty())
    config.calibration_end = parse_day_argument(o.calibration_end, "--calibration-end");
  if (!o.observation_end.empty())
    config.observation_end = parse_day_argument(o.observation_end, "--observation-end");

  const TransactionBatch tx = read_transactions(o.table.file, o.table.csv(), columns,
                                                progress_for("reading " + o.table.file));
  const CustomerSummary summary = summarize(tx, config);
  if (!(o.json && o.out.empty())) write_output(o.out, summary_csv(tx, summary));

  if (o.json) {
    std::size_t repeaters = 0;
    for (double f : summary.frequency) repeaters += f > 0;
    nlohmann::json j{{"customers", summary.size()},
                     {"transactions", tx.size()},
                     {"repeat_customers", repeaters},
                     {"time_unit", to_string(summary.time_unit)},
                     {"period_end", format_day(summary.period_end)},
                     {"observation_end", format_day(summary.observation_end)},
                     {"holdout", summary.has_holdout()},
                     {"out", o.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.out)}};
    std::cout << j.dump(2) << '\n';
  }
  return 0;
}

}  // namespace

Runner add_summarize_command(CLI::App& app) {
  auto options = std::make_shared<SummarizeOptions>();
  auto* cmd = app.add_subcommand(
      "summarize", "Per customer frequency, recency, T and monetary value from transactions");
  add_table_options(*cmd, options->table, "--transactions", "Transactions file (CSV)",
                    {.date = true, .amount = true});
  cmd->add_option("--time-unit", options->time_unit, "Unit of recency and T")
      ->check(CLI::IsMember({"days", "weeks"}))
      ->capture_default_str();
  cmd->add_option("--calibration-end", options->calibration_end,
                  "Last day of the calibration period (inclusive); adds holdout columns")
      ->type_name("DATE");
  cmd->add_option("--observation-end", options->observation_end,
                  "Last day observed (inclusive); default: the last transaction")
      ->type_name("DATE");
  cmd->add_option("--out", options->out, "Output CSV (stdout when absent)")->type_name("FILE");
  cmd->add_flag("--json", options->json,
                "Print a JSON summary to stdout (the table goes only to --out)");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace leadscore::cli
