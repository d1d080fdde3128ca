#pragma once
// Logistic regression with L2 (and optional L1) penalty and class weights,
// fitted by Newton's method (IRLS) or L-BFGS on Eigen.
//
// Objective (the same as scikit-learn's LogisticRegression with C = 1/l2):
//   sum_i w_i * logloss(y_i, intercept + x_i . beta) + l2/2 |beta|^2 + l1 |beta|_1
// The intercept is not penalized.

#include <Eigen/Core>

#include <span>
#include <vector>

#include "leadscore/scoring/fit_report.hpp"

namespace leadscore::scoring {

enum class Solver {
  newton,  ///< Newton / IRLS: few passes, exact; the default. With at least
           ///< 8 x max(16384, 256 x features) rows it fits a seeded sample
           ///< first, then steps on all rows with the sample's Hessian: one
           ///< pass over the rows per step, the same optimum and stopping test.
  lbfgs,   ///< L-BFGS (LBFGS++): cheaper passes, more of them
};

struct LogisticConfig {
  /// L2 penalty strength (scikit-learn's C is 1 / l2). Must be >= 0.
  double l2 = 1.0;
  /// L1 penalty strength; > 0 switches to L-BFGS-B on (beta+, beta-).
  double l1 = 0.0;
  /// Weights of won (y = 1) and lost (y = 0) rows.
  double positive_weight = 1.0;
  double negative_weight = 1.0;
  /// Weight classes by n / (2 n_class), as scikit-learn's class_weight="balanced".
  bool balanced = false;
  Solver solver = Solver::newton;
  bool fit_intercept = true;
  int max_iterations = 200;
  /// Converged when max |gradient| <= tolerance * max(1, sum of weights / n).
  double tolerance = 1e-8;
};

class LogisticModel {
 public:
  /// Fits to the rows of `x` (rows x features) and 0/1 targets `y`; optional
  /// per-row weights. Throws InvalidInput on size mismatches, targets other
  /// than 0/1, non-finite values (with the row and feature), a negative
  /// penalty, or a single class. Not converging is reported in fit_info().
  static LogisticModel fit(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const double> y,
                           const LogisticConfig& config = {}, std::span<const double> weights = {});

  LogisticModel(Eigen::VectorXd coefficients, double intercept, FitReport report = {});

  const Eigen::VectorXd& coefficients() const noexcept { return coefficients_; }
  double intercept() const noexcept { return intercept_; }
  const FitReport& fit_info() const noexcept { return report_; }

  /// Log-odds of each row into `out` (size rows).
  void decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const;
  /// The same for rows stored one after another (row-major, as a C-ordered
  /// numpy array), read in place.
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  void decision_function(const Eigen::Map<const RowMajorMatrix>& x, std::span<double> out) const;
  /// P(y = 1) of each row into `out`.
  void predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const;
  /// One row.
  double predict_proba(std::span<const double> row) const;

 private:
  Eigen::VectorXd coefficients_;
  double intercept_ = 0.0;
  FitReport report_;
};

/// The logistic function, safe for large |z|.
double sigmoid(double z) noexcept;

}  // namespace leadscore::scoring
