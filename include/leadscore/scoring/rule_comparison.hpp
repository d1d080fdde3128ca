#pragma once
// A/B on the past: how well do rule sets rank leads whose outcome is known?
// AUC, lift in the top of the ranking, and conversion rate per grade and
// per stage, for each rule set side by side.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/metrics.hpp"
#include "leadscore/scoring/rules.hpp"

namespace leadscore::scoring {

/// Conversion within one band (grade label, stage, ...).
struct BandConversion {
  std::string band;
  std::size_t leads = 0;
  std::size_t converted = 0;
  double rate() const noexcept { return leads ? static_cast<double>(converted) / static_cast<double>(leads) : 0.0; }
};

struct RuleSetReport {
  std::string name;
  double auc = 0;
  double lift_top_10 = 0;  ///< conversion rate of the top 10% by score / the base rate
  double lift_top_20 = 0;
  std::vector<BandConversion> by_grade;  ///< in band order (A first)
  std::vector<BandConversion> by_stage;  ///< lead, prospect, opportunity, then stages kept from the data
};

namespace detail {
inline void check_outcomes(std::span<const double> score, std::span<const std::uint8_t> converted) {
  if (score.size() != converted.size())
    throw InvalidInput("rule comparison: " + std::to_string(score.size()) + " scores but " +
                       std::to_string(converted.size()) + " outcomes");
  for (std::size_t i = 0; i < converted.size(); ++i)
    if (converted[i] > 1) throw InvalidInput("rule comparison: outcome of row " + std::to_string(i) + " is not 0 or 1");
  for (std::size_t i = 0; i < score.size(); ++i)
    if (!std::isfinite(score[i])) throw InvalidInput("rule comparison: score of row " + std::to_string(i) + " is not finite");
}
}  // namespace detail

/// Area under the ROC curve of the scores against 0/1 outcomes: roc_auc of
/// metrics.hpp (tied scores count one half). Throws InvalidInput unless both
/// outcomes occur.
inline double rule_auc(std::span<const double> score, std::span<const std::uint8_t> converted) {
  detail::check_outcomes(score, converted);
  const std::vector<double> y(converted.begin(), converted.end());
  return roc_auc(y, score);
}

/// Conversion rate among the top `fraction` of leads by score divided by
/// the overall rate. Leads tied at the cut count in proportion (the
/// expected value under a random order of ties).
inline double rule_lift(std::span<const double> score, std::span<const std::uint8_t> converted, double fraction) {
  detail::check_outcomes(score, converted);
  if (!(fraction > 0 && fraction <= 1)) throw InvalidInput("rule comparison: lift fraction must be in (0, 1]");
  const double base = static_cast<double>(std::accumulate(converted.begin(), converted.end(), std::size_t{0})) /
                      static_cast<double>(converted.size());
  if (base == 0) throw InvalidInput("rule comparison: lift needs converted leads");
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  const double want = fraction * static_cast<double>(score.size());
  double taken = 0, hits = 0;
  for (std::size_t i = 0; i < order.size() && taken < want;) {
    std::size_t j = i, pos = 0;
    while (j < order.size() && score[order[j]] == score[order[i]]) pos += converted[order[j++]];
    const double size = static_cast<double>(j - i);
    const double take = std::min(size, want - taken);
    hits += static_cast<double>(pos) * take / size;
    taken += take;
    i = j;
  }
  return hits / taken / base;
}

/// Scores the same leads with each engine and reports side by side.
inline std::vector<RuleSetReport> compare_rule_sets(std::span<const RuleEngine* const> engines,
                                                    const ProfileTable& profiles, const EventBatch& events,
                                                    Timestamp as_of, std::span<const std::uint8_t> converted) {
  if (converted.size() != profiles.customer.size())
    throw InvalidInput("compare_rule_sets: " + std::to_string(converted.size()) + " outcomes for " +
                       std::to_string(profiles.customer.size()) + " leads");
  std::vector<RuleSetReport> out;
  for (const RuleEngine* engine : engines) {
    const RuleScores s = engine->score(profiles, events, as_of);
    RuleSetReport r;
    r.name = engine->rules().name;
    r.auc = rule_auc(s.total, converted);
    r.lift_top_10 = rule_lift(s.total, converted, 0.1);
    r.lift_top_20 = rule_lift(s.total, converted, 0.2);
    for (const auto& band : engine->rules().grade.bands) r.by_grade.push_back({band.label, 0, 0});
    for (LifecycleStage st : all_lifecycle_stages) r.by_stage.push_back({std::string(to_string(st)), 0, 0});
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto& g = r.by_grade[s.grade[i]];
      auto& st = r.by_stage[static_cast<std::size_t>(s.stage[i])];
      ++g.leads, ++st.leads;
      g.converted += converted[i];
      st.converted += converted[i];
    }
    std::erase_if(r.by_stage, [](const BandConversion& b) { return b.leads == 0; });
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace leadscore::scoring
