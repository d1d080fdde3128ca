#pragma once
// Transactions -> per-customer frequency, recency, T and monetary value: the
// input of every BTYD churn model and of Gamma-Gamma, defined as in the BTYD
// literature (Fader, Hardie & Lee 2005) and lifetimes'
// summary_data_from_transaction_data.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/core/transactions.hpp"

namespace leadscore {

/// Unit of recency, T and the holdout duration. Purchases are always merged
/// per calendar day first; weeks are days / 7, as the CDNOW papers use.
enum class TimeUnit : std::uint8_t { days, weeks };

constexpr std::string_view to_string(TimeUnit unit) noexcept {
  return unit == TimeUnit::days ? "days" : "weeks";
}
constexpr double days_per(TimeUnit unit) noexcept { return unit == TimeUnit::days ? 1.0 : 7.0; }

struct SummaryConfig {
  TimeUnit time_unit = TimeUnit::days;
  /// Last day (inclusive) of the calibration period. When set, frequency,
  /// recency, T and monetary value describe the calibration period only and
  /// the holdout columns describe (calibration_end, observation_end].
  std::optional<Day> calibration_end;
  /// Last day (inclusive) observed; later transactions are ignored.
  /// Default: the day of the last transaction.
  std::optional<Day> observation_end;
};

/// One row per customer whose first purchase falls on or before the end of
/// the calibration period (or of observation, without a split), in order of
/// dense customer id.
struct CustomerSummary {
  std::vector<std::uint32_t> customer;  ///< dense id of each row
  /// Repeat purchase days: distinct purchase days minus one.
  std::vector<double> frequency;
  /// From the first to the last purchase day, in time_unit.
  std::vector<double> recency;
  /// From the first purchase day to the end of the (calibration) period.
  std::vector<double> T;
  /// Mean spend per repeat purchase day (the first day excluded); 0 when
  /// frequency is 0.
  std::vector<double> monetary_value;
  /// Only with a calibration split: purchase days in the holdout period and
  /// mean spend per such day (0 when none).
  std::vector<double> frequency_holdout;
  std::vector<double> monetary_value_holdout;
  double duration_holdout = 0;  ///< length of the holdout period, in time_unit
  TimeUnit time_unit = TimeUnit::days;
  Day period_end = 0;   ///< calibration end, or observation end without a split
  Day observation_end = 0;

  std::size_t size() const noexcept { return customer.size(); }
  bool has_holdout() const noexcept { return !frequency_holdout.empty() || duration_holdout > 0; }
};

namespace detail {

struct DatedSpend {
  Day day;
  double amount;
};

/// Summaries from columns; `customer_name(i)` names dense id i in errors.
template <class CustomerIndex, class NameOf>
CustomerSummary summarize_columns(std::span<const CustomerIndex> customer, std::size_t n_customers,
                                  std::span<const std::int64_t> time, std::int64_t ticks_per_day,
                                  std::span<const double> amount, const SummaryConfig& config,
                                  NameOf customer_name) {
  const std::size_t n = customer.size();
  if (time.size() != n || amount.size() != n)
    throw InvalidInput("summarize(): customer, time and amount differ in length (" +
                       std::to_string(n) + ", " + std::to_string(time.size()) + ", " +
                       std::to_string(amount.size()) + ")");
  if (ticks_per_day <= 0) throw InvalidInput("summarize(): ticks_per_day must be positive");
  if (config.calibration_end && config.observation_end &&
      *config.calibration_end > *config.observation_end)
    throw InvalidInput("summarize(): calibration end " + format_day(*config.calibration_end) +
                       " is after observation end " + format_day(*config.observation_end));

  // Pass 1: validate, count rows per customer, find the last day.
  std::vector<std::uint32_t> offset(n_customers + 1, 0);
  Day last_day = std::numeric_limits<Day>::min();
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = customer[i];
    bool out_of_range = static_cast<std::size_t>(c) >= n_customers;
    if constexpr (std::is_signed_v<CustomerIndex>) out_of_range = out_of_range || c < 0;
    if (out_of_range)
      throw InvalidInput("summarize(): row " + std::to_string(i) + " has customer index " +
                         std::to_string(c) + " outside [0, " + std::to_string(n_customers) + ")");
    if (!(amount[i] >= 0) || !std::isfinite(amount[i]))
      throw InvalidInput("summarize(): customer '" + customer_name(static_cast<std::size_t>(c)) +
                         "' has an invalid amount " + std::to_string(amount[i]) + " at row " +
                         std::to_string(i));
    ++offset[static_cast<std::size_t>(c) + 1];
    last_day = std::max(last_day, static_cast<Day>(floor_div(time[i], ticks_per_day)));
  }
  const Day observation_end = config.observation_end.value_or(n == 0 ? 0 : last_day);
  const Day period_end = config.calibration_end.value_or(observation_end);
  const bool split = config.calibration_end.has_value();

  // Pass 2: counting sort of (day, amount) by customer; rows after the
  // observation end are dropped here.
  for (std::size_t c = 0; c < n_customers; ++c) offset[c + 1] += offset[c];
  std::vector<std::uint32_t> fill(offset.begin(), offset.end() - 1);
  std::vector<DatedSpend> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto day = static_cast<Day>(floor_div(time[i], ticks_per_day));
    rows[fill[static_cast<std::size_t>(customer[i])]++] = {day, amount[i]};
  }

  const double unit = days_per(config.time_unit);
  CustomerSummary out;
  out.time_unit = config.time_unit;
  out.period_end = period_end;
  out.observation_end = observation_end;
  if (split) out.duration_holdout = (observation_end - period_end) / unit;
  const auto reserve = [&](std::vector<double>& v) { v.reserve(n_customers); };
  out.customer.reserve(n_customers);
  reserve(out.frequency), reserve(out.recency), reserve(out.T), reserve(out.monetary_value);
  if (split) reserve(out.frequency_holdout), reserve(out.monetary_value_holdout);

  // Pass 3: one walk over each customer's purchases in day order.
  for (std::size_t c = 0; c < n_customers; ++c) {
    DatedSpend* begin = rows.data() + offset[c];
    DatedSpend* end = rows.data() + offset[c + 1];
    if (begin == end) continue;
    const auto by_day = [](const DatedSpend& a, const DatedSpend& b) { return a.day < b.day; };
    if (!std::is_sorted(begin, end, by_day)) std::stable_sort(begin, end, by_day);
    const Day first = begin->day;
    if (first > period_end) continue;  // not yet a customer in this period

    double repeat_spend = 0, holdout_spend = 0;
    std::int64_t repeat_days = 0, holdout_days = 0;
    Day last = first, previous = first;
    for (const DatedSpend* r = begin; r != end && r->day <= observation_end; ++r) {
      const bool new_day = r->day != previous;
      previous = r->day;
      if (r->day <= period_end) {
        if (r->day != first) {  // the first day's purchases are not repeats
          repeat_days += new_day;
          repeat_spend += r->amount;
          last = r->day;
        }
      } else {
        holdout_days += new_day;
        holdout_spend += r->amount;
      }
    }
    out.customer.push_back(static_cast<std::uint32_t>(c));
    out.frequency.push_back(static_cast<double>(repeat_days));
    out.recency.push_back((last - first) / unit);
    out.T.push_back((period_end - first) / unit);
    out.monetary_value.push_back(repeat_days > 0 ? repeat_spend / static_cast<double>(repeat_days)
                                                 : 0.0);
    if (split) {
      out.frequency_holdout.push_back(static_cast<double>(holdout_days));
      out.monetary_value_holdout.push_back(
          holdout_days > 0 ? holdout_spend / static_cast<double>(holdout_days) : 0.0);
    }
  }
  return out;
}

}  // namespace detail

/// Summaries of a transaction batch.
inline CustomerSummary summarize(const TransactionBatch& tx, const SummaryConfig& config = {}) {
  return detail::summarize_columns(std::span<const std::uint32_t>(tx.customer), tx.n_customers(),
                                   std::span<const std::int64_t>(tx.time), seconds_per_day,
                                   std::span<const double>(tx.amount), config,
                                   [&](std::size_t c) { return tx.ids.name(static_cast<std::uint32_t>(c)); });
}

/// Summaries from raw columns without copying them: customer[i] is a dense
/// index in [0, n_customers), time[i] counts ticks since 1970-01-01 with
/// `ticks_per_day` ticks a day (86400 for seconds, 86400e9 for numpy
/// datetime64[ns]).
inline CustomerSummary summarize(std::span<const std::int64_t> customer, std::size_t n_customers,
                                 std::span<const std::int64_t> time, std::int64_t ticks_per_day,
                                 std::span<const double> amount, const SummaryConfig& config = {}) {
  return detail::summarize_columns(customer, n_customers, time, ticks_per_day, amount, config,
                                   [](std::size_t c) { return "#" + std::to_string(c); });
}

}  // namespace leadscore
