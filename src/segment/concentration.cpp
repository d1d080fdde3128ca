// Revenue concentration; see leadscore/segment/concentration.hpp.
#include "leadscore/segment/concentration.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {
namespace {

// Ascending copy, checked.
std::vector<double> sorted_checked(std::span<const double> values, const char* who) {
  if (values.empty()) throw InvalidInput(std::string(who) + ": no values");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]) || values[i] < 0)
      throw InvalidInput(std::string(who) + ": value " + std::to_string(i) + " is negative or not finite");
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  return v;
}

// Cumulative sums with a leading 0: cum[k] = sum of the k smallest.
std::vector<double> cumulative(const std::vector<double>& sorted) {
  std::vector<double> cum(sorted.size() + 1, 0.0);
  for (std::size_t i = 0; i < sorted.size(); ++i) cum[i + 1] = cum[i] + sorted[i];
  return cum;
}

// Share of the total held by the poorest `share` of customers, linear
// between whole customers.
double lorenz_at(const std::vector<double>& cum, double share) {
  const double n = static_cast<double>(cum.size() - 1);
  const double pos = share * n;
  const auto k = static_cast<std::size_t>(std::min(std::floor(pos), n));
  const double frac = pos - static_cast<double>(k);
  const double below = cum[k] + (k + 1 < cum.size() ? frac * (cum[k + 1] - cum[k]) : 0.0);
  return below / cum.back();
}

double gini_sorted(const std::vector<double>& v, double total) {
  // G = sum_i (2i - n - 1) x_(i) / (n * total), i = 1..n ascending.
  const double n = static_cast<double>(v.size());
  double acc = 0;
  for (std::size_t i = 0; i < v.size(); ++i) acc += (2.0 * static_cast<double>(i + 1) - n - 1.0) * v[i];
  return acc / (n * total);
}

}  // namespace

double gini(std::span<const double> values) {
  const auto v = sorted_checked(values, "gini");
  const auto cum = cumulative(v);
  if (cum.back() <= 0) throw InvalidInput("gini: the values sum to zero");
  return gini_sorted(v, cum.back());
}

double top_share(std::span<const double> values, double fraction) {
  if (!(fraction > 0 && fraction <= 1)) throw InvalidInput("top_share: fraction must be in (0, 1]");
  const auto v = sorted_checked(values, "top_share");
  const auto cum = cumulative(v);
  if (cum.back() <= 0) throw InvalidInput("top_share: the values sum to zero");
  return 1.0 - lorenz_at(cum, 1.0 - fraction);
}

Concentration concentration(std::span<const double> values, int lorenz_points) {
  if (lorenz_points < 2) throw InvalidInput("concentration: lorenz_points must be at least 2");
  const auto v = sorted_checked(values, "concentration");
  const auto cum = cumulative(v);
  Concentration c;
  c.total = cum.back();
  if (c.total <= 0) throw InvalidInput("concentration: the values sum to zero");
  c.gini = gini_sorted(v, c.total);
  const auto top = [&](double x) { return 1.0 - lorenz_at(cum, 1.0 - x); };
  c.top_1 = top(0.01);
  c.top_5 = top(0.05);
  c.top_10 = top(0.10);
  c.top_20 = top(0.20);
  c.top_50 = top(0.50);
  // Fewest best customers reaching 80%: walk down from the richest.
  const std::size_t n = v.size();
  double acc = 0;
  std::size_t k = 0;
  while (k < n && acc < 0.8 * c.total) acc += v[n - 1 - k++];
  c.customers_for_80 = static_cast<double>(k) / static_cast<double>(n);
  for (int i = 0; i < lorenz_points; ++i) {
    const double share = static_cast<double>(i) / (lorenz_points - 1);
    c.lorenz.push_back({share, lorenz_at(cum, share)});
  }
  return c;
}

}  // namespace leadscore::segment
