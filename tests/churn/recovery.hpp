#pragma once
// Shared helper for the parameter-recovery tests.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <vector>

#include "leadscore/churn/fit.hpp"

namespace leadscore::test {

/// 100k customers in three cohorts aged 26, 39 and 52 weeks.
inline std::vector<double> cohort_ages(std::size_t n = 100000) {
  std::vector<double> T(n);
  for (std::size_t i = 0; i < n; ++i) T[i] = 26.0 + 13.0 * static_cast<double>(i % 3);
  return T;
}

/// Every estimate within 4 standard errors of the truth (and the SEs usable).
template <std::size_t P>
void expect_recovered(const churn::FitInfo& fi, const std::array<double, P>& truth) {
  ASSERT_TRUE(fi.converged);
  ASSERT_TRUE(fi.standard_errors_ok);
  for (std::size_t i = 0; i < P; ++i) {
    EXPECT_NEAR(fi.estimates[i], truth[i], 4.0 * fi.standard_errors[i])
        << fi.names[i] << " se " << fi.standard_errors[i];
    EXPECT_LT(fi.ci_lower[i], fi.estimates[i]);
    EXPECT_GT(fi.ci_upper[i], fi.estimates[i]);
  }
}

/// P(alive) is calibrated: its mean over the simulated customers matches the
/// share of them still active at T.
template <class Model, class Simulated>
void expect_p_alive_calibrated(const Model& model, const Simulated& sim) {
  std::vector<double> pa(sim.T.size());
  model.p_alive(sim.frequency, sim.recency, sim.T, pa);
  double mean_pa = 0, alive = 0;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    mean_pa += pa[i];
    alive += sim.alive[i];
  }
  EXPECT_NEAR(mean_pa / pa.size(), alive / pa.size(), 0.01);
}

}  // namespace leadscore::test

namespace leadscore::test {

/// CDNOW-like data plus customers at the extremes (frequency 1000, T 10,000):
/// fits must stay finite and converge.
struct ExtremeData {
  std::vector<double> x, tx, T;
  ExtremeData(const std::vector<double>& x0, const std::vector<double>& tx0, const std::vector<double>& T0)
      : x(x0), tx(tx0), T(T0) {
    const double add[][3] = {{1000, 9000, 10000}, {1000, 10000, 10000}, {1000, 30, 31}, {0, 0, 10000}, {1, 0.01, 10000}};
    for (const auto& a : add) {
      x.push_back(a[0]);
      tx.push_back(a[1]);
      T.push_back(a[2]);
    }
  }
};

}  // namespace leadscore::test

#include <Eigen/Core>

#include "leadscore/churn/special.hpp"

namespace leadscore::test {

/// A hand-derived log-likelihood `llh(p, g, H)` (the Newton fits' input)
/// against `ll` templated on the scalar: the value and the gradient must
/// match dual-number autodiff, and the Hessian central differences of that
/// gradient.
template <int P, class LLH, class LL>
void expect_derivatives(const LLH& llh, const LL& ll, const std::array<double, P>& p) {
  using D = churn::Dual<P>;
  auto grad = [&](std::array<double, P> q) {
    std::array<D, P> d;
    for (int i = 0; i < P; ++i) d[i] = D::variable(q[i], i);
    return ll(d);
  };
  Eigen::Matrix<double, P, 1> g;
  Eigen::Matrix<double, P, P> H;
  const double v = llh(p, g, H);
  const D ref = grad(p);
  EXPECT_NEAR(v, ref.v, 1e-12 * std::abs(ref.v));
  for (int i = 0; i < P; ++i) EXPECT_NEAR(g[i], ref.d[i], 1e-9 * (1.0 + std::abs(ref.d[i]))) << "gradient " << i;
  for (int j = 0; j < P; ++j) {
    auto hi = p, lo = p;
    const double h = 1e-6 * p[j];
    hi[j] += h;
    lo[j] -= h;
    const D gh = grad(hi), gl = grad(lo);
    for (int i = 0; i < P; ++i) {
      const double fd = (gh.d[i] - gl.d[i]) / (2.0 * h);
      EXPECT_NEAR(H(i, j), fd, 1e-5 * (1.0 + std::abs(fd))) << "Hessian " << i << "," << j;
    }
  }
}

/// Summaries with more distinct (x, T) pairs than the batch memo holds
/// (churn::detail::kMemoKeys), each row twice, zero-frequency rows included.
struct ManyPairs {
  std::vector<double> x, tx, T;
  ManyPairs() {
    for (int rep = 0; rep < 2; ++rep)
      for (int i = 0; i < 6000; ++i) {
        const double xi = i % 40, Ti = 20.0 + static_cast<double>(i % 150) / 7.0;
        x.push_back(xi);
        T.push_back(Ti);
        const int k = i % 11;  // k == 10: the last purchase at T
        tx.push_back(xi == 0.0 ? 0.0 : k == 10 ? Ti : Ti * static_cast<double>(k) / 10.0);
      }
  }
};

/// Batch p_alive and expected_purchases equal the one-row functions.
template <class Model>
void expect_batch_equals_rows(const Model& m, const ManyPairs& d, double t) {
  std::vector<double> pa(d.x.size()), ex(d.x.size());
  m.p_alive(d.x, d.tx, d.T, pa);
  m.expected_purchases(t, d.x, d.tx, d.T, ex);
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double want_pa = m.p_alive(d.x[i], d.tx[i], d.T[i]);
    const double want_ex = m.expected_purchases(t, d.x[i], d.tx[i], d.T[i]);
    ASSERT_NEAR(pa[i], want_pa, 1e-12 * want_pa) << i;
    ASSERT_NEAR(ex[i], want_ex, 1e-12 * want_ex) << i;
  }
}

}  // namespace leadscore::test
