// Funnel analytics; see leadscore/segment/funnel.hpp.
#include "leadscore/segment/funnel.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {
namespace {

constexpr std::size_t kFunnel = 7;  // lead .. advocate
constexpr std::size_t kAll = 9;

// The funnel position a stage implies: at_risk / churned were customers.
std::size_t funnel_position(LifecycleStage s) {
  return is_funnel_stage(s) ? static_cast<std::size_t>(s) : static_cast<std::size_t>(LifecycleStage::customer);
}

double median(std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

}  // namespace

FunnelReport funnel(std::span<const std::int64_t> record, std::size_t n_records,
                    std::span<const LifecycleStage> stage, std::span<const Timestamp> time) {
  const std::size_t n = record.size();
  if (stage.size() != n || time.size() != n) throw InvalidInput("funnel: record, stage and time differ in length");
  for (std::size_t i = 0; i < n; ++i) {
    if (record[i] < 0 || static_cast<std::size_t>(record[i]) >= n_records)
      throw InvalidInput("funnel: row " + std::to_string(i) + " has an unknown record code");
    if (static_cast<std::size_t>(stage[i]) >= kAll)
      throw InvalidInput("funnel: row " + std::to_string(i) + " has an invalid stage");
  }
  // Rows by record, then time (then row order).
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return record[a] != record[b] ? record[a] < record[b] : time[a] < time[b];
  });
  FunnelReport r;
  r.records = n_records;
  r.reached.assign(kFunnel, 0);
  r.current.assign(kAll, 0);
  std::vector<std::vector<double>> days(kFunnel);
  std::vector<bool> seen(n_records, false);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    const auto rec = record[order[i]];
    while (j < n && record[order[j]] == rec) ++j;
    seen[static_cast<std::size_t>(rec)] = true;
    // First entry time into each funnel position.
    std::vector<Timestamp> entered(kFunnel, std::numeric_limits<Timestamp>::max());
    std::size_t furthest = 0;
    for (std::size_t q = i; q < j; ++q) {
      const std::size_t p = funnel_position(stage[order[q]]);
      entered[p] = std::min(entered[p], time[order[q]]);
      furthest = std::max(furthest, p);
    }
    for (std::size_t k = 0; k <= furthest; ++k) ++r.reached[k];
    ++r.current[static_cast<std::size_t>(stage[order[j - 1]])];
    for (std::size_t k = 0; k < kFunnel; ++k) {
      if (entered[k] == std::numeric_limits<Timestamp>::max()) continue;
      Timestamp next = std::numeric_limits<Timestamp>::max();
      for (std::size_t q = i; q < j; ++q)
        if (funnel_position(stage[order[q]]) > k && time[order[q]] >= entered[k]) next = std::min(next, time[order[q]]);
      if (next != std::numeric_limits<Timestamp>::max())
        days[k].push_back(static_cast<double>(next - entered[k]) / static_cast<double>(seconds_per_day));
    }
    i = j;
  }
  for (std::size_t c = 0; c < n_records; ++c)
    if (!seen[c]) throw InvalidInput("funnel: record " + std::to_string(c) + " has no stage change");
  for (std::size_t k = 0; k + 1 < kFunnel; ++k)
    r.conversion.push_back(r.reached[k] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                             : static_cast<double>(r.reached[k + 1]) / static_cast<double>(r.reached[k]));
  for (std::size_t k = 0; k < kFunnel; ++k) {
    r.moved_on.push_back(days[k].size());
    r.median_days.push_back(median(days[k]));
  }
  return r;
}

}  // namespace leadscore::segment
