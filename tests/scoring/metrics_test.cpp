#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/calibration.hpp"
#include "leadscore/scoring/metrics.hpp"

using namespace leadscore;
using namespace leadscore::scoring;

TEST(ScoringMetrics, AucLogLossBrierByHand) {
  const std::vector<double> y{0, 0, 1, 1, 0, 1};
  const std::vector<double> p{0.1, 0.4, 0.35, 0.8, 0.4, 0.4};
  // Pairs (pos, neg): 0.35 beats 0.1 only (1 of 3); 0.8 beats all (3);
  // 0.4 beats 0.1 (1) and ties two 0.4s (2 x 0.5) -> 1 + 3 + 2 = 6 of 9.
  EXPECT_NEAR(roc_auc(y, p), 6.0 / 9.0, 1e-15);
  double ll = 0, br = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    ll -= y[i] ? std::log(p[i]) : std::log(1 - p[i]);
    br += (p[i] - y[i]) * (p[i] - y[i]);
  }
  EXPECT_NEAR(log_loss(y, p), ll / 6, 1e-15);
  EXPECT_NEAR(brier_score(y, p), br / 6, 1e-15);
  EXPECT_THROW((void)roc_auc(std::vector<double>{1, 1}, std::vector<double>{0.1, 0.2}),
               InvalidInput);
  EXPECT_THROW((void)log_loss(std::vector<double>{1, 0}, std::vector<double>{0.1, 1.2}),
               InvalidInput);
  EXPECT_THROW((void)brier_score(std::vector<double>{1, 0}, std::vector<double>{0.1}),
               InvalidInput);
}

TEST(ScoringMetrics, LiftGainsAndCalibrationTables) {
  std::vector<double> y, s;
  for (int i = 0; i < 100; ++i) {
    s.push_back(i / 100.0);
    y.push_back(i >= 80 ? 1.0 : 0.0);  // the top 20 scores are the positives
  }
  const auto lift = lift_table(y, s, 10);
  ASSERT_EQ(lift.size(), 10u);
  EXPECT_EQ(lift[0].count, 10u);
  EXPECT_DOUBLE_EQ(lift[0].rate, 1.0);
  EXPECT_DOUBLE_EQ(lift[0].lift, 5.0);
  EXPECT_DOUBLE_EQ(lift[1].cumulative_gain, 1.0);
  EXPECT_DOUBLE_EQ(lift[9].cumulative_lift, 1.0);
  EXPECT_DOUBLE_EQ(lift[0].max_score, 0.99);
  const auto cal = calibration_table(y, s, 10);
  ASSERT_EQ(cal.size(), 10u);
  EXPECT_EQ(cal[8].count, 10u);
  EXPECT_DOUBLE_EQ(cal[8].observed_rate, 1.0);
  EXPECT_NEAR(cal[8].mean_predicted, 0.845, 1e-12);
}

TEST(ScoringMetrics, SplitsAreSeededStratifiedAndDisjoint) {
  std::vector<double> y(1000, 0.0);
  for (int i = 0; i < 300; ++i) y[static_cast<std::size_t>(i * 3)] = 1.0;
  const Split a = train_test_split(1000, 0.25, 42, y), b = train_test_split(1000, 0.25, 42, y),
              c = train_test_split(1000, 0.25, 43, y);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  EXPECT_EQ(a.test.size(), 250u);
  double pos = 0;
  for (auto i : a.test) pos += y[i];
  EXPECT_EQ(pos, 75);
  std::set<std::size_t> all(a.train.begin(), a.train.end());
  all.insert(a.test.begin(), a.test.end());
  EXPECT_EQ(all.size(), 1000u);
  const auto folds = k_fold(1000, 5, 1, y);
  std::set<std::size_t> tested;
  for (const auto& f : folds) {
    EXPECT_EQ(f.test.size(), 200u);
    EXPECT_EQ(f.train.size(), 800u);
    tested.insert(f.test.begin(), f.test.end());
  }
  EXPECT_EQ(tested.size(), 1000u);
  EXPECT_THROW((void)train_test_split(10, 1.5, 1), InvalidInput);
  EXPECT_THROW((void)k_fold(10, 1, 1), InvalidInput);
}

TEST(ScoringCalibration, PlattRecoversASigmoidAndIsotonicIsMonotone) {
  std::vector<double> s, y;
  // Deterministic "outcomes" at rate sigmoid(2 s - 1) per score level.
  for (int level = -20; level <= 20; ++level) {
    const double score = level / 10.0, p = 1 / (1 + std::exp(-(2 * score - 1)));
    const int won = static_cast<int>(std::lround(p * 1000));
    for (int k = 0; k < 1000; ++k) {
      s.push_back(score);
      y.push_back(k < won ? 1.0 : 0.0);
    }
  }
  const auto platt = PlattCalibrator::fit(s, y);
  EXPECT_NEAR(platt.a(), 2.0, 0.01);
  EXPECT_NEAR(platt.b(), -1.0, 0.01);
  const auto iso = IsotonicCalibrator::fit(s, y);
  double last = -1;
  for (double v = -3; v <= 3; v += 0.05) {
    const double p = iso.apply(v);
    EXPECT_GE(p, last);
    last = p;
  }
  EXPECT_NEAR(iso.apply(0.5), 0.5, 0.001);
  // PAV pools violators: (0, 1), (1, 0) -> both 0.5.
  const auto pooled =
      IsotonicCalibrator::fit(std::vector<double>{1, 2, 3}, std::vector<double>{1, 0, 1});
  EXPECT_DOUBLE_EQ(pooled.apply(1), 0.5);
  EXPECT_DOUBLE_EQ(pooled.apply(3), 1.0);
  EXPECT_THROW((void)PlattCalibrator::fit(std::vector<double>{1, NAN}, std::vector<double>{0, 1}),
               InvalidInput);
  EXPECT_THROW(IsotonicCalibrator({1, 0}, {0.1, 0.2}), InvalidInput);
}
