// RFM values, breaks and scores; see leadscore/segment/rfm.hpp.
#include "leadscore/segment/rfm.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <thread>

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::segment {

namespace {

InvalidInput purchase_after_as_of(const std::string& customer, std::int64_t t, std::int64_t ticks_per_day,
                                  Day as_of) {
  return InvalidInput("rfm_values: customer '" + customer + "' has a purchase on " +
                      format_day(static_cast<Day>(floor_div(t, ticks_per_day))) + ", after the as-of date " +
                      format_day(as_of));
}

// Recency and (for the mean) spend per purchase, from each customer's last
// tick, and purchases and total spend already in `out`. Throws for the first
// customer without a purchase or with one after as_of.
template <class Name>
void finish(RfmValues& out, std::span<const std::int64_t> last, std::int64_t ticks_per_day,
            const RfmValuesConfig& config, Name&& name) {
  const std::size_t n = last.size();
  const std::int64_t end = (static_cast<std::int64_t>(config.as_of) + 1) * ticks_per_day;  // first tick after as_of
  out.recency.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    if (out.frequency[c] == 0)
      throw InvalidInput("rfm_values: customer '" + name(static_cast<std::int64_t>(c)) + "' has no purchase");
    if (last[c] >= end)
      throw purchase_after_as_of(name(static_cast<std::int64_t>(c)), last[c], ticks_per_day, config.as_of);
    out.recency[c] = static_cast<double>(config.as_of - floor_div(last[c], ticks_per_day));
    if (config.monetary == MonetaryMeasure::mean) out.monetary[c] /= out.frequency[c];
  }
}

// Per customer last day, count and sum; `name(c)` names a customer in errors.
template <class Code, class Name>
RfmValues aggregate(std::span<const Code> customer, std::size_t n_customers, std::span<const std::int64_t> time,
                    std::int64_t ticks_per_day, std::span<const double> amount, const RfmValuesConfig& config,
                    Name&& name) {
  const std::size_t n = customer.size();
  if (time.size() != n || amount.size() != n)
    throw InvalidInput("rfm_values: customer, time and amount differ in length");
  if (ticks_per_day <= 0) throw InvalidInput("rfm_values: ticks_per_day must be positive");
  std::vector<std::int64_t> last(n_customers, std::numeric_limits<std::int64_t>::min());
  RfmValues out;
  out.frequency.assign(n_customers, 0.0);
  out.monetary.assign(n_customers, 0.0);
  // First tick after the as-of day.
  const std::int64_t end = (static_cast<std::int64_t>(config.as_of) + 1) * ticks_per_day;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::int64_t>(customer[i]);
    if (c < 0 || static_cast<std::size_t>(c) >= n_customers)
      throw InvalidInput("rfm_values: row " + std::to_string(i) + " has customer code " + std::to_string(c) +
                         " outside 0.." + std::to_string(n_customers));
    const std::int64_t t = time[i];
    if (!std::isfinite(amount[i]) || amount[i] < 0)
      throw InvalidInput("rfm_values: customer '" + name(c) + "' has a negative or non-finite amount at row " +
                         std::to_string(i));
    if (t >= end) throw purchase_after_as_of(name(c), t, ticks_per_day, config.as_of);
    auto& l = last[static_cast<std::size_t>(c)];
    l = std::max(l, t);
    out.frequency[static_cast<std::size_t>(c)] += 1.0;
    out.monetary[static_cast<std::size_t>(c)] += amount[i];
  }
  finish(out, last, ticks_per_day, config, name);
  return out;
}

}  // namespace

RfmValues rfm_values(const TransactionBatch& tx, const RfmValuesConfig& config) {
  const std::size_t n = tx.size();
  if (tx.time.size() != n || tx.amount.size() != n) throw InvalidInput("rfm_values: columns differ in length");
  RfmValues out = aggregate(std::span<const std::uint32_t>(tx.customer), tx.n_customers(), tx.time, seconds_per_day,
                            tx.amount, config, [&](std::int64_t c) { return tx.ids.name(static_cast<std::uint32_t>(c)); });
  out.id = tx.ids.names();
  return out;
}

RfmValues rfm_values(std::span<const std::int64_t> customer, std::size_t n_customers,
                     std::span<const std::int64_t> time, std::int64_t ticks_per_day, std::span<const double> amount,
                     const RfmValuesConfig& config) {
  return aggregate(customer, n_customers, time, ticks_per_day, amount, config,
                   [](std::int64_t c) { return "#" + std::to_string(c); });
}

RfmValues rfm_values(std::span<const std::uint32_t> customer, std::span<const std::string_view> names,
                     std::span<const Timestamp> time, std::span<const double> amount, const RfmValuesConfig& config) {
  return aggregate(customer, names.size(), time, seconds_per_day, amount, config,
                   [&](std::int64_t c) { return std::string(names[static_cast<std::size_t>(c)]); });
}

RfmValues rfm_values(const CustomerTotals& totals, std::int64_t ticks_per_day, const RfmValuesConfig& config) {
  const std::size_t n = totals.last.size();
  if (totals.count.size() != n || totals.spend.size() != n || (!totals.ids.empty() && totals.ids.size() != n))
    throw InvalidInput("rfm_values: totals' columns differ in length");
  if (ticks_per_day <= 0) throw InvalidInput("rfm_values: ticks_per_day must be positive");
  const auto name = [&](std::int64_t c) {
    const auto k = static_cast<std::size_t>(c);
    return totals.ids.empty() ? "#" + std::to_string(c) : std::string(totals.ids[k]);
  };
  RfmValues out;
  out.frequency.resize(n);
  for (std::size_t c = 0; c < n; ++c) out.frequency[c] = static_cast<double>(totals.count[c]);  // as aggregate()
  out.monetary = totals.spend;
  finish(out, totals.last, ticks_per_day, config, name);
  return out;
}

double quantile_type7(std::span<const double> sorted, double p) {
  if (sorted.empty()) throw InvalidInput("quantile_type7: no values");
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

namespace {

constexpr const char* dim_name[3] = {"recency", "frequency", "monetary"};

// f(0), f(1) and f(2), on two threads when there are enough customers to pay
// for the second; rethrows the first exception.
template <class F>
void each_dimension(std::size_t n, F&& f) {
  leadscore::detail::parallel_for(3, n < 100'000 ? 1 : 2,
                                  [&](std::size_t d) { f(static_cast<int>(d)); });
}

void check_config(const RfmConfig& c) {
  if (c.bins < 2 || c.bins > 99)
    throw InvalidInput("RfmModel: bins must be between 2 and 99, got " + std::to_string(c.bins));
  if (!std::isfinite(c.break_offset)) throw InvalidInput("RfmModel: break_offset must be finite");
}

std::span<const double> column(const RfmValues& v, int dim) {
  return dim == 0 ? v.recency : dim == 1 ? v.frequency : v.monetary;
}

void check_values(const RfmValues& v, const char* who) {
  const std::size_t n = v.recency.size();
  if (v.frequency.size() != n || v.monetary.size() != n || (!v.id.empty() && v.id.size() != n))
    throw InvalidInput(std::string(who) + ": recency, frequency, monetary and id differ in length");
  for (int d = 0; d < 3; ++d) {
    const auto col = column(v, d);
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(col[i]) || col[i] < 0)
        throw InvalidInput(std::string(who) + ": " + dim_name[d] + " of customer '" +
                           (v.id.empty() ? "#" + std::to_string(i) : v.id[i]) +
                           "' is negative or not finite");
  }
}

// Sort keys: the value, or minus it for recency (fewer days rank higher).
std::vector<double> rank_keys(std::span<const double> x, bool negate) {
  std::vector<double> keys(x.begin(), x.end());
  if (negate)
    for (double& k : keys) k = -k;
  return keys;
}

// First rank (0-based) whose score is k + 1: ceil(k * n / bins).
std::size_t first_rank_of(std::size_t k, std::size_t n, int bins) {
  return (k * n + static_cast<std::size_t>(bins) - 1) / static_cast<std::size_t>(bins);
}

// Finite doubles as unsigned integers in the same order (-0 as +0).
std::uint64_t ordered_bits(double x) noexcept {
  const auto u = std::bit_cast<std::uint64_t>(x + 0.0);
  return u >> 63 ? ~u : u | (std::uint64_t{1} << 63);
}

// The values of x at `ranks` (0-based, any order), the order statistics
// successive nth_element would find, in about two passes over x instead of
// one per rank: a histogram of the values' top 16 bits places each rank in
// a bucket, and only those buckets' values are gathered and ordered.
std::vector<double> order_statistics(std::span<const double> x, std::span<const std::size_t> ranks) {
  constexpr unsigned kBits = 16;
  const auto bucket = [](double v) { return static_cast<std::size_t>(ordered_bits(v) >> (64 - kBits)); };
  std::vector<std::uint32_t> count(std::size_t{1} << kBits, 0);
  for (double v : x) ++count[bucket(v)];
  std::vector<std::size_t> order(ranks.size());  // ranks ascending
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranks[a] < ranks[b]; });
  // Each rank's bucket, as a slot among the buckets that hold a rank, and
  // its rank within that bucket.
  std::vector<std::uint16_t> slot_of(count.size(), 0);  // slot + 1; 0: no rank in the bucket
  std::vector<std::vector<double>> members;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // by ascending rank: (slot, rank within)
  std::size_t below = 0, b = 0;
  for (std::size_t k : order) {
    while (below + count[b] <= ranks[k]) below += count[b++];
    if (slot_of[b] == 0) {
      members.emplace_back().reserve(count[b]);
      slot_of[b] = static_cast<std::uint16_t>(members.size());
    }
    where.emplace_back(slot_of[b] - 1u, ranks[k] - below);
  }
  for (double v : x)
    if (const std::uint16_t s = slot_of[bucket(v)]) members[s - 1u].push_back(v);
  std::vector<double> out(ranks.size());
  std::vector<std::size_t> from(members.size(), 0);  // ranks within a bucket ascend too
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto [s, r] = where[k];
    auto& m = members[s];
    std::nth_element(m.begin() + static_cast<std::ptrdiff_t>(from[s]), m.begin() + static_cast<std::ptrdiff_t>(r),
                     m.end());
    out[order[k]] = m[r];
    from[s] = r;
  }
  return out;
}

// The key at each rank where a score starts (ranks first_rank_of(1..bins-1)),
// ascending.
std::vector<double> rank_thresholds(const std::vector<double>& keys, int bins) {
  const std::size_t n = keys.size();
  std::vector<std::size_t> ranks;
  for (int k = 1; k < bins; ++k) ranks.push_back(std::min(first_rank_of(static_cast<std::size_t>(k), n, bins), n - 1));
  return order_statistics(keys, ranks);
}

// Score floor(rank * bins / n) + 1 of every key, ranks ascending with ties
// in position order, in O(n log bins): a key strictly between thresholds
// has one possible score; keys equal to a threshold get theirs from their
// rank L + (how many equal keys came before), L = keys below.
// `t` is rank_thresholds(keys, bins).
std::vector<std::uint8_t> rank_scores(const std::vector<double>& keys, const std::vector<double>& t, int bins) {
  const std::size_t n = keys.size();
  // How many thresholds lie below x: a branch-free count for the usual few.
  const auto below_of = [&](double x) {
    if (t.size() > 16) return static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), x) - t.begin());
    std::size_t j = 0;
    for (double v : t) j += v < x;
    return j;
  };
  // Distinct threshold values, and which one each threshold is.
  std::vector<double> tied;
  std::vector<std::size_t> tied_of;
  for (double v : t) {
    if (tied.empty() || tied.back() != v) tied.push_back(v);
    tied_of.push_back(tied.size() - 1);
  }
  std::vector<std::uint8_t> score(n);
  // below[u]: untied keys between distinct threshold values u - 1 and u
  // (then, accumulated, all keys below u); count_equal[u]: keys equal to u.
  std::vector<std::size_t> below(tied.size(), 0), seen(tied.size(), 0), count_equal(tied.size(), 0);
  constexpr std::uint8_t kTied = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = keys[i];
    const std::size_t j = below_of(x);
    if (j < t.size()) {
      if (t[j] == x) {
        score[i] = kTied;
        ++count_equal[tied_of[j]];
        continue;
      }
      ++below[tied_of[j]];
    }
    score[i] = static_cast<std::uint8_t>(j + 1);
  }
  for (std::size_t u = 1; u < tied.size(); ++u) below[u] += below[u - 1] + count_equal[u - 1];
  const auto b = static_cast<std::size_t>(bins);
  for (std::size_t i = 0; i < n; ++i) {
    if (score[i] != kTied) continue;
    const std::size_t u = tied_of[below_of(keys[i])];
    score[i] = static_cast<std::uint8_t>((below[u] + seen[u]++) * b / n + 1);
  }
  return score;
}

// Breaks of a rank model from the key where each score starts; recency keys
// are minus the days, so a break in days is the next double above (score =
// bins - #breaks <= days).
std::vector<double> rank_breaks(const std::vector<double>& thresholds, bool recency) {
  std::vector<double> b;
  for (double t : thresholds) b.push_back(recency ? std::nextafter(-t, std::numeric_limits<double>::infinity()) : t);
  std::sort(b.begin(), b.end());
  return b;
}

}  // namespace

RfmModel::RfmModel(RfmConfig config, std::vector<double> r, std::vector<double> f, std::vector<double> m)
    : config_(config), breaks_{std::move(r), std::move(f), std::move(m)} {
  check_config(config_);
  for (int d = 0; d < 3; ++d) {
    const auto& b = breaks_[d];
    if (b.size() != static_cast<std::size_t>(config_.bins - 1))
      throw InvalidInput(std::string("RfmModel: ") + dim_name[d] + " needs " + std::to_string(config_.bins - 1) +
                         " breaks, got " + std::to_string(b.size()));
    for (std::size_t i = 0; i < b.size(); ++i)
      if (!std::isfinite(b[i]) || (i > 0 && b[i] < b[i - 1]))
        throw InvalidInput(std::string("RfmModel: ") + dim_name[d] + " breaks must be finite and ascending");
  }
}

RfmModel RfmModel::fit(const RfmValues& values, const RfmConfig& config) {
  check_config(config);
  check_values(values, "RfmModel::fit");
  const std::size_t n = values.recency.size();
  if (n == 0) throw InvalidInput("RfmModel::fit: no customers");
  const int bins = config.bins;
  std::vector<double> breaks[3];
  each_dimension(n, [&](int d) {
    const auto x = column(values, d);
    auto& b = breaks[d];
    if (config.method == BinMethod::quantile) {
      // Type-7 quantiles need the order statistics at floor(h) and the one
      // after.
      std::vector<double> h;
      std::vector<std::size_t> ranks;
      for (int k = 1; k < bins; ++k) {
        h.push_back(static_cast<double>(n - 1) * k / bins);
        const auto lo = static_cast<std::size_t>(std::floor(h.back()));
        ranks.push_back(lo);
        ranks.push_back(std::min(lo + 1, n - 1));
      }
      const std::vector<double> v = order_statistics(x, ranks);
      for (std::size_t k = 0; k < h.size(); ++k) {
        const double a = v[2 * k], next = v[2 * k + 1];
        b.push_back(a + (h[k] - static_cast<double>(ranks[2 * k])) * (next - a) + config.break_offset);
      }
    } else {
      b = rank_breaks(rank_thresholds(rank_keys(x, d == 0), bins), d == 0);
    }
  });
  return RfmModel(config, std::move(breaks[0]), std::move(breaks[1]), std::move(breaks[2]));
}

int RfmModel::bin_of(int dim, double x) const noexcept {
  const auto& b = breaks_[dim];
  const auto k = static_cast<int>(std::upper_bound(b.begin(), b.end(), x) - b.begin());
  return dim == 0 ? config_.bins - k : k + 1;
}

RfmModel::Row RfmModel::score_one(double recency, double frequency, double monetary) const {
  for (double v : {recency, frequency, monetary})
    if (!std::isfinite(v) || v < 0) throw InvalidInput("RfmModel::score_one: values must be finite and >= 0");
  return {bin_of(0, recency), bin_of(1, frequency), bin_of(2, monetary)};
}

void RfmModel::score(std::span<const double> recency, std::span<const double> frequency,
                     std::span<const double> monetary, std::span<std::uint8_t> r, std::span<std::uint8_t> f,
                     std::span<std::uint8_t> m) const {
  const std::size_t n = recency.size();
  if (frequency.size() != n || monetary.size() != n || r.size() != n || f.size() != n || m.size() != n)
    throw InvalidInput("RfmModel::score: inputs and outputs differ in length");
  const std::span<const double> in[3] = {recency, frequency, monetary};
  const std::span<std::uint8_t> out[3] = {r, f, m};
  for (int d = 0; d < 3; ++d)
    for (std::size_t i = 0; i < n; ++i) {
      const double v = in[d][i];
      if (!std::isfinite(v) || v < 0)
        throw InvalidInput(std::string("RfmModel::score: ") + dim_name[d] + " of row " + std::to_string(i) +
                           " is negative or not finite");
      out[d][i] = static_cast<std::uint8_t>(bin_of(d, v));
    }
}

RfmScores RfmModel::score(const RfmValues& values) const {
  check_values(values, "RfmModel::score");
  const std::size_t n = values.recency.size();
  RfmScores s;
  s.bins = config_.bins;
  s.r.resize(n);
  s.f.resize(n);
  s.m.resize(n);
  if (config_.method == BinMethod::quantile) {
    score(values.recency, values.frequency, values.monetary, s.r, s.f, s.m);
    return s;
  }
  if (n == 0) return s;
  std::vector<std::uint8_t>* out[3] = {&s.r, &s.f, &s.m};
  each_dimension(n, [&](int d) {
    const auto keys = rank_keys(column(values, d), d == 0);
    *out[d] = rank_scores(keys, rank_thresholds(keys, config_.bins), config_.bins);
  });
  return s;
}

RfmModel::FitScore RfmModel::fit_score(const RfmValues& values, const RfmConfig& config) {
  if (config.method == BinMethod::quantile) {
    RfmModel model = fit(values, config);
    RfmScores scores = model.score(values);
    return {std::move(model), std::move(scores)};
  }
  check_config(config);
  check_values(values, "RfmModel::fit");
  const std::size_t n = values.recency.size();
  if (n == 0) throw InvalidInput("RfmModel::fit: no customers");
  std::vector<double> breaks[3];
  RfmScores s;
  s.bins = config.bins;
  std::vector<std::uint8_t>* out[3] = {&s.r, &s.f, &s.m};
  each_dimension(n, [&](int d) {
    const auto keys = rank_keys(column(values, d), d == 0);
    const auto t = rank_thresholds(keys, config.bins);
    breaks[d] = rank_breaks(t, d == 0);
    *out[d] = rank_scores(keys, t, config.bins);
  });
  return {RfmModel(config, std::move(breaks[0]), std::move(breaks[1]), std::move(breaks[2])), std::move(s)};
}

std::string RfmScores::cell(std::size_t i) const {
  if (bins <= 9) return {static_cast<char>('0' + r[i]), static_cast<char>('0' + f[i]), static_cast<char>('0' + m[i])};
  return std::to_string(r[i]) + "-" + std::to_string(f[i]) + "-" + std::to_string(m[i]);
}

}  // namespace leadscore::segment
