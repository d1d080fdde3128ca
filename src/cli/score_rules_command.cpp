// leadscore score rules: rule-based lead scoring of a leads table and an
// events table as of a date, and (--compare) A/B of rule sets on history.

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "leadscore/core/date.hpp"
#include "leadscore/scoring/rule_comparison.hpp"
#include "leadscore/scoring/rules_io.hpp"

namespace leadscore::cli {
namespace {

using namespace leadscore::scoring;

struct RulesOptions {
  std::string rule_file;
  std::vector<std::string> compare;
  std::string leads, events;
  std::string id_col = "lead_id";
  std::string type_col = "type", time_col = "time", value_col = "value";
  std::string delimiter = ",";
  std::string date_format = "iso";
  std::string as_of;
  std::string out;
  std::string outcome_col;
  std::size_t top_reasons = 3;
  std::size_t threads = 0;
  bool json = false;
};

// A date means the end of that day (its events count); an ISO date-time is taken as is.
Timestamp parse_as_of(const std::string& text) {
  if (text.size() > 10) {
    if (const auto t = DateFormat("iso").parse(text)) return *t;
    throw InvalidInput("--as-of: cannot parse '" + text + "' as an ISO 8601 date or date-time");
  }
  return (Timestamp{parse_day_argument(text, "--as-of")} + 1) * seconds_per_day - 1;
}

struct Inputs {
  IdInterner ids;
  ProfileTable profiles;
  EventBatch events;
  std::vector<std::uint8_t> outcome;
};

void read_inputs(const RulesOptions& o, Inputs& in) {
  const CsvOptions csv{.delimiter = CsvOptions::parse_delimiter(o.delimiter), .header = true};
  in.profiles = read_profiles(o.leads, in.ids, csv, o.id_col);
  if (!o.outcome_col.empty()) {
    // The outcome is what the rules predict: take it out of the fields they may test.
    const auto it = std::find_if(in.profiles.columns.begin(), in.profiles.columns.end(),
                                 [&](const ProfileColumn& c) { return c.name == o.outcome_col; });
    if (it == in.profiles.columns.end()) throw InvalidInput(o.leads + ": no outcome column '" + o.outcome_col + "'");
    if (!it->is_numeric()) throw InvalidInput(o.leads + ": outcome column '" + o.outcome_col + "' is not 0/1");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const double v = std::get<0>(it->values)[i];
      if (v != 0 && v != 1)
        throw InvalidInput(o.leads + ": outcome of lead '" + in.ids.name(in.profiles.customer[i]) + "' is not 0 or 1");
      in.outcome.push_back(static_cast<std::uint8_t>(v));
    }
    in.profiles.columns.erase(it);
  }
  if (!o.events.empty())
    in.events = read_events(o.events, in.ids, csv,
                            {.id = o.id_col, .type = o.type_col, .time = o.time_col, .value = o.value_col,
                             .date_format = o.date_format});
}

RuleEngine load_engine(const std::string& path, const Inputs& in, bool have_events) {
  const DataSchema schema = schema_of(in.profiles, have_events ? &in.events : nullptr);
  return RuleEngine(load_rule_set(path, &schema));
}

std::string scores_csv(const RuleEngine& engine, const Inputs& in, const RuleScores& s, std::size_t top) {
  const RuleSet& rs = engine.rules();
  std::string out = "lead_id,score";
  for (const auto& g : rs.groups) (out += ',') += csv_field(g.name);
  out += ",grade,label,stage,reasons\n";
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += csv_field(in.ids.name(in.profiles.customer[i]));
    (out += ',') += number(s.total[i]);
    for (std::size_t g = 0; g < s.n_groups; ++g) (out += ',') += number(s.group(i, g));
    (out += ',') += csv_field(rs.grade.bands[s.grade[i]].label);
    (out += ',') += csv_field(engine.label(s.grade[i], s.level[i]));
    (out += ',') += to_string(s.stage[i]);
    std::string reasons;
    const auto r = s.reasons_of(i);
    for (std::size_t k = 0; k < r.size() && k < top; ++k)
      reasons += fmt::format("{}{}:{:+.4g}", k ? "; " : "", rs.rules[r[k].rule].id, r[k].points);
    (out += ',') += csv_field(reasons);
    out += '\n';
  }
  return out;
}

nlohmann::json summary_json(const RuleEngine& engine, const Inputs& in, const RuleScores& s, Timestamp as_of) {
  const RuleSet& rs = engine.rules();
  std::map<std::string, std::size_t> stages, grades, labels;
  double sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ++stages[std::string(to_string(s.stage[i]))];
    ++grades[rs.grade.bands[s.grade[i]].label];
    ++labels[engine.label(s.grade[i], s.level[i])];
    sum += s.total[i];
  }
  nlohmann::json j;
  j["rule_set"] = rs.name;
  j["as_of"] = format_day(day_of(as_of));
  j["leads"] = s.size();
  j["events"] = in.events.size();
  j["mean_score"] = s.size() ? sum / static_cast<double>(s.size()) : 0.0;
  j["stages"] = stages;
  j["grades"] = grades;
  j["labels"] = labels;
  return j;
}

int run_score(const RulesOptions& o) {
  Inputs in;
  read_inputs(o, in);
  const RuleEngine engine = load_engine(o.rule_file, in, !o.events.empty());
  const Timestamp as_of = parse_as_of(o.as_of);
  const RuleScores s = engine.score(in.profiles, in.events, as_of, o.threads);
  if (!o.json || !o.out.empty()) write_output(o.out, scores_csv(engine, in, s, o.top_reasons));
  if (o.json) std::cout << summary_json(engine, in, s, as_of).dump(2) << '\n';
  return 0;
}

int run_compare(const RulesOptions& o) {
  Inputs in;
  read_inputs(o, in);
  std::vector<std::string> files{o.rule_file};
  files.insert(files.end(), o.compare.begin(), o.compare.end());
  std::vector<RuleEngine> engines;
  for (const auto& path : files) engines.push_back(load_engine(path, in, !o.events.empty()));
  std::vector<const RuleEngine*> pointers;
  for (const auto& e : engines) pointers.push_back(&e);
  const auto reports = compare_rule_sets(pointers, in.profiles, in.events, parse_as_of(o.as_of), in.outcome);
  nlohmann::json j = nlohmann::json::array();
  std::string table = fmt::format("{:<24} {:>7} {:>9} {:>9}  conversion by grade\n", "rule set", "AUC", "lift@10%",
                                  "lift@20%");
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const auto& r = reports[k];
    const std::string name = r.name.empty() ? files[k] : r.name;
    nlohmann::json item{{"rule_set", name}, {"file", files[k]}, {"auc", r.auc},
                        {"lift_top_10", r.lift_top_10}, {"lift_top_20", r.lift_top_20}};
    std::string grades;
    for (const auto& [key, bands] : {std::pair{"by_grade", &r.by_grade}, std::pair{"by_stage", &r.by_stage}}) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& b : *bands) {
        list.push_back({{"band", b.band}, {"leads", b.leads}, {"converted", b.converted}, {"rate", b.rate()}});
        if (bands == &r.by_grade) grades += fmt::format("{} {:.1f}% ({})  ", b.band, 100 * b.rate(), b.leads);
      }
      item[key] = list;
    }
    j.push_back(item);
    table += fmt::format("{:<24} {:>7.4f} {:>9.3f} {:>9.3f}  {}\n", name, r.auc, r.lift_top_10, r.lift_top_20, grades);
  }
  if (o.json)
    write_output(o.out, j.dump(2) + "\n");
  else
    write_output(o.out, table);
  return 0;
}

}  // namespace

Runner add_score_rules_command(CLI::App& score) {
  auto o = std::make_shared<RulesOptions>();
  auto* cmd = score.add_subcommand(
      "rules", "Score leads by a JSON rule set (score per group, grade, label, stage, reasons), "
               "or compare rule sets on leads with known outcomes (--compare)");
  cmd->add_option("--rules", o->rule_file, "Rule file (JSON)")->required()->type_name("FILE");
  cmd->add_option("--leads", o->leads, "Leads CSV: an id column and one column per profile field")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--events", o->events, "Events CSV: id, type, time, optional value, properties")->type_name("FILE");
  cmd->add_option("--as-of", o->as_of, "Score as of this date (its end) or ISO date-time")->required();
  cmd->add_option("--id-col", o->id_col, "Lead id column of both files")->capture_default_str();
  cmd->add_option("--type-col", o->type_col, "Event type column")->capture_default_str();
  cmd->add_option("--time-col", o->time_col, "Event time column")->capture_default_str();
  cmd->add_option("--value-col", o->value_col, "Event value column (used when present)")->capture_default_str();
  cmd->add_option("--delimiter", o->delimiter, "Field separator of both files")->capture_default_str();
  cmd->add_option("--date-format", o->date_format, "'iso' or a pattern such as %Y%m%d")->capture_default_str();
  cmd->add_option("--out", o->out, "Output file (stdout when absent)")->type_name("FILE");
  cmd->add_option("--top-reasons", o->top_reasons, "Reasons listed per lead")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0 = all cores for large tables)")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print a summary (counts per stage, grade, label) as JSON");
  auto* compare = cmd->add_option("--compare", o->compare,
                                  "Other rule files: report AUC, lift and conversion by grade and stage of "
                                  "--rules and these side by side")
                      ->type_name("FILE");
  cmd->add_option("--outcome-col", o->outcome_col, "0/1 column of the leads file: converted (with --compare)")
      ->needs(compare);
  compare->needs(cmd->get_option("--outcome-col"));
  return {cmd, [o] { return o->compare.empty() ? run_score(*o) : run_compare(*o); }};
}

}  // namespace leadscore::cli
