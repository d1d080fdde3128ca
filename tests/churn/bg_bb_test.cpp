#include "leadscore/churn/bg_bb.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "test_data.hpp"

using namespace leadscore::churn;

namespace {
double round_to(double v, int dp) { return std::round(v * std::pow(10.0, dp)) / std::pow(10.0, dp); }
struct Donations {
  leadscore::test::Table t = leadscore::test::read_csv("data/donations/donations.csv");
  DiscreteView view() const { return DiscreteView{t.col("frequency"), t.col("recency"), t.col("periods"), t.col("weights"), {}}; }
};
const Donations& donations() {
  static const Donations d;
  return d;
}
const BgBbModel& fitted() {
  static const BgBbModel m = BgBbModel::fit(donations().view());
  return m;
}
}  // namespace

TEST(BgBb, ReproducesFaderHardieShang2010) {
  const auto& m = fitted();
  const auto& p = m.params();
  const auto& fi = m.fit_info();
  std::printf("BG/BB fit: alpha=%.6f beta=%.6f gamma=%.6f delta=%.6f LL=%.4f iters=%d %.4fs\n", p.alpha, p.beta,
              p.gamma, p.delta, fi.log_likelihood, fi.iterations, fi.seconds);
  EXPECT_EQ(round_to(p.alpha, 3), 1.204);
  EXPECT_EQ(round_to(p.beta, 3), 0.750);
  EXPECT_EQ(round_to(p.gamma, 3), 0.657);
  EXPECT_EQ(round_to(p.delta, 3), 2.783);
  EXPECT_EQ(round_to(fi.log_likelihood, 1), -33225.6);
  EXPECT_EQ(fi.n_customers, 11104.0);
}

TEST(BgBb, PAliveMatchesTable6) {
  const auto& m = fitted();
  EXPECT_EQ(round_to(m.p_alive(0, 0, 6), 2), 0.11);
  EXPECT_EQ(round_to(m.p_alive(2, 4, 6), 2), 0.59);
  EXPECT_EQ(round_to(m.p_alive(6, 6, 6), 2), 0.93);
}

TEST(BgBb, TotalsMatchHardieSpreadsheet) {
  const auto& m = fitted();
  const auto& d = donations();
  const auto v = d.view();
  std::vector<double> e(v.frequency.size());
  m.expected_purchases(5, v.frequency, v.recency, v.n_periods, e);
  double total = 0;
  for (std::size_t i = 0; i < e.size(); ++i) total += e[i] * v.weight[i];
  EXPECT_NEAR(total, 12884.2, 0.1);
  EXPECT_NEAR(m.probability_of_n_purchases(6, 0) * 11104, 3454.9, 0.1);
  EXPECT_NEAR(m.probability_of_n_purchases(6, 6) * 11104, 1253.1, 0.1);
  double s = 0, mean = 0;
  for (int x = 0; x <= 6; ++x) {
    s += m.probability_of_n_purchases(6, x);
    mean += x * m.probability_of_n_purchases(6, x);
  }
  EXPECT_NEAR(s, 1.0, 1e-12);
  EXPECT_NEAR(mean, m.expected_purchases_new(6), 1e-10);
}

TEST(BgBb, GammaOneLimit) {
  const BgBbModel a({1.2, 0.75, 1.0, 2.8}), b({1.2, 0.75, 1.0 + 1e-6, 2.8});
  EXPECT_NEAR(a.expected_purchases_new(10), b.expected_purchases_new(10), 1e-5);
  EXPECT_NEAR(a.expected_purchases(5, 3, 4, 6), b.expected_purchases(5, 3, 4, 6), 1e-5);
}

TEST(BgBb, LongHistoriesStayFinite) {
  const auto& m = fitted();
  for (double x : {0.0, 1.0, 1000.0}) {
    const double n = 10000, tx = x > 0 ? 5000 : 0;
    EXPECT_TRUE(std::isfinite(m.log_likelihood(x, tx, n)));
    const double pa = m.p_alive(x, tx, n);
    EXPECT_TRUE(pa >= 0 && pa <= 1);
    EXPECT_TRUE(std::isfinite(m.expected_purchases(10, x, tx, n)));
  }
}

TEST(BgBb, InvalidInput) {
  const std::vector<double> x{2}, tx{1}, n{6};
  EXPECT_THROW(BgBbModel::fit(DiscreteView{x, tx, n, {}, {}}), leadscore::InvalidInput);
  const std::vector<double> x2{1}, tx2{7}, n2{6};
  EXPECT_THROW(BgBbModel::fit(DiscreteView{x2, tx2, n2, {}, {}}), leadscore::InvalidInput);
}

#include "leadscore/churn/simulate.hpp"
#include "recovery.hpp"

TEST(BgBb, RecoversSimulatedParameters) {
  const BgBbParams truth{1.2, 0.75, 0.66, 2.78};
  const auto sim = simulate(truth, 100000, 6, 45);
  const auto m = BgBbModel::fit(sim.view());
  leadscore::test::expect_recovered<4>(m.fit_info(), {truth.alpha, truth.beta, truth.gamma, truth.delta});
  EXPECT_LE(m.fit_info().n_unique, 28u);  // at most (6+1)(6+2)/2 patterns
  double mean_pa = 0, alive = 0;
  for (std::size_t i = 0; i < sim.frequency.size(); ++i) {
    mean_pa += m.p_alive(sim.frequency[i], sim.recency[i], 6);
    alive += sim.alive[i];
  }
  EXPECT_NEAR(mean_pa / sim.frequency.size(), alive / sim.frequency.size(), 0.01);
}

#include "recovery.hpp"

TEST(BgBb, HandDerivedDerivativesMatchAutodiff) {
  const Compact c = compact(donations().view());
  auto llh = [&](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
    return BgBbModel::log_likelihood_derivatives(c, p, g, H);
  };
  auto ll = [&](const auto& p) { return BgBbModel::log_likelihood_sum(c, p[0], p[1], p[2], p[3]); };
  for (const auto& p : {std::array<double, 4>{1, 1, 1, 1}, std::array<double, 4>{1.204, 0.750, 0.657, 2.783},
                        std::array<double, 4>{0.2, 5.0, 3.0, 0.4}})
    leadscore::test::expect_derivatives<4>(llh, ll, p);
}
