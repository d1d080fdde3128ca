#pragma once
// Retention and churn by monthly acquisition cohort, from transactions.
//
// A customer's cohort is the calendar month of their first purchase; month
// m of a cohort is the m-th calendar month after it (m = 0 is the month of
// acquisition). active(c, m) counts the cohort's customers who bought in
// that month; retention(c, m) = active(c, m) / size(c); churn(c, m), m >= 1,
// is the share of the customers active in month m - 1 who did not buy in
// month m. Months after the last month observed are not reported.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/transactions.hpp"

namespace leadscore::segment {

struct CohortTable {
  std::vector<Day> cohort;           ///< first day of each cohort month, ascending
  std::vector<std::size_t> size;     ///< customers acquired in that month
  std::vector<std::vector<std::size_t>> active;  ///< active[c][m], m = 0 .. months observed - 1
  std::vector<std::vector<std::size_t>> kept;    ///< kept[c][m]: active in m - 1 and in m (kept[c][0] = 0)

  std::size_t n_cohorts() const noexcept { return cohort.size(); }
  double retention(std::size_t c, std::size_t m) const {
    return static_cast<double>(active.at(c).at(m)) / static_cast<double>(size.at(c));
  }
  /// NaN for m = 0 or when nobody was active in month m - 1.
  double churn(std::size_t c, std::size_t m) const;
};

/// The month index (year * 12 + month - 1) of a day, and the first day of
/// a month index.
int month_index(Day day);
Day month_start(int month_index);

/// Cohorts from transactions (validated first). `last_day`, when
/// given, is the last day observed (default: the last purchase); throws
/// InvalidInput on no transactions or a purchase after it.
CohortTable cohorts(const TransactionBatch& transactions, std::optional<Day> last_day = {});
/// The same from columns: customer codes 0..n_customers-1 and days.
CohortTable cohorts(std::span<const std::int64_t> customer, std::size_t n_customers, std::span<const Day> day,
                    std::optional<Day> last_day = {});

}  // namespace leadscore::segment
