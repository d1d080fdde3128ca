// Evaluation metrics and seeded splits; see leadscore/scoring/metrics.hpp.
#include "leadscore/scoring/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "leadscore/core/error.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {

void check(std::span<const double> y, std::span<const double> s, const char* who,
           bool probabilities) {
  if (y.size() != s.size())
    throw InvalidInput(std::string(who) + ": " + std::to_string(y.size()) + " targets for " +
                       std::to_string(s.size()) + " scores");
  if (y.empty()) throw InvalidInput(std::string(who) + ": no rows");
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0)
      throw InvalidInput(std::string(who) + ": target of row " + std::to_string(i + 1) +
                         " is not 0 or 1");
    if (!std::isfinite(s[i]) || (probabilities && (s[i] < 0 || s[i] > 1)))
      throw InvalidInput(std::string(who) + ": " + (probabilities ? "probability" : "score") +
                         " of row " + std::to_string(i + 1) + " is " + detail::format_number(s[i]));
  }
}

std::vector<std::size_t> descending(std::span<const double> s) {
  std::vector<std::size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s[a] > s[b]; });
  return order;
}

// Fisher-Yates with our own bounded draw: std::shuffle and the std
// distributions differ between standard libraries, this does not.
void shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::uint64_t bound = i, limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t r;
    do r = rng();
    while (r >= limit);
    std::swap(v[i - 1], v[static_cast<std::size_t>(r % bound)]);
  }
}

// Rows grouped by class (or one group), each shuffled.
std::vector<std::vector<std::size_t>> shuffled_groups(std::size_t n, std::uint64_t seed,
                                                      std::span<const double> stratify) {
  if (!stratify.empty() && stratify.size() != n)
    throw InvalidInput("split: " + std::to_string(stratify.size()) + " classes for " +
                       std::to_string(n) + " rows");
  std::vector<std::vector<std::size_t>> groups(stratify.empty() ? 1 : 2);
  for (std::size_t i = 0; i < n; ++i) {
    if (!stratify.empty() && stratify[i] != 0.0 && stratify[i] != 1.0)
      throw InvalidInput("split: class of row " + std::to_string(i + 1) + " is not 0 or 1");
    groups[stratify.empty() ? 0 : static_cast<std::size_t>(stratify[i])].push_back(i);
  }
  std::mt19937_64 rng(seed);
  for (auto& g : groups) shuffle(g, rng);
  return groups;
}

}  // namespace

double roc_auc(std::span<const double> y, std::span<const double> score) {
  check(y, score, "roc_auc", false);
  std::vector<std::size_t> order(y.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // Mann-Whitney: sum of the positives' mid-ranks.
  double rank_sum = 0, pos = 0;
  for (std::size_t k = 0; k < order.size();) {
    std::size_t e = k;
    double p = 0;
    while (e < order.size() && score[order[e]] == score[order[k]]) p += y[order[e++]];
    rank_sum += p * (static_cast<double>(k + e + 1) / 2.0);
    pos += p;
    k = e;
  }
  const double neg = static_cast<double>(y.size()) - pos;
  if (pos == 0 || neg == 0) throw InvalidInput("roc_auc: the targets hold one class only");
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

double log_loss(std::span<const double> y, std::span<const double> p) {
  check(y, p, "log_loss", true);
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double q = std::clamp(p[i], 1e-15, 1 - 1e-15);
    s -= y[i] == 1.0 ? std::log(q) : std::log1p(-q);
  }
  return s / static_cast<double>(y.size());
}

double brier_score(std::span<const double> y, std::span<const double> p) {
  check(y, p, "brier_score", true);
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
  return s / static_cast<double>(y.size());
}

std::vector<LiftRow> lift_table(std::span<const double> y, std::span<const double> score,
                                int groups) {
  check(y, score, "lift_table", false);
  if (groups < 1) throw InvalidInput("lift_table: groups must be >= 1");
  const auto order = descending(score);
  const std::size_t n = y.size();
  const double total = std::accumulate(y.begin(), y.end(), 0.0),
               rate = total / static_cast<double>(n);
  std::vector<LiftRow> out;
  double cum = 0;
  std::size_t cum_n = 0;
  for (int g = 0; g < groups; ++g) {
    const std::size_t a = n * static_cast<std::size_t>(g) / static_cast<std::size_t>(groups);
    const std::size_t b = n * static_cast<std::size_t>(g + 1) / static_cast<std::size_t>(groups);
    if (a == b) continue;
    LiftRow r;
    r.group = g + 1;
    r.count = b - a;
    r.max_score = score[order[a]];
    r.min_score = score[order[b - 1]];
    for (std::size_t k = a; k < b; ++k) r.positives += y[order[k]];
    r.rate = r.positives / static_cast<double>(r.count);
    r.lift = rate > 0 ? r.rate / rate : 0;
    cum += r.positives;
    cum_n += r.count;
    r.cumulative_gain = total > 0 ? cum / total : 0;
    r.cumulative_lift = rate > 0 ? (cum / static_cast<double>(cum_n)) / rate : 0;
    out.push_back(r);
  }
  return out;
}

std::vector<CalibrationRow> calibration_table(std::span<const double> y, std::span<const double> p,
                                              int bins) {
  check(y, p, "calibration_table", true);
  if (bins < 1) throw InvalidInput("calibration_table: bins must be >= 1");
  std::vector<CalibrationRow> rows(static_cast<std::size_t>(bins));
  for (int b = 0; b < bins; ++b) {
    rows[static_cast<std::size_t>(b)].low = static_cast<double>(b) / bins;
    rows[static_cast<std::size_t>(b)].high = static_cast<double>(b + 1) / bins;
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    auto& r =
        rows[std::min(static_cast<std::size_t>(p[i] * bins), static_cast<std::size_t>(bins - 1))];
    ++r.count;
    r.mean_predicted += p[i];
    r.observed_rate += y[i];
  }
  std::vector<CalibrationRow> out;
  for (auto& r : rows) {
    if (r.count == 0) continue;
    r.mean_predicted /= static_cast<double>(r.count);
    r.observed_rate /= static_cast<double>(r.count);
    out.push_back(r);
  }
  return out;
}

Evaluation evaluate(std::span<const double> y, std::span<const double> p) {
  Evaluation e;
  e.rows = y.size();
  e.auc = roc_auc(y, p);
  e.log_loss = log_loss(y, p);
  e.brier = brier_score(y, p);
  e.base_rate = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  e.lift = lift_table(y, p, 10);
  e.calibration = calibration_table(y, p, 10);
  return e;
}

Split train_test_split(std::size_t n, double test_fraction, std::uint64_t seed,
                       std::span<const double> stratify) {
  if (!(test_fraction > 0 && test_fraction < 1))
    throw InvalidInput("train_test_split: test_fraction must be in (0, 1)");
  Split s;
  for (const auto& g : shuffled_groups(n, seed, stratify)) {
    const auto n_test =
        static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(g.size())));
    s.test.insert(s.test.end(), g.begin(), g.begin() + static_cast<std::ptrdiff_t>(n_test));
    s.train.insert(s.train.end(), g.begin() + static_cast<std::ptrdiff_t>(n_test), g.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.test.begin(), s.test.end());
  if (s.train.empty() || s.test.empty())
    throw InvalidInput("train_test_split: too few rows to split");
  return s;
}

std::vector<Split> k_fold(std::size_t n, int k, std::uint64_t seed,
                          std::span<const double> stratify) {
  if (k < 2 || static_cast<std::size_t>(k) > n)
    throw InvalidInput("k_fold: k must be in [2, rows]");
  std::vector<int> fold(n);
  for (const auto& g : shuffled_groups(n, seed, stratify))
    for (std::size_t j = 0; j < g.size(); ++j)
      fold[g[j]] = static_cast<int>(j % static_cast<std::size_t>(k));
  std::vector<Split> out(static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < n; ++i)
    for (int f = 0; f < k; ++f)
      (fold[i] == f ? out[static_cast<std::size_t>(f)].test
                    : out[static_cast<std::size_t>(f)].train)
          .push_back(i);
  return out;
}

}  // namespace leadscore::scoring
