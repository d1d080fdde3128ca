#include "leadscore/churn/check.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/pareto_nbd.hpp"
#include "test_data.hpp"

using namespace leadscore::churn;

namespace {

// Days since 1997-01-01 of a YYYYMMDD date.
int day_index(int yyyymmdd) {
  using namespace std::chrono;
  const year_month_day d{year{yyyymmdd / 10000}, month{static_cast<unsigned>(yyyymmdd / 100 % 100)},
                         day{static_cast<unsigned>(yyyymmdd % 100)}};
  return (sys_days{d} - sys_days{year{1997} / January / 1}).count();
}

// CDNOW_sample.txt: distinct purchase days per sample id (1..2357).
std::map<int, std::set<int>> purchase_days() {
  std::ifstream in(std::string(LEADSCORE_SOURCE_DIR) + "/data/cdnow/CDNOW_sample.txt");
  std::map<int, std::set<int>> days;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    int master = 0, id = 0, date = 0;
    double cds = 0, dollars = 0;
    if (ss >> master >> id >> date >> cds >> dollars) days[id].insert(day_index(date));
  }
  return days;
}

struct Cdnow {
  leadscore::test::Table t = leadscore::test::read_csv("data/cdnow/cdnow_customers_summary.csv");
  SummaryView view() const { return SummaryView{t.col("frequency"), t.col("recency"), t.col("T"), {}, t.first}; }
};

}  // namespace

TEST(Check, CalibrationHoldoutOnCdnow) {
  const Cdnow d;
  const auto m = BgNbdModel::fit(d.view());
  const auto days = purchase_days();
  const int cal_end = day_index(19970930), hold_end = day_index(19980630);
  std::vector<double> holdout;
  for (const auto& id : d.t.col("ID")) {
    int n = 0;
    for (int day : days.at(static_cast<int>(id)))
      if (day > cal_end && day <= hold_end) ++n;
    holdout.push_back(n);
  }
  const auto rep = calibration_holdout(m, d.view(), holdout, 39.0);
  EXPECT_EQ(rep.total_actual, 1882.0);  // README: holdout transactions of the 2,357
  // No published figure for this sum; BG/NBD predicts 1653.4 (the known
  // under-forecast of the 39-week holdout). Guard the value against regressions.
  EXPECT_NEAR(rep.total_predicted, 1653.4, 0.5);
  EXPECT_EQ(rep.frequency.size(), 8u);
  EXPECT_EQ(rep.n_customers[0], 2357.0 - 946.0);
  for (std::size_t k = 0; k < rep.actual.size(); ++k) EXPECT_GE(rep.predicted[k], 0.0);
  EXPECT_LT(rep.predicted[0], rep.predicted[7]);
  EXPECT_GT(rep.correlation, 0.5);
  EXPECT_GT(rep.mae, 0.0);
  EXPECT_LT(rep.mae, 1.5);
  std::printf("holdout: actual %.0f predicted %.1f MAE %.3f corr %.3f\n", rep.total_actual, rep.total_predicted,
              rep.mae, rep.correlation);
}

TEST(Check, CumulativeTrackingMatchesBtydWalkthrough) {
  // Pareto/NBD fit on the weekly summary; births in days, reported weekly
  // (lifetimes' freq='D', freq_multiplier=7).
  const Cdnow d;
  const auto m = ParetoNbdModel::fit(d.view());
  const auto days = purchase_days();
  std::vector<double> birth;
  for (const auto& [id, ds] : days) birth.push_back(*ds.begin() / 7.0);
  const auto f = expected_cumulative_transactions(m, birth, 25.0, 1.0);
  ASSERT_EQ(f.cumulative.size(), 25u);
  const double want[] = {1309, 1385, 1460, 1533, 1604, 1674};
  const double want_inc[] = {78.31, 76.42, 74.65, 72.98, 71.41, 69.93};
  for (int k = 0; k < 6; ++k) {
    EXPECT_NEAR(f.cumulative[19 + k], want[k], 1.0) << "week " << 20 + k;
    EXPECT_NEAR(f.incremental[19 + k], want_inc[k], 0.1) << "week " << 20 + k;
  }
  // actual repeat transactions, weeks 20..25 (days [0, 7k)): 1359 1414 1484 1517 1573 1672
  const double want_act[] = {1359, 1414, 1484, 1517, 1573, 1672};
  for (int k = 0; k < 6; ++k) {
    int n = 0;
    for (const auto& [id, ds] : days) {
      bool first = true;
      for (int day : ds) {
        if (!first && day < 7 * (20 + k)) ++n;
        first = false;
      }
    }
    EXPECT_EQ(n, want_act[k]);
  }
}

TEST(Check, AliveMatrixAndCohortForecast) {
  const BgNbdModel m({0.243, 4.414, 0.793, 2.426});
  const auto am = p_alive_matrix(m, 20, 39, 38.86);
  EXPECT_EQ(am.p_alive.rows(), 21);
  EXPECT_EQ(am.p_alive.cols(), 40);
  EXPECT_FALSE(am.valid(5, 39));  // recency 39 > T
  EXPECT_EQ(am.p_alive(0, 10), 1.0);
  EXPECT_NEAR(am.p_alive(2, 30), m.p_alive(2, 30, 38.86), 1e-15);
  EXPECT_GT(am.p_alive(10, 38), am.p_alive(10, 20));  // recent buyers more likely alive
  const auto em = expected_purchases_matrix(m, 10, 20, 39, 38.86);
  EXPECT_NEAR(em(2, 30), m.expected_purchases(10, 2, 30, 38.86), 1e-15);

  const Cdnow d;
  const auto f = cohort_forecast(m, d.view(), 39, 13);
  ASSERT_EQ(f.cumulative.size(), 3u);
  EXPECT_NEAR(f.cumulative[0] + f.incremental[1] + f.incremental[2], f.cumulative[2], 1e-9);
  EXPECT_THROW(cohort_forecast(m, d.view(), 39, 0), leadscore::InvalidInput);
}
