// Monthly acquisition cohorts; see leadscore/segment/cohorts.hpp.
#include "leadscore/segment/cohorts.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

int month_index(Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

Day month_start(int m) {
  const int year = m >= 0 ? m / 12 : -((-m + 11) / 12);
  const auto month = static_cast<unsigned>(m - year * 12 + 1);
  return *make_day(year, month, 1);
}

double CohortTable::churn(std::size_t c, std::size_t m) const {
  if (m == 0 || active.at(c).at(m - 1) == 0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - static_cast<double>(kept.at(c).at(m)) / static_cast<double>(active.at(c).at(m - 1));
}

CohortTable cohorts(std::span<const std::int64_t> customer, std::size_t n_customers, std::span<const Day> day,
                    std::optional<Day> last_day) {
  const std::size_t n = customer.size();
  if (day.size() != n) throw InvalidInput("cohorts: customer and day differ in length");
  if (n == 0) throw InvalidInput("cohorts: no transactions");
  const Day last = last_day ? *last_day : *std::max_element(day.begin(), day.end());
  // (customer, month) pairs, each once.
  std::vector<std::pair<std::int64_t, int>> pairs;
  pairs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (customer[i] < 0 || static_cast<std::size_t>(customer[i]) >= n_customers)
      throw InvalidInput("cohorts: row " + std::to_string(i) + " has an unknown customer code");
    if (day[i] > last)
      throw InvalidInput("cohorts: row " + std::to_string(i) + " is dated " + format_day(day[i]) +
                         ", after the last day " + format_day(last));
    pairs.emplace_back(customer[i], month_index(day[i]));
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  const int last_month = month_index(last);
  int first_month = std::numeric_limits<int>::max();
  for (const auto& p : pairs) first_month = std::min(first_month, p.second);
  const auto n_months = static_cast<std::size_t>(last_month - first_month + 1);
  CohortTable t;
  for (std::size_t c = 0; c < n_months; ++c) {
    t.cohort.push_back(month_start(first_month + static_cast<int>(c)));
    t.size.push_back(0);
    t.active.emplace_back(n_months - c, 0);
    t.kept.emplace_back(n_months - c, 0);
  }
  for (std::size_t i = 0; i < pairs.size();) {
    std::size_t j = i;
    while (j < pairs.size() && pairs[j].first == pairs[i].first) ++j;
    const auto c = static_cast<std::size_t>(pairs[i].second - first_month);  // months sorted: first is acquisition
    ++t.size[c];
    int previous = -2;
    for (std::size_t q = i; q < j; ++q) {
      const auto m = static_cast<std::size_t>(pairs[q].second - pairs[i].second);
      ++t.active[c][m];
      if (pairs[q].second == previous + 1) ++t.kept[c][m];
      previous = pairs[q].second;
    }
    i = j;
  }
  // Drop months with no cohort (no first purchase then).
  CohortTable out;
  for (std::size_t c = 0; c < n_months; ++c) {
    if (t.size[c] == 0) continue;
    out.cohort.push_back(t.cohort[c]);
    out.size.push_back(t.size[c]);
    out.active.push_back(std::move(t.active[c]));
    out.kept.push_back(std::move(t.kept[c]));
  }
  return out;
}

CohortTable cohorts(const TransactionBatch& tx, std::optional<Day> last_day) {
  tx.validate();
  std::vector<std::int64_t> customer(tx.customer.begin(), tx.customer.end());
  std::vector<Day> day(tx.size());
  for (std::size_t i = 0; i < tx.size(); ++i) day[i] = day_of(tx.time[i]);
  return cohorts(customer, tx.n_customers(), day, last_day);
}

}  // namespace leadscore::segment
