#include "leadscore/churn/mbg_nbd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_data.hpp"

using namespace leadscore::churn;

namespace {
double round_to(double v, int dp) { return std::round(v * std::pow(10.0, dp)) / std::pow(10.0, dp); }
struct Cdnow {
  leadscore::test::Table t = leadscore::test::read_csv("data/cdnow/cdnow_customers_summary.csv");
  SummaryView view() const { return SummaryView{t.col("frequency"), t.col("recency"), t.col("T"), {}, t.first}; }
};
const MbgNbdModel& cdnow_fit() {
  static const Cdnow d;
  static const MbgNbdModel m = MbgNbdModel::fit(d.view());
  return m;
}
}  // namespace

TEST(MbgNbd, ReproducesBtydplusOnCdnow) {
  const auto& m = cdnow_fit();
  const auto& p = m.params();
  const auto& fi = m.fit_info();
  std::printf("MBG/NBD fit: r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f iters=%d %.4fs\n", p.r, p.alpha, p.a, p.b,
              fi.log_likelihood, fi.iterations, fi.seconds);
  EXPECT_EQ(round_to(p.r, 3), 0.525);
  EXPECT_EQ(round_to(p.alpha, 3), 6.183);
  EXPECT_EQ(round_to(p.a, 3), 0.891);
  EXPECT_EQ(round_to(p.b, 3), 1.614);
  EXPECT_EQ(round_to(fi.log_likelihood, 2), -9582.13);
}

TEST(MbgNbd, PmfSumsToOneAndMatchesExpectation) {
  const auto& m = cdnow_fit();
  for (double t : {1.0, 10.0, 39.0}) {
    double total = 0, mean = 0;
    for (int n = 0; n < 2000; ++n) {
      const double p = m.probability_of_n_purchases(t, n);
      total += p;
      mean += n * p;
    }
    EXPECT_NEAR(total, 1.0, 1e-9);
    EXPECT_NEAR(mean, m.expected_purchases_new(t), 1e-6) << t;
  }
}

TEST(MbgNbd, ConditionalExpectationConsistentWithNewCustomer) {
  // at x = 0, t_x = 0, T = 0 the conditional expectation is E[X(t)]
  const auto& m = cdnow_fit();
  EXPECT_NEAR(m.expected_purchases(20, 0, 0, 0), m.expected_purchases_new(20), 1e-12);
  EXPECT_LT(m.p_alive(0, 0, 30), 1.0);  // zero-repeat customers can be inactive in MBG/NBD
  const MbgNbdModel one({0.5, 6, 1.0, 1.6}), near({0.5, 6, 1.0 + 1e-4, 1.6});
  EXPECT_NEAR(one.expected_purchases(30, 3, 20, 35), near.expected_purchases(30, 3, 20, 35), 1e-3);
}

TEST(MbgNbd, ExtremeInputsStayFinite) {
  const auto& m = cdnow_fit();
  for (double x : {0.0, 1.0, 1000.0})
    for (double T : {1.0, 10000.0}) {
      const double tx = x > 0 ? T / 2 : 0;
      EXPECT_TRUE(std::isfinite(m.log_likelihood(x, tx, T)));
      EXPECT_TRUE(std::isfinite(m.expected_purchases(52, x, tx, T)));
      const double pa = m.p_alive(x, tx, T);
      EXPECT_TRUE(pa >= 0 && pa <= 1);
    }
}

#include "leadscore/churn/simulate.hpp"
#include "recovery.hpp"

TEST(MbgNbd, RecoversSimulatedParameters) {
  const MbgNbdParams truth{0.525, 6.18, 0.89, 1.61};
  const auto T = leadscore::test::cohort_ages();
  const auto sim = simulate(truth, T, 44, 1.0 / 7);
  const auto m = MbgNbdModel::fit(sim.view());
  leadscore::test::expect_recovered<4>(m.fit_info(), {truth.r, truth.alpha, truth.a, truth.b});
  leadscore::test::expect_p_alive_calibrated(m, sim);
}

TEST(MbgNbd, FitWithExtremeCustomersStaysFinite) {
  const Cdnow d;
  const leadscore::test::ExtremeData e(d.t.col("frequency"), d.t.col("recency"), d.t.col("T"));
  const auto m = MbgNbdModel::fit(SummaryView{e.x, e.tx, e.T, {}, {}});
  EXPECT_TRUE(m.fit_info().converged);
  EXPECT_TRUE(std::isfinite(m.fit_info().log_likelihood));
  for (double se : m.fit_info().standard_errors) EXPECT_TRUE(std::isfinite(se));
  std::vector<double> out(e.x.size());
  m.p_alive(e.x, e.tx, e.T, out);
  for (double v : out) EXPECT_TRUE(v >= 0.0 && v <= 1.0);
  m.expected_purchases(52, e.x, e.tx, e.T, out);
  for (double v : out) EXPECT_TRUE(std::isfinite(v) && v >= 0.0);
}

#include "recovery.hpp"

TEST(MbgNbd, HandDerivedDerivativesMatchAutodiff) {
  const Cdnow d;
  const Compact c = compact(d.view());
  auto llh = [&](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
    return detail::nbd_dropout_ll(c, p, 1.0, g, H);
  };
  auto ll = [&](const auto& p) { return MbgNbdModel::log_likelihood_sum(c, p[0], p[1], p[2], p[3]); };
  for (const auto& p : {std::array<double, 4>{1, 1, 1, 1}, std::array<double, 4>{0.525, 6.183, 0.891, 1.614},
                        std::array<double, 4>{2.5, 0.3, 4.0, 0.6}})
    leadscore::test::expect_derivatives<4>(llh, ll, p);
}

TEST(MbgNbd, MemoisedBatchesEqualOneRow) {
  const leadscore::test::ManyPairs d;
  leadscore::test::expect_batch_equals_rows(cdnow_fit(), d, 39.0);
  leadscore::test::expect_batch_equals_rows(MbgNbdModel({0.52, 6.2, 1.0, 1.6}), d, 12.0);
}
