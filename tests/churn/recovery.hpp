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
