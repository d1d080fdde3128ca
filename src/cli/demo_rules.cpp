// The lead-scoring section of `leadscore demo`; see demo_rules.hpp.
#include "demo_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "leadscore/scoring/rule_comparison.hpp"
#include "leadscore/scoring/rules_io.hpp"

namespace leadscore::cli {

void rules_demo_section(const std::filesystem::path& data_dir) {
  using namespace leadscore::scoring;
  const auto dir = data_dir / "rules";
  IdInterner ids;
  ProfileTable leads = read_profiles((dir / "xeducation" / "leads.csv").string(), ids);
  const EventBatch events = read_events((dir / "xeducation" / "events.csv").string(), ids);
  // The known outcome is what the rules try to predict: keep it out of their reach.
  const auto outcome_col = std::find_if(leads.columns.begin(), leads.columns.end(),
                                        [](const ProfileColumn& c) { return c.name == "converted"; });
  std::vector<std::uint8_t> converted;
  for (double v : std::get<0>(outcome_col->values)) converted.push_back(static_cast<std::uint8_t>(v));
  leads.columns.erase(outcome_col);

  const DataSchema schema = schema_of(leads, &events);
  const RuleEngine engine(load_rule_set((dir / "xeducation_fit_engagement.json").string(), &schema));
  const RuleEngine baseline(load_rule_set((dir / "xeducation_engagement.json").string(), &schema));
  const Timestamp as_of = (Timestamp{parse_day_argument("2015-06-30", "as of")} + 1) * seconds_per_day - 1;
  const RuleScores s = engine.score(leads, events, as_of);

  fmt::print("\n== Lead scoring by rules (X Education: {} leads, {} derived events) ==\n", s.size(), events.size());
  fmt::print("rule set '{}': {} rules in {} groups\n", engine.rules().name, engine.rules().rules.size(),
             engine.rules().groups.size());
  std::array<std::size_t, 3> stage_count{}, stage_won{};
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto k = static_cast<std::size_t>(s.stage[i]);
    ++stage_count[k];
    stage_won[k] += converted[i];
  }
  fmt::print("{:<12} {:>7} {:>11}\n", "stage", "leads", "converted");
  for (LifecycleStage st : {LifecycleStage::lead, LifecycleStage::prospect, LifecycleStage::opportunity}) {
    const auto k = static_cast<std::size_t>(st);
    fmt::print("{:<12} {:>7} {:>10.1f}%\n", to_string(st), stage_count[k],
               stage_count[k] ? 100.0 * static_cast<double>(stage_won[k]) / static_cast<double>(stage_count[k]) : 0.0);
  }
  std::vector<std::size_t> order(s.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.total[a] > s.total[b]; });
  fmt::print("\nhottest leads, with the reasons\n{:>8} {:>6} {:>6} {:<12} reasons\n", "lead", "score", "label", "stage");
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t i = order[k];
    std::string reasons;
    const auto r = s.reasons_of(i);
    for (std::size_t j = 0; j < r.size() && j < 4; ++j)
      reasons += fmt::format("{}{} {:+.3g}", j ? ", " : "", engine.rules().rules[r[j].rule].id, r[j].points);
    fmt::print("{:>8} {:>6g} {:>6} {:<12} {}\n", ids.name(leads.customer[i]), s.total[i],
               engine.label(s.grade[i], s.level[i]), to_string(s.stage[i]), reasons);
  }

  const std::array<const RuleEngine*, 2> engines{&engine, &baseline};
  const auto reports = compare_rule_sets(engines, leads, events, as_of, converted);
  fmt::print("\nA/B of two rule sets on the known outcomes\n{:<22} {:>7} {:>9}  conversion by grade\n", "rule set", "AUC",
             "lift@10%");
  for (const auto& r : reports) {
    std::string grades;
    for (const auto& b : r.by_grade) grades += fmt::format("{} {:.0f}%  ", b.band, 100 * b.rate());
    fmt::print("{:<22} {:>7.3f} {:>9.2f}  {}\n", r.name, r.auc, r.lift_top_10, grades);
  }
}

}  // namespace leadscore::cli
