#pragma once
// Input views for the BTYD models, their validation, and the internal
// de-duplicated (weighted) form the likelihoods are evaluated on.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "leadscore/core/error.hpp"

namespace leadscore::churn {

/// Per-customer RFM summary in continuous time (frequency = repeat purchases,
/// recency = time of last purchase since the first, T = age; one time unit,
/// e.g. weeks). Non-owning: the spans must outlive the call.
struct SummaryView {
  std::span<const double> frequency;
  std::span<const double> recency;
  std::span<const double> T;
  std::span<const double> weight;  ///< empty: every row counts once
  std::span<const std::string> id; ///< empty: errors name the 0-based row
};

/// Discrete-time summary for BG/BB: frequency = repeat transactions,
/// recency = last opportunity with a transaction (0 if none),
/// n_periods = opportunities observed.
struct DiscreteView {
  std::span<const double> frequency;
  std::span<const double> recency;
  std::span<const double> n_periods;
  std::span<const double> weight;
  std::span<const std::string> id;
};

namespace detail {

inline std::string row_name(std::span<const std::string> id, std::size_t i) {
  if (!id.empty() && i < id.size()) return "customer '" + id[i] + "'";
  return "row " + std::to_string(i);
}

[[noreturn]] inline void bad_row(const char* where, std::span<const std::string> id, std::size_t i,
                                 const std::string& what) {
  throw InvalidInput(std::string(where) + ": " + row_name(id, i) + ": " + what);
}

inline void check_sizes(const char* where, std::size_t n, std::size_t m, const char* name) {
  if (m != n)
    throw InvalidInput(std::string(where) + ": " + name + " has " + std::to_string(m) +
                       " rows, expected " + std::to_string(n));
}

inline bool is_count(double x) { return std::isfinite(x) && x >= 0.0 && x == std::floor(x); }

}  // namespace detail

/// Throws InvalidInput (naming the customer) unless every row is a valid
/// continuous-time summary: finite, frequency a non-negative integer,
/// 0 <= recency <= T, recency == 0 when frequency == 0; weights finite >= 0.
inline void validate(const char* where, std::span<const double> x, std::span<const double> tx,
                     std::span<const double> T, std::span<const double> w = {},
                     std::span<const std::string> id = {}) {
  const std::size_t n = x.size();
  detail::check_sizes(where, n, tx.size(), "recency");
  detail::check_sizes(where, n, T.size(), "T");
  if (!w.empty()) detail::check_sizes(where, n, w.size(), "weight");
  if (!id.empty()) detail::check_sizes(where, n, id.size(), "id");
  // Fast pass without early exits (batch predictions validate every call);
  // the row-by-row pass below only runs to name the first bad row.
  // Branch-free comparisons counted in a double, so the loop vectorises: x
  // is an integer in [0, 2^53] when rounding it to an integer
  // ((x + 2^52) - 2^52, exact below 2^52) gives x back, or x >= 2^52 (where
  // every double is an integer); NaN fails every comparison.
  constexpr double two52 = 4503599627370496.0;
  double good = 0.0;  // exact: a count below 2^53
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = x[i], ti = tx[i], Ti = T[i];
    const bool row_ok = (xi >= 0.0) & (xi <= 2.0 * two52) & (((xi + two52) - two52 == xi) | (xi >= two52)) &
                        (ti >= 0.0) & (ti <= Ti) & (Ti <= std::numeric_limits<double>::max()) &
                        ((xi > 0.0) | (ti == 0.0));
    good += row_ok ? 1.0 : 0.0;
  }
  bool ok = good == static_cast<double>(n);
  if (!w.empty())
    for (std::size_t i = 0; i < n; ++i) ok &= (w[i] >= 0.0) & (w[i] <= std::numeric_limits<double>::max());
  if (ok) return;
  for (std::size_t i = 0; i < n; ++i) {
    if (!detail::is_count(x[i]))
      detail::bad_row(where, id, i,
                      "frequency must be a non-negative integer, got " + std::to_string(x[i]));
    if (!std::isfinite(tx[i]) || tx[i] < 0.0)
      detail::bad_row(where, id, i, "recency must be finite and >= 0, got " + std::to_string(tx[i]));
    if (!std::isfinite(T[i]) || T[i] < 0.0)
      detail::bad_row(where, id, i, "T must be finite and >= 0, got " + std::to_string(T[i]));
    if (tx[i] > T[i])
      detail::bad_row(where, id, i,
                      "recency " + std::to_string(tx[i]) + " > T " + std::to_string(T[i]));
    if (x[i] == 0.0 && tx[i] != 0.0)
      detail::bad_row(where, id, i, "recency must be 0 when frequency is 0");
    if (!w.empty() && (!std::isfinite(w[i]) || w[i] < 0.0))
      detail::bad_row(where, id, i, "weight must be finite and >= 0");
  }
}

inline void validate(const char* where, const SummaryView& v) {
  validate(where, v.frequency, v.recency, v.T, v.weight, v.id);
}

/// Discrete-time (BG/BB) validation: integers, 0 <= frequency <= recency <=
/// n_periods, recency == 0 iff frequency == 0.
inline void validate(const char* where, const DiscreteView& v) {
  const std::size_t n = v.frequency.size();
  detail::check_sizes(where, n, v.recency.size(), "recency");
  detail::check_sizes(where, n, v.n_periods.size(), "n_periods");
  if (!v.weight.empty()) detail::check_sizes(where, n, v.weight.size(), "weight");
  if (!v.id.empty()) detail::check_sizes(where, n, v.id.size(), "id");
  for (std::size_t i = 0; i < n; ++i) {
    const double x = v.frequency[i], tx = v.recency[i], np = v.n_periods[i];
    if (!detail::is_count(x) || !detail::is_count(tx) || !detail::is_count(np))
      detail::bad_row(where, v.id, i, "frequency, recency and n_periods must be non-negative integers");
    if (x > tx || tx > np)
      detail::bad_row(where, v.id, i, "need frequency <= recency <= n_periods");
    if ((x == 0.0) != (tx == 0.0))
      detail::bad_row(where, v.id, i, "recency must be 0 exactly when frequency is 0");
    if (!v.weight.empty() && (!std::isfinite(v.weight[i]) || v.weight[i] < 0.0))
      detail::bad_row(where, v.id, i, "weight must be finite and >= 0");
  }
}

/// De-duplicated, weighted rows sorted by (x, t_x, T): identical summaries
/// are evaluated once. `group` holds the start index of each distinct x (plus
/// a final end marker) so x-only terms (lgamma(r + x), ...) are computed once
/// per distinct frequency.
struct Compact {
  std::vector<double> x, tx, T, w;
  std::vector<std::size_t> group;
  /// The distinct values of t_x and T (in order of first appearance), and
  /// each row's positions in it: terms of one time (log(alpha + t), ...) can
  /// be computed once per distinct time (summaries on a day or week grid
  /// have a few hundred).
  std::vector<double> times;
  std::vector<std::uint32_t> tx_id, T_id;
  double total_weight = 0.0;
  std::size_t size() const { return x.size(); }
};

namespace detail {
inline std::uint64_t bits_of(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
inline std::uint64_t mix(std::uint64_t h) {  // a splitmix64 finaliser
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}
/// One distinct summary row and its summed weight (weight 0: an empty slot
/// of compact's table).
struct CompactRow {
  double x, tx, T, w;
};
inline std::uint64_t row_hash(double a, double b, double c) {
  return mix(bits_of(a) * 0x9E3779B97F4A7C15ULL + bits_of(b) * 0xC2B2AE3D27D4EB4FULL + bits_of(c));
}
}  // namespace detail

inline Compact compact(std::span<const double> x, std::span<const double> tx,
                       std::span<const double> T, std::span<const double> w) {
  const std::size_t n = x.size();
  // Merge identical rows in one hashing pass first, then sort only the
  // distinct rows: summaries repeat heavily (1M customers of daily data have
  // about 100k distinct rows), and sorting all n rows dominated large fits.
  // The key lives in its slot (one cache line per probe) and the slots of a
  // block of rows are prefetched before any is probed, so the misses
  // overlap instead of costing one round trip per row. The table grows with
  // the distinct keys, not the rows. Adding 0.0 folds -0.0 into 0.0, as ==
  // does.
  using detail::CompactRow;
  constexpr std::uint32_t empty_id = 0xFFFFFFFFu;
  std::vector<CompactRow> table(1024, CompactRow{0.0, 0.0, 0.0, 0.0});
  std::size_t mask = table.size() - 1, used = 0;
  double total_weight = 0.0;
  // rows go in blocks: hash the block and prefetch its slots, then insert
  constexpr std::size_t block = 32;
  std::uint64_t hash[block];
  for (std::size_t i0 = 0; i0 < n; i0 += block) {
    const std::size_t m = std::min(block, n - i0);
    for (std::size_t j = 0; j < m; ++j) {
      hash[j] = detail::row_hash(x[i0 + j] + 0.0, tx[i0 + j] + 0.0, T[i0 + j] + 0.0);
      __builtin_prefetch(&table[hash[j] & mask]);
    }
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = i0 + j;
      const double wi = w.empty() ? 1.0 : w[i];
      if (wi == 0.0) continue;
      total_weight += wi;
      const double a = x[i] + 0.0, b = tx[i] + 0.0, c = T[i] + 0.0;
      for (std::size_t p = hash[j] & mask;; p = (p + 1) & mask) {
        CompactRow& slot = table[p];
        if (slot.w == 0.0) {
          slot = CompactRow{a, b, c, wi};
          ++used;
          break;
        }
        if (slot.x == a && slot.tx == b && slot.T == c) {
          slot.w += wi;
          break;
        }
      }
      if (2 * used > table.size()) {  // keep the load under one half
        std::vector<CompactRow> old(2 * table.size(), CompactRow{0.0, 0.0, 0.0, 0.0});
        old.swap(table);
        mask = table.size() - 1;
        for (const CompactRow& r : old) {
          if (r.w == 0.0) continue;
          std::size_t p = detail::row_hash(r.x, r.tx, r.T) & mask;
          while (table[p].w != 0.0) p = (p + 1) & mask;
          table[p] = r;
        }
      }
    }
  }
  std::vector<CompactRow> rows;
  rows.reserve(used);
  for (const CompactRow& r : table)
    if (r.w != 0.0) rows.push_back(r);
  std::sort(rows.begin(), rows.end(), [](const CompactRow& p, const CompactRow& q) {
    if (p.x != q.x) return p.x < q.x;
    if (p.tx != q.tx) return p.tx < q.tx;
    return p.T < q.T;
  });
  Compact c;
  c.total_weight = total_weight;
  c.x.reserve(rows.size()), c.tx.reserve(rows.size()), c.T.reserve(rows.size()), c.w.reserve(rows.size());
  for (const CompactRow& r : rows) {
    if (c.x.empty() || c.x.back() != r.x) c.group.push_back(c.x.size());
    c.x.push_back(r.x);
    c.tx.push_back(r.tx);
    c.T.push_back(r.T);
    c.w.push_back(r.w);
  }
  c.group.push_back(c.x.size());
  // index the times (a small open-addressing table: times repeat heavily)
  std::vector<std::uint32_t> slots(64, empty_id);
  std::size_t tmask = slots.size() - 1;
  auto id_of = [&](double t) {
    for (std::size_t p = detail::mix(detail::bits_of(t)) & tmask;; p = (p + 1) & tmask) {
      if (slots[p] == empty_id) {
        slots[p] = static_cast<std::uint32_t>(c.times.size());
        c.times.push_back(t);
        if (2 * c.times.size() > slots.size()) {
          slots.assign(2 * slots.size(), empty_id);
          tmask = slots.size() - 1;
          for (std::uint32_t k = 0; k < c.times.size(); ++k) {
            std::size_t q = detail::mix(detail::bits_of(c.times[k])) & tmask;
            while (slots[q] != empty_id) q = (q + 1) & tmask;
            slots[q] = k;
          }
        }
        return static_cast<std::uint32_t>(c.times.size() - 1);
      }
      if (c.times[slots[p]] == t) return slots[p];
    }
  };
  c.tx_id.resize(c.size());
  c.T_id.resize(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    c.tx_id[i] = id_of(c.tx[i]);
    c.T_id[i] = id_of(c.T[i]);
  }
  return c;
}

inline Compact compact(const SummaryView& v) { return compact(v.frequency, v.recency, v.T, v.weight); }
inline Compact compact(const DiscreteView& v) {
  return compact(v.frequency, v.recency, v.n_periods, v.weight);
}

/// One-row check used by the single-customer conveniences (cheap next to
/// the transcendental functions they call).
inline void check_row(const char* where, double x, double tx, double T) {
  if (!(detail::is_count(x) && std::isfinite(tx) && std::isfinite(T) && tx >= 0.0 && tx <= T &&
        (x > 0.0 || tx == 0.0)))
    throw InvalidInput(std::string(where) + ": invalid summary (frequency " + std::to_string(x) + ", recency " +
                       std::to_string(tx) + ", T " + std::to_string(T) + ")");
}

/// Prediction horizon check.
inline void check_horizon(const char* where, double t) {
  if (!(t >= 0.0) || !std::isfinite(t)) throw InvalidInput(std::string(where) + ": horizon must be finite and >= 0");
}

/// Output-span size check shared by the batch prediction methods.
inline void check_out(const char* where, std::size_t n, std::size_t out) {
  detail::check_sizes(where, n, out, "output");
}

}  // namespace leadscore::churn
