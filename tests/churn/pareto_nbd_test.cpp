#include "leadscore/churn/pareto_nbd.hpp"

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

const ParetoNbdModel& cdnow_fit() {
  static const Cdnow d;
  static const ParetoNbdModel m = ParetoNbdModel::fit(d.view());
  return m;
}
}  // namespace

TEST(Special, Hyp2f1QuadratureMatchesSeries) {
  for (double a : {0.3, 1.7, 30.0, 1001.5})
    for (double b : {0.4, 1.6, 25.0})
      for (double z : {0.91, 0.95, 0.99, 0.999}) {
        const double series = std::log(hyp2f1_series(a, b, a + 1.0, z));
        const double quad = log_hyp2f1_a1(a, b, z);
        EXPECT_NEAR(quad, series, 1e-10 * std::max(1.0, std::abs(series))) << a << " " << b << " " << z;
      }
  // a closed form: 2F1(1, 1; 2; z) = -log(1-z)/z
  for (double z : {0.1, 0.5, 0.95, 0.9999})
    EXPECT_NEAR(std::exp(log_hyp2f1_a1(1.0, 1.0, z)), -std::log1p(-z) / z, 1e-11 * (-std::log1p(-z) / z));
}

TEST(Special, DualGradientMatchesFiniteDifference) {
  using D = Dual<2>;
  auto f = [](auto a, auto z) { return log_hyp2f1_a1(a, decltype(a)(1.7), z); };
  for (double z : {0.3, 0.95}) {
    const D v = f(D::variable(2.5, 0), D::variable(z, 1));
    const double h = 1e-6;
    EXPECT_NEAR(v.d[0], (f(2.5 + h, z) - f(2.5 - h, z)) / (2 * h), 1e-6);
    EXPECT_NEAR(v.d[1], (f(2.5, z + h) - f(2.5, z - h)) / (2 * h), 1e-6);
  }
}

TEST(ParetoNbd, ReproducesPublishedCdnowFit) {
  const auto& cdnow = leadscore::test::cdnow_exact();
  const auto m = ParetoNbdModel::fit(SummaryView{cdnow.frequency, cdnow.recency, cdnow.T, {}, {}});
  const auto& p = m.params();
  const auto& fi = m.fit_info();
  std::printf("Pareto/NBD fit: r=%.6f alpha=%.6f s=%.6f beta=%.6f LL=%.4f iters=%d %.4fs se=%.4f %.4f %.4f %.4f\n",
              p.r, p.alpha, p.s, p.beta, fi.log_likelihood, fi.iterations, fi.seconds,
              fi.standard_errors[0], fi.standard_errors[1], fi.standard_errors[2], fi.standard_errors[3]);
  EXPECT_EQ(round_to(p.r, 3), 0.553);
  EXPECT_EQ(round_to(p.alpha, 3), 10.578);
  EXPECT_EQ(round_to(p.s, 3), 0.606);
  // beta is weakly identified (SE ~6.2): on the rounded summary file the MLE
  // is 11.668 (CLVTools: 11.6715); on the unrounded data it is the paper's.
  EXPECT_EQ(round_to(p.beta, 3), 11.669);
  EXPECT_EQ(round_to(fi.log_likelihood, 1), -9595.0);
  // CLVTools' standard errors .0476264/.8427222/.1872594/6.2105448
  EXPECT_NEAR(fi.standard_errors[0], 0.0476, 0.002);
  EXPECT_NEAR(fi.standard_errors[1], 0.843, 0.02);
  EXPECT_NEAR(fi.standard_errors[2], 0.187, 0.01);
  EXPECT_NEAR(fi.standard_errors[3], 6.21, 0.3);
}

TEST(ParetoNbd, AnalyticDerivativesMatchLogSpaceLikelihood) {
  // value against the log-space (2F1) route; gradient and Hessian against
  // central differences of the value and of the gradient; both branches
  // (alpha >= beta, alpha < beta), z = 0, and extreme rows
  const std::vector<double> x{0, 1, 2, 5, 30, 0, 3, 1000, 7}, tx{0, 3, 10, 20, 30, 0, 35, 9000, 1},
      T{38, 38, 30, 39, 30, 10, 39, 10000, 2};
  const Compact c = compact(x, tx, T, {});
  for (const auto& p : {std::array<double, 4>{0.55, 10.6, 0.6, 11.7}, std::array<double, 4>{1, 1, 1, 1},
                        std::array<double, 4>{0.3, 20, 2, 3}, std::array<double, 4>{2, 3, 0.5, 8}}) {
    Eigen::Vector4d g, gp, gm;
    Eigen::Matrix4d H, Hp, Hm;
    const double v = detail::pareto_nbd_ll(c, p, g, H);
    EXPECT_NEAR(v, ParetoNbdModel::log_likelihood_sum(c, p[0], p[1], p[2], p[3]), 1e-10 * std::abs(v));
    for (int i = 0; i < 4; ++i) {
      auto pp = p, pm = p;
      const double h = 1e-5 * p[i];
      pp[i] += h;
      pm[i] -= h;
      const double fp = detail::pareto_nbd_ll(c, pp, gp, Hp), fm = detail::pareto_nbd_ll(c, pm, gm, Hm);
      EXPECT_NEAR(g[i], (fp - fm) / (2 * h), 1e-6 * std::max(1.0, std::abs(g[i])));
      for (int j = 0; j < 4; ++j)
        EXPECT_NEAR(H(i, j), (gp[j] - gm[j]) / (2 * h), 1e-6 * std::max(1.0, std::abs(H(i, j)))) << i << j;
    }
  }
}

TEST(ParetoNbd, StartWhereTheSeriesIsSlowFallsBackToTheSameOptimum) {
  // |alpha - beta| / max(alpha, beta) = 0.99 at t = 0: the Newton route
  // declines there and the fit takes the L-BFGS route
  const auto& cdnow = leadscore::test::cdnow_exact();
  ParetoNbdConfig cfg;
  cfg.initial = {0.5, 100.0, 0.5, 1.0};
  const auto m = ParetoNbdModel::fit(SummaryView{cdnow.frequency, cdnow.recency, cdnow.T, {}, {}}, cfg);
  EXPECT_EQ(round_to(m.params().r, 3), 0.553);
  EXPECT_EQ(round_to(m.params().alpha, 3), 10.578);
  EXPECT_EQ(round_to(m.params().s, 3), 0.606);
  EXPECT_EQ(round_to(m.fit_info().log_likelihood, 1), -9595.0);
}

TEST(ParetoNbd, ExpectationMatchesRBtyd) {
  const auto& m = cdnow_fit();
  const double want[] = {0, .05077821, .09916088, .14542507, .18979930, .23247466, .27361274, .31335159, .35181024, .38909211};
  for (int t = 0; t < 10; ++t) EXPECT_NEAR(m.expected_purchases_new(t), want[t], 0.01);
}

TEST(ParetoNbd, ConditionalValuesMatchBtydWalkthrough) {
  const auto& m = cdnow_fit();
  EXPECT_NEAR(m.expected_purchases(52, 26, 30.86, 31), 25.46, 0.01);
  const ParetoNbdModel w({0.5534, 10.5802, 0.6061, 11.6562});
  EXPECT_NEAR(w.p_alive(26, 30.86, 31), 0.9979, 0.001);
}

TEST(ParetoNbd, BothHypergeometricBranchesAgree) {
  // alpha slightly above / below beta selects different 2F1 forms; the likelihood is continuous.
  const ParetoNbdModel lo({0.55, 10.0 - 1e-7, 0.6, 10.0}), hi({0.55, 10.0 + 1e-7, 0.6, 10.0});
  for (double x : {0.0, 1.0, 7.0})
    EXPECT_NEAR(lo.log_likelihood(x, x > 0 ? 12.0 : 0.0, 30.0), hi.log_likelihood(x, x > 0 ? 12.0 : 0.0, 30.0), 1e-6);
  // far apart (z near 1 → quadrature path) vs the other branch's series
  const ParetoNbdModel m({0.55, 1000.0, 0.6, 0.5});
  const double ll = m.log_likelihood(3, 0.5, 40);
  EXPECT_TRUE(std::isfinite(ll));
}

TEST(ParetoNbd, ExtremeInputsStayFinite) {
  const auto& m = cdnow_fit();
  for (double x : {0.0, 1.0, 1000.0})
    for (double T : {1.0, 10000.0}) {
      const double tx = x > 0 ? T / 2 : 0;
      EXPECT_TRUE(std::isfinite(m.log_likelihood(x, tx, T))) << x << " " << T;
      const double pa = m.p_alive(x, tx, T);
      EXPECT_TRUE(pa >= 0 && pa <= 1) << pa;
      EXPECT_TRUE(std::isfinite(m.expected_purchases(52, x, tx, T)));
      if (x > 0) {
        EXPECT_NEAR(m.p_alive(x, T, T), 1.0, 1e-12);
      }
    }
  const ParetoNbdModel s1({0.5, 10, 1.0, 12});
  EXPECT_NEAR(s1.expected_purchases_new(10), 0.5 / 10 * 12 * std::log1p(10.0 / 12), 1e-12);
}

TEST(ParetoNbd, InvalidInput) {
  const std::vector<double> x{1}, tx{5}, T{3};
  EXPECT_THROW(ParetoNbdModel::fit(SummaryView{x, tx, T, {}, {}}), leadscore::InvalidInput);
  EXPECT_THROW(ParetoNbdModel({1, 1, 0, 1}), leadscore::InvalidInput);
}

#include "leadscore/churn/simulate.hpp"
#include "recovery.hpp"

TEST(ParetoNbd, RecoversSimulatedParameters) {
  const ParetoNbdParams truth{0.55, 10.6, 0.6, 11.7};
  const auto T = leadscore::test::cohort_ages();
  const auto sim = simulate(truth, T, 43, 1.0 / 7);
  const auto m = ParetoNbdModel::fit(sim.view());
  leadscore::test::expect_recovered<4>(m.fit_info(), {truth.r, truth.alpha, truth.s, truth.beta});
  leadscore::test::expect_p_alive_calibrated(m, sim);
}

TEST(ParetoNbd, FastPAliveMatchesLogSpaceRoute) {
  for (const ParetoNbdParams& p : {ParetoNbdParams{0.553, 10.578, 0.606, 11.669}, ParetoNbdParams{0.553, 15.0, 0.606, 2.0},
                                   ParetoNbdParams{2.0, 1.0, 3.0, 40.0}})
    for (double x : {1.0, 3.0, 30.0, 300.0})
      for (double tx : {0.5, 10.0, 29.0, 30.0}) {
        const ParetoNbdModel m(p);
        double lf, ls;
        ParetoNbdModel::log_terms(x, tx, 30.0, p.r, p.alpha, p.s, p.beta, lf, ls);
        const double slow = std::exp(lf - log_add_exp(lf, ls));
        EXPECT_NEAR(m.p_alive(x, tx, 30.0), slow, 1e-12 + 1e-10 * slow) << x << " " << tx;
      }
}

TEST(ParetoNbd, PmfSumsToOneAndMatchesExpectation) {
  const ParetoNbdModel m({0.553, 10.578, 0.606, 11.669});
  for (double t : {1.0, 39.0, 78.0, 500.0}) {
    double total = 0, mean = 0;
    for (int n = 0; n < 2000; ++n) {
      const double p = m.probability_of_n_purchases(t, n);
      total += p;
      mean += n * p;
    }
    EXPECT_NEAR(total, 1.0, 1e-9) << t;
    EXPECT_NEAR(mean, m.expected_purchases_new(t), 1e-6 * (1 + mean)) << t;
  }
  // Monte Carlo check of one cell
  const auto T = std::vector<double>(100000, 39.0);
  const auto sim = simulate(ParetoNbdParams{0.553, 10.578, 0.606, 11.669}, T, 9);
  double zeros = 0;
  for (double f : sim.frequency) zeros += f == 0;
  EXPECT_NEAR(zeros / T.size(), m.probability_of_n_purchases(39, 0), 0.005);
}

TEST(ParetoNbd, FitWithExtremeCustomersStaysFinite) {
  const Cdnow d;
  const leadscore::test::ExtremeData e(d.t.col("frequency"), d.t.col("recency"), d.t.col("T"));
  const auto m = ParetoNbdModel::fit(SummaryView{e.x, e.tx, e.T, {}, {}});
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

TEST(ParetoNbd, MemoisedBatchesEqualOneRow) {
  const leadscore::test::ManyPairs d;
  leadscore::test::expect_batch_equals_rows(cdnow_fit(), d, 39.0);
  // alpha >= beta branch, and z > 0.9 (the log-space route)
  leadscore::test::expect_batch_equals_rows(ParetoNbdModel({0.55, 12.0, 0.6, 6.0}), d, 39.0);
  leadscore::test::expect_batch_equals_rows(ParetoNbdModel({0.55, 400.0, 0.6, 1.0}), d, 39.0);
}

TEST(ParetoNbd, BatchBeyondTheMemoEqualsOneRow) {
  // more distinct (x, t_x, T) than the P(alive) memo keeps
  std::vector<double> x, tx, T;
  for (int i = 0; i < 140000; ++i) {
    x.push_back(1.0 + i % 7);
    T.push_back(30.0 + 1e-4 * i);
    tx.push_back(0.5 * T.back());
  }
  const auto& m = cdnow_fit();
  std::vector<double> pa(x.size());
  m.p_alive(x, tx, T, pa);
  for (std::size_t i = 0; i < x.size(); i += 97) ASSERT_EQ(pa[i], m.p_alive(x[i], tx[i], T[i])) << i;
  ASSERT_EQ(pa.back(), m.p_alive(x.back(), tx.back(), T.back()));
}
