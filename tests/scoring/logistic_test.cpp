#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/features.hpp"
#include "leadscore/scoring/logistic.hpp"
#include "predictive_test_data.hpp"

using namespace leadscore;
using namespace leadscore::scoring;

namespace {
struct Data {
  Eigen::MatrixXd x;
  std::vector<double> y;
  std::vector<std::string> names;
  Eigen::Index at(const std::string& name) const {
    return std::find(names.begin(), names.end(), name) - names.begin();
  }
};
Data simulated(std::size_t n) {
  const auto s = test::simulate_leads(n, 7);
  FeatureConfig c;
  c.defaults.scaling = Scaling::none;
  c.defaults.min_count = 1;
  const FeatureMap m = FeatureMap::fit(s.table.view(), c);
  EXPECT_EQ(m.size(), 5u);
  return {m.transform(s.table.view()), s.y, m.names()};
}
// Objective of the fit, recomputed here from its definition.
double objective(const Data& d, const LogisticModel& m, double l2) {
  double f = 0.5 * l2 * m.coefficients().squaredNorm();
  for (Eigen::Index i = 0; i < d.x.rows(); ++i) {
    const double z = m.intercept() + d.x.row(i).dot(m.coefficients());
    f += std::log1p(std::exp(z)) - d.y[static_cast<std::size_t>(i)] * z;
  }
  return f;
}
}  // namespace

TEST(ScoringLogistic, RecoversSimulatedCoefficients) {
  const Data d = simulated(20000);
  const auto m = LogisticModel::fit(d.x, d.y, {.l2 = 1e-6});
  EXPECT_TRUE(m.fit_info().converged);
  EXPECT_EQ(m.fit_info().solver, "newton");
  EXPECT_LT(m.fit_info().iterations, 15);
  // One-hot without a dropped level: only differences of the source levels are identified.
  EXPECT_NEAR(m.coefficients()[0], 1.0, 0.06);
  EXPECT_NEAR(m.coefficients()[1], -2.0, 0.08);
  const auto& b = m.coefficients();
  const Eigen::Index web = d.at("source = web"), ref = d.at("source = ref"),
                     ad = d.at("source = ad");
  EXPECT_NEAR(b[ref] - b[web], 0.8, 0.1);
  EXPECT_NEAR(b[ad] - b[web], 0.0, 0.1);
  EXPECT_NEAR(m.intercept() + b[web], -0.5, 0.1);
}

TEST(ScoringLogistic, NewtonAndLbfgsReachTheSameOptimum) {
  const Data d = simulated(3000);
  const auto newton = LogisticModel::fit(d.x, d.y, {.l2 = 2.0});
  const auto lbfgs = LogisticModel::fit(d.x, d.y, {.l2 = 2.0, .solver = Solver::lbfgs});
  EXPECT_TRUE(newton.fit_info().converged);
  EXPECT_TRUE(lbfgs.fit_info().converged);
  EXPECT_NEAR(newton.fit_info().loss, objective(d, newton, 2.0), 1e-8);
  EXPECT_NEAR(lbfgs.fit_info().loss, newton.fit_info().loss, 1e-6);
  EXPECT_LT((newton.coefficients() - lbfgs.coefficients()).cwiseAbs().maxCoeff(), 1e-4);
  std::vector<double> p(d.y.size());
  newton.predict_proba(d.x, p);
  const Eigen::VectorXd row = d.x.row(5);
  EXPECT_DOUBLE_EQ(newton.predict_proba(std::span<const double>(row.data(), 5)), p[5]);
  // Rows stored one after another score the same.
  const LogisticModel::RowMajorMatrix rows = d.x;
  std::vector<double> z(d.y.size()), zr(d.y.size());
  newton.decision_function(d.x, z);
  newton.decision_function(
      Eigen::Map<const LogisticModel::RowMajorMatrix>(rows.data(), rows.rows(), rows.cols()), zr);
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_NEAR(zr[i], z[i], 1e-12) << i;
  EXPECT_THROW(
      newton.decision_function(
          Eigen::Map<const LogisticModel::RowMajorMatrix>(rows.data(), rows.rows(), 4), zr),
      InvalidInput);
}

TEST(ScoringLogistic, ManyRowsStartFromASampleAndReachTheSameOptimum) {
  // 8 x 16,384 rows or more: Newton starts on a sample, then steps on all rows.
  const Data d = simulated(140000);
  const auto newton = LogisticModel::fit(d.x, d.y, {.l2 = 1.0, .tolerance = 1e-9});
  const auto lbfgs =
      LogisticModel::fit(d.x, d.y, {.l2 = 1.0, .solver = Solver::lbfgs, .tolerance = 1e-9});
  const FitReport& r = newton.fit_info();
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.solver, "newton");
  EXPECT_LE(r.gradient_norm, 1e-9 * 140000);
  // A pass over all rows per step, and few steps: the sample's Hessian is close.
  EXPECT_GE(r.passes, r.iterations + 1);
  EXPECT_LE(r.passes, 6);
  EXPECT_GT(lbfgs.fit_info().passes, r.passes);
  EXPECT_NEAR(r.loss, objective(d, newton, 1.0), 1e-6 * r.loss);
  EXPECT_LE(r.loss, lbfgs.fit_info().loss + 1e-9 * r.loss);
  EXPECT_LT((newton.coefficients() - lbfgs.coefficients()).cwiseAbs().maxCoeff(), 1e-5);
  // A bad value outside the sample is still found, with its row.
  Eigen::MatrixXd x = d.x;
  x(139999, 2) = std::numeric_limits<double>::infinity();
  try {
    (void)LogisticModel::fit(x, d.y, {});
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("feature 2 of row 140000 "), std::string::npos)
        << e.what();
  }
}

TEST(ScoringLogistic, L1ZeroesWeakFeaturesAndClassWeightsShiftTheIntercept) {
  const Data d = simulated(3000);
  const auto l1 = LogisticModel::fit(d.x, d.y, {.l2 = 0.0, .l1 = 200.0});
  EXPECT_EQ(l1.fit_info().solver, "lbfgsb");
  EXPECT_TRUE(l1.fit_info().converged);
  // Only differences between source levels matter; a strong L1 keeps one of web / ad at 0.
  EXPECT_EQ(std::min(std::abs(l1.coefficients()[d.at("source = ad")]),
                     std::abs(l1.coefficients()[d.at("source = web")])),
            0.0);
  EXPECT_LT(l1.coefficients()[1], -0.5);
  const auto plain = LogisticModel::fit(d.x, d.y, {});
  const auto heavy = LogisticModel::fit(d.x, d.y, {.positive_weight = 4.0});
  EXPECT_NEAR(heavy.intercept() - plain.intercept(), std::log(4.0), 0.15);
  const auto balanced = LogisticModel::fit(d.x, d.y, {.balanced = true});
  std::vector<double> p(d.y.size());
  balanced.predict_proba(d.x, p);
  double mean = 0;
  for (double v : p) mean += v;
  EXPECT_NEAR(mean / static_cast<double>(p.size()), 0.5, 0.05);
}

TEST(ScoringLogistic, RejectsBadInput) {
  Eigen::MatrixXd x(3, 1);
  x << 1, 2, 3;
  EXPECT_THROW((void)LogisticModel::fit(x, std::vector<double>{0, 1}, {}), InvalidInput);
  EXPECT_THROW((void)LogisticModel::fit(x, std::vector<double>{0, 1, 2}, {}), InvalidInput);
  EXPECT_THROW((void)LogisticModel::fit(x, std::vector<double>{1, 1, 1}, {}), InvalidInput);
  EXPECT_THROW((void)LogisticModel::fit(x, std::vector<double>{0, 1, 0}, {.l2 = -1}), InvalidInput);
  EXPECT_THROW(
      (void)LogisticModel::fit(x, std::vector<double>{0, 1, 0}, {}, std::vector<double>{1, -1, 1}),
      InvalidInput);
  x(1, 0) = std::nan("");
  try {
    (void)LogisticModel::fit(x, std::vector<double>{0, 1, 0}, {});
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos);
  }
  const LogisticModel m(Eigen::VectorXd::Ones(2), 0.0);
  std::vector<double> out(3);
  EXPECT_THROW(m.predict_proba(x, out), InvalidInput);
}
