// leadscore funnel | cohorts: conversion through the lifecycle stages, and
// retention and churn by monthly acquisition cohort.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "leadscore/core/ids.hpp"
#include "leadscore/segment/cohorts.hpp"
#include "leadscore/segment/funnel.hpp"

namespace leadscore::cli {
namespace {
using namespace leadscore::segment;

std::string rate(double x) { return std::isnan(x) ? "" : number(x); }

struct FunnelOptions {
  TableOptions table{.id_col = "id", .date_col = "date"};
  std::string stage_col = "stage";
  std::string out;
  bool json = false;
};

int run_funnel(const FunnelOptions& o) {
  CsvReader reader(o.table.file, o.table.csv(), progress_for("reading " + o.table.file));
  const std::size_t id_i = reader.resolve(o.table.id_col), stage_i = reader.resolve(o.stage_col),
                    date_i = reader.resolve(o.table.date_col);
  const DateFormat format(o.table.date_format);
  IdInterner ids;
  std::vector<std::int64_t> record;
  std::vector<LifecycleStage> stage;
  std::vector<Timestamp> time;
  std::vector<std::string_view> row;
  while (reader.next(row)) {
    if (row[id_i].empty()) reader.fail(id_i, "empty id");
    const auto s = parse_lifecycle_stage(row[stage_i]);
    if (!s) reader.fail(stage_i, "unknown stage '" + std::string(row[stage_i]) + "'");
    const auto t = format.parse(row[date_i]);
    if (!t) reader.fail(date_i, "'" + std::string(row[date_i]) + "' is not a date (" + format.pattern() + ")");
    record.push_back(ids.intern(row[id_i]));
    stage.push_back(*s);
    time.push_back(*t);
  }
  if (record.empty()) reader.fail_file(0, "no stage changes");
  const FunnelReport f = funnel(record, ids.size(), stage, time);
  std::string csv = "stage,reached,conversion_to_next,median_days_in_stage,moved_on,current\n";
  for (std::size_t k = 0; k < all_lifecycle_stages.size(); ++k) {
    csv += std::string(to_string(all_lifecycle_stages[k])) + ',';
    if (k < f.reached.size()) {
      csv += std::to_string(f.reached[k]) + ',' + (k < f.conversion.size() ? rate(f.conversion[k]) : "") + ',' +
             rate(f.median_days[k]) + ',' + std::to_string(f.moved_on[k]);
    } else {
      csv += ",,,";
    }
    csv += ',' + std::to_string(f.current[k]) + '\n';
  }
  if (!(o.json && o.out.empty())) write_output(o.out, csv);
  if (o.json) {
    nlohmann::json stages = nlohmann::json::array();
    for (std::size_t k = 0; k < f.reached.size(); ++k) {
      nlohmann::json s{{"stage", to_string(all_lifecycle_stages[k])}, {"reached", f.reached[k]},
                       {"moved_on", f.moved_on[k]}, {"current", f.current[k]}};
      s["conversion_to_next"] = k < f.conversion.size() && !std::isnan(f.conversion[k]) ? nlohmann::json(f.conversion[k])
                                                                                          : nlohmann::json(nullptr);
      s["median_days_in_stage"] = std::isnan(f.median_days[k]) ? nlohmann::json(nullptr) : nlohmann::json(f.median_days[k]);
      stages.push_back(s);
    }
    std::cout << nlohmann::json{{"records", f.records},
                                {"changes", record.size()},
                                {"stages", stages},
                                {"at_risk", f.current[7]},
                                {"churned", f.current[8]}}
                     .dump(2)
              << '\n';
  }
  return 0;
}

struct CohortOptions {
  TableOptions table{.id_col = "customer_id", .date_col = "date", .amount_col = "amount"};
  std::string last_day;
  std::string metric = "retention";
  std::string out;
  bool json = false;
};

int run_cohorts(const CohortOptions& o) {
  const TransactionColumns columns{.id = o.table.id_col, .date = o.table.date_col, .amount = o.table.amount_col,
                                   .discount = {}, .date_format = o.table.date_format};
  std::optional<Day> last;
  if (!o.last_day.empty()) last = parse_day_argument(o.last_day, "--last-day");
  const auto tx = read_transactions(o.table.file, o.table.csv(), columns, progress_for("reading " + o.table.file));
  const CohortTable t = cohorts(tx, last);
  std::size_t months = 0;
  for (const auto& a : t.active) months = std::max(months, a.size());
  std::string csv = "cohort,customers";
  for (std::size_t m = 0; m < months; ++m) csv += ",m" + std::to_string(m);
  csv += '\n';
  for (std::size_t c = 0; c < t.n_cohorts(); ++c) {
    csv += format_day(t.cohort[c]).substr(0, 7) + ',' + std::to_string(t.size[c]);
    for (std::size_t m = 0; m < months; ++m) {
      csv += ',';
      if (m >= t.active[c].size()) continue;
      if (o.metric == "active") csv += std::to_string(t.active[c][m]);
      else if (o.metric == "churn") csv += rate(t.churn(c, m));
      else csv += number(t.retention(c, m));
    }
    csv += '\n';
  }
  if (!(o.json && o.out.empty())) write_output(o.out, csv);
  if (o.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t c = 0; c < t.n_cohorts(); ++c) {
      std::vector<double> retention, churn;
      for (std::size_t m = 0; m < t.active[c].size(); ++m) {
        retention.push_back(t.retention(c, m));
        if (m > 0) churn.push_back(t.churn(c, m));
      }
      nlohmann::json churn_json = nlohmann::json::array();
      for (double x : churn) churn_json.push_back(std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x));
      rows.push_back({{"cohort", format_day(t.cohort[c]).substr(0, 7)},
                      {"customers", t.size[c]},
                      {"active", t.active[c]},
                      {"retention", retention},
                      {"churn", churn_json}});
    }
    std::cout << nlohmann::json{{"customers", tx.n_customers()}, {"cohorts", rows}}.dump(2) << '\n';
  }
  return 0;
}

}  // namespace

Runner add_funnel_command(CLI::App& app) {
  auto o = std::make_shared<FunnelOptions>();
  auto* cmd = app.add_subcommand("funnel", "Reach, conversion and median time per lifecycle stage from stage changes");
  cmd->add_option("--events", o->table.file, "Stage changes (CSV: id, stage, date)")->required()->type_name("FILE");
  cmd->add_option("--id-col", o->table.id_col, "Record id column")->capture_default_str();
  cmd->add_option("--stage-col", o->stage_col, "Stage column (lead, prospect, ..., churned)")->capture_default_str();
  cmd->add_option("--date-col", o->table.date_col, "Date column")->capture_default_str();
  cmd->add_option("--date-format", o->table.date_format, "'iso' or a pattern such as %Y%m%d")->capture_default_str();
  cmd->add_option("--delimiter", o->table.delimiter, "Field separator")->capture_default_str();
  cmd->add_flag("--no-header", o->table.no_header, "The first line is data; name columns by 0-based index");
  cmd->add_option("--out", o->out, "Output CSV (stdout when absent)")->type_name("FILE");
  cmd->add_flag("--json", o->json, "Print the funnel as JSON");
  return {cmd, [o] { return run_funnel(*o); }};
}

Runner add_cohorts_command(CLI::App& app) {
  auto o = std::make_shared<CohortOptions>();
  auto* cmd = app.add_subcommand("cohorts", "Retention and churn by monthly acquisition cohort");
  add_table_options(*cmd, o->table, "--transactions", "Transactions file (CSV)", {.date = true, .amount = true});
  cmd->add_option("--last-day", o->last_day, "Last day observed (default: the last purchase)")->type_name("DATE");
  cmd->add_option("--metric", o->metric, "Matrix cells: retention, churn or active customers")
      ->capture_default_str()
      ->check(CLI::IsMember({"retention", "churn", "active"}));
  cmd->add_option("--out", o->out, "Output CSV (stdout when absent)")->type_name("FILE");
  cmd->add_flag("--json", o->json, "Print every matrix as JSON");
  return {cmd, [o] { return run_cohorts(*o); }};
}

}  // namespace leadscore::cli
