#pragma once
// Private helpers shared by src/scoring/*.cpp.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "leadscore/core/error.hpp"

namespace leadscore::scoring::detail {

/// The shortest text that reads back as `v`.
inline std::string format_number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// Quantile q of sorted values, interpolated linearly (numpy's default).
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

/// Quantile q of unsorted values, by selection (O(n)); reorders `v`.
inline double quantile_select(std::vector<double>& v, double q) {
  if (v.empty()) return std::nan("");
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (lo + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return a + (pos - static_cast<double>(lo)) * (b - a);
}

/// The same q-quantile as quantile_select over the non-NaN values of x
/// (`count` of them), without copying x: pivots around the wanted rank are
/// taken from a fixed, evenly spaced sample; one pass counts the values below
/// and between them, a second keeps those between, and the selection runs on
/// those. Falls back to a full copy when the sample's bracket misses the rank.
inline double quantile_streaming(std::span<const double> x, std::size_t count, double q) {
  auto full = [&] {
    std::vector<double> v;
    v.reserve(count);
    for (double a : x)
      if (a == a) v.push_back(a);
    return quantile_select(v, q);
  };
  if (count < (1u << 16)) return full();
  const std::size_t step = x.size() / 8192;
  std::vector<double> sample;
  for (std::size_t i = 0; i < x.size(); i += step)
    if (x[i] == x[i]) sample.push_back(x[i]);
  const double pos = q * static_cast<double>(count - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const double ns = static_cast<double>(sample.size());
  const double at = q * ns, margin = 4 * std::sqrt(ns) + 2;
  const double inf = std::numeric_limits<double>::infinity();
  // The sample's order statistics at at -+ margin (selection, not a sort).
  auto order_statistic = [&](double rank) {
    const auto it = sample.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(sample.begin(), it, sample.end());
    return *it;
  };
  const double low = at - margin <= 0 ? -inf : order_statistic(at - margin);
  const double high = at + margin >= ns - 1 ? inf : order_statistic(at + margin);
  // Two branch-free passes (the second mostly from cache): count, then keep
  // the values in [low, high]. NaN fails every test.
  std::size_t below = 0, upto = 0;
  for (const double a : x) {
    below += a < low ? 1 : 0;
    upto += a <= high ? 1 : 0;
  }
  const std::size_t last = std::min(lo + 1, count - 1);
  if (below > lo || upto <= last) return full();
  std::vector<double> mid(upto - below + 1);
  std::size_t kept = 0;
  for (const double a : x) {
    mid[kept] = a;
    kept += (a >= low) & (a <= high) ? 1 : 0;
  }
  mid.resize(kept);
  const auto k = static_cast<std::ptrdiff_t>(lo - below);
  std::nth_element(mid.begin(), mid.begin() + k, mid.end());
  const double a = mid[static_cast<std::size_t>(k)];
  if (lo + 1 >= count) return a;
  const double b = *std::min_element(mid.begin() + k + 1, mid.end());
  return a + (pos - static_cast<double>(lo)) * (b - a);
}

/// Interior bucket edges at the 1/b, ..., (b-1)/b quantiles: unique, and
/// above the minimum so that no bucket is empty on the training data.
inline std::vector<double> bucket_edges(std::vector<double> values, int buckets) {
  std::sort(values.begin(), values.end());
  std::vector<double> edges;
  if (values.empty()) return edges;
  for (int k = 1; k < buckets; ++k) {
    const double e = quantile_sorted(values, static_cast<double>(k) / buckets);
    if (e > values.front() && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  return edges;
}

inline std::size_t bucket_of(const std::vector<double>& edges, double x) {
  return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
}

/// "x < 3", "x in [3, 5)", "x >= 9".
inline std::string bucket_name(const std::string& column, const std::vector<double>& edges,
                               std::size_t b) {
  if (edges.empty()) return column + " (any)";
  if (b == 0) return column + " < " + format_number(edges.front());
  if (b == edges.size()) return column + " >= " + format_number(edges.back());
  return column + " in [" + format_number(edges[b - 1]) + ", " + format_number(edges[b]) + ")";
}

/// Checks 0/1 targets and sizes; `who` names the function.
inline void check_targets(std::span<const double> y, std::size_t rows, const char* who) {
  if (y.size() != rows)
    throw InvalidInput(std::string(who) + ": " + std::to_string(y.size()) + " targets for " +
                       std::to_string(rows) + " rows");
  bool pos = false, neg = false;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 1.0)
      pos = true;
    else if (y[i] == 0.0)
      neg = true;
    else
      throw InvalidInput(std::string(who) + ": target of row " + std::to_string(i + 1) + " is " +
                         format_number(y[i]) + ", not 0 or 1");
  }
  if (!pos || !neg) throw InvalidInput(std::string(who) + ": the targets hold one class only");
}

}  // namespace leadscore::scoring::detail
