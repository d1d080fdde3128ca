#pragma once
// Turning scores into calibrated probabilities: Platt scaling (a logistic
// fit on the score) and isotonic regression (pool-adjacent-violators).

#include <span>
#include <vector>

namespace leadscore::scoring {

/// p = sigmoid(a * score + b), fitted by Newton's method with Platt's
/// smoothed targets.
class PlattCalibrator {
 public:
  /// Throws InvalidInput on size mismatch, non-0/1 targets or non-finite scores.
  static PlattCalibrator fit(std::span<const double> score, std::span<const double> y);
  PlattCalibrator(double a, double b) : a_(a), b_(b) {}
  double a() const noexcept { return a_; }
  double b() const noexcept { return b_; }
  double apply(double score) const noexcept;
  void apply(std::span<const double> score, std::span<double> out) const;

 private:
  double a_ = 1, b_ = 0;
};

/// A non-decreasing step function of the score, interpolated linearly
/// between the fitted points and flat beyond them.
class IsotonicCalibrator {
 public:
  static IsotonicCalibrator fit(std::span<const double> score, std::span<const double> y);
  IsotonicCalibrator(std::vector<double> x, std::vector<double> y);
  const std::vector<double>& x() const noexcept { return x_; }
  const std::vector<double>& y() const noexcept { return y_; }
  double apply(double score) const noexcept;
  void apply(std::span<const double> score, std::span<double> out) const;

 private:
  std::vector<double> x_, y_;
};

}  // namespace leadscore::scoring
