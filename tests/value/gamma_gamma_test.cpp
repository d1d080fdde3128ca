#include "leadscore/value/gamma_gamma.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../churn/test_data.hpp"
#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/pareto_nbd.hpp"
#include "leadscore/value/clv.hpp"

using namespace leadscore;
using namespace leadscore::value;

namespace {
double round_to(double v, int dp) { return std::round(v * std::pow(10.0, dp)) / std::pow(10.0, dp); }
const test::Table& cdnow() {
  static const test::Table t = test::read_csv("data/cdnow/cdnow_customers_summary_with_transactions.csv");
  return t;
}
const GammaGammaModel& fitted() {
  static const GammaGammaModel m = GammaGammaModel::fit(SpendView{cdnow().col("x"), cdnow().col("zbar"), {}, cdnow().first});
  return m;
}
}  // namespace

TEST(GammaGamma, ReproducesFaderHardieLee2005) {
  const auto& cdnow = test::cdnow_exact();
  const auto m = GammaGammaModel::fit(SpendView{cdnow.frequency, cdnow.monetary_value, {}, {}});
  const auto& p = m.params();
  const auto& fi = m.fit_info();
  std::printf("GG fit: p=%.6f q=%.6f gamma=%.6f LL=%.4f iters=%d %.4fs n=%g\n", p.p, p.q, p.gamma, fi.log_likelihood,
              fi.iterations, fi.seconds, fi.n_customers);
  EXPECT_EQ(fi.n_customers, 946.0);
  EXPECT_EQ(round_to(p.p, 2), 6.25);
  EXPECT_EQ(round_to(p.q, 2), 3.74);
  // On the unrounded zbar (the papers' data) gamma rounds to the printed
  // 15.44; the shipped summary file's two-decimal zbar gives 15.4477.
  EXPECT_EQ(round_to(p.gamma, 2), 15.44);
  EXPECT_EQ(round_to(fi.log_likelihood, 2), -4055.92);
}

TEST(GammaGamma, ConditionalExpectedAverageMatchesNote025) {
  const auto& m = fitted();
  const double want[] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  std::vector<double> out(10);
  const std::span<const double> x(cdnow().col("x").data(), 10), z(cdnow().col("zbar").data(), 10);
  m.conditional_expected_average_spend(x, z, out);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(out[i], want[i], 0.1) << i;
  EXPECT_NEAR(m.expected_average_spend(), 35.17, 0.01);
}

TEST(GammaGamma, InvalidInput) {
  const std::vector<double> x{2, 1}, z{10, -1};
  const std::vector<std::string> id{"a", "b"};
  try {
    GammaGammaModel::fit(SpendView{x, z, {}, id});
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos);
  }
  const std::vector<double> x2{2, 1}, z2{10, 0};
  EXPECT_THROW(GammaGammaModel::fit(SpendView{x2, z2, {}, {}}), InvalidInput);
  EXPECT_THROW(GammaGammaModel({1, 0.5, 1}).expected_average_spend(), InvalidInput);
}

TEST(Clv, MatchesLifetimesDefinition) {
  const churn::BgNbdModel bg({0.243, 4.414, 0.793, 2.426});
  const auto& gg = fitted();
  const double x = 2, tx = 30.43, T = 38.86, m = 22.35;
  // undiscounted CLV over 12 months = spend * E[purchases in 12 * 4.345 weeks]
  const double s = gg.conditional_expected_average_spend(x, m);
  EXPECT_NEAR(customer_lifetime_value(bg, gg, x, tx, T, m, ClvConfig{12, 0.0, 4.345}),
              s * bg.expected_purchases(12 * 4.345, x, tx, T), 1e-10);
  // discounted: explicit sum
  double want = 0;
  for (int k = 1; k <= 12; ++k)
    want += s * (bg.expected_purchases(k * 4.345, x, tx, T) - bg.expected_purchases((k - 1) * 4.345, x, tx, T)) /
            std::pow(1.01, k);
  EXPECT_NEAR(customer_lifetime_value(bg, gg, x, tx, T, m), want, 1e-10);
  // batch
  const auto& t = cdnow();
  std::vector<double> out(t.col("x").size());
  customer_lifetime_value(bg, gg, t.col("x"), t.col("t_x"), t.col("T"), t.col("zbar"), out);
  EXPECT_NEAR(out[0], want, 1e-10);
  for (double v : out) EXPECT_TRUE(std::isfinite(v) && v >= 0);
  // works with Pareto/NBD too
  const churn::ParetoNbdModel pn({0.553, 10.578, 0.606, 11.669});
  EXPECT_GT(customer_lifetime_value(pn, gg, x, tx, T, m), 0.0);
}

#include "../churn/recovery.hpp"

TEST(GammaGamma, RecoversSimulatedParameters) {
  const GammaGammaParams truth{6.25, 3.74, 15.44};
  std::vector<double> x(100000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i % 8);  // 1/8 non-repeaters, ignored
  const auto z = simulate_spend(truth, x, 46);
  const auto m = GammaGammaModel::fit(SpendView{x, z, {}, {}});
  EXPECT_EQ(m.fit_info().n_customers, 87500.0);
  leadscore::test::expect_recovered<3>(m.fit_info(), {truth.p, truth.q, truth.gamma});
}

#include "../churn/recovery.hpp"

TEST(GammaGamma, HandDerivedDerivativesMatchAutodiff) {
  std::vector<double> x, z, zero;
  for (std::size_t i = 0; i < cdnow().col("x").size(); ++i)
    if (cdnow().col("x")[i] > 0) {
      x.push_back(cdnow().col("x")[i]);
      z.push_back(cdnow().col("zbar")[i]);
    }
  zero.assign(x.size(), 0.0);
  const churn::Compact c = churn::compact(x, z, zero, {});
  std::vector<double> sum_log_z(c.group.size() - 1, 0.0);
  for (std::size_t k = 0; k + 1 < c.group.size(); ++k)
    for (std::size_t i = c.group[k]; i < c.group[k + 1]; ++i) sum_log_z[k] += c.w[i] * std::log(c.tx[i]);
  auto llh = [&](const std::array<double, 3>& p, Eigen::Vector3d& g, Eigen::Matrix3d& H) {
    return GammaGammaModel::log_likelihood_derivatives(c, sum_log_z, p, g, H);
  };
  auto ll = [&](const auto& p) { return GammaGammaModel::log_likelihood_sum(c, p[0], p[1], p[2]); };
  for (const auto& p : {std::array<double, 3>{1, 1, 1}, std::array<double, 3>{6.25, 3.74, 15.44},
                        std::array<double, 3>{0.5, 12.0, 2.0}})
    test::expect_derivatives<3>(llh, ll, p);
}
