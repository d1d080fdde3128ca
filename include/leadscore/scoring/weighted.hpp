#pragma once
// Weighted scoring: user-given weights over prepared features, scaled to
// 0-100, for teams that want a transparent points model. 0 is the lowest and
// 100 the highest sum the weights can reach over the training ranges.

#include <Eigen/Core>

#include <map>
#include <span>
#include <string>
#include <vector>

#include "leadscore/scoring/features.hpp"
#include "leadscore/scoring/fit_report.hpp"

namespace leadscore::scoring {

struct WeightedConfig {
  /// Weight per feature name ("Lead Source = Reference") or per numeric
  /// column name (its value feature). Features not named weigh 0.
  std::map<std::string, double> weights;
};

class WeightedModel {
 public:
  /// Resolves the weights against `features` and learns each feature's
  /// training range from `x` (= features.transform(training table)). Throws
  /// InvalidInput on a weight naming no feature, a non-finite weight, or
  /// weights that are all 0.
  static WeightedModel fit(const FeatureMap& features, const Eigen::Ref<const Eigen::MatrixXd>& x,
                           const WeightedConfig& config);

  WeightedModel(Eigen::VectorXd weights, double low, double high, FitReport report = {});

  const Eigen::VectorXd& weights() const noexcept { return weights_; }
  double low() const noexcept { return low_; }
  double high() const noexcept { return high_; }
  const FitReport& fit_info() const noexcept { return report_; }

  /// Points 0-100 per row (clipped).
  void score(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const;

 private:
  Eigen::VectorXd weights_;
  double low_ = 0, high_ = 1;
  FitReport report_;
};

}  // namespace leadscore::scoring
