// Weighted points scoring; see leadscore/scoring/weighted.hpp.
#include "leadscore/scoring/weighted.hpp"

#include <algorithm>
#include <cmath>

#include "leadscore/core/error.hpp"

namespace leadscore::scoring {

WeightedModel::WeightedModel(Eigen::VectorXd weights, double low, double high, FitReport report)
    : weights_(std::move(weights)), low_(low), high_(high), report_(std::move(report)) {
  if (!weights_.allFinite() || !std::isfinite(low_) || !std::isfinite(high_) || !(high_ > low_))
    throw InvalidInput("WeightedModel: weights must be finite and the score range non-empty");
  if (report_.solver.empty()) report_.solver = "weights";
}

WeightedModel WeightedModel::fit(const FeatureMap& features,
                                 const Eigen::Ref<const Eigen::MatrixXd>& x,
                                 const WeightedConfig& config) {
  if (static_cast<std::size_t>(x.cols()) != features.size())
    throw InvalidInput("WeightedModel::fit: the matrix has " + std::to_string(x.cols()) +
                       " features, the map " + std::to_string(features.size()));
  if (x.rows() == 0) throw InvalidInput("WeightedModel::fit: no rows");
  Eigen::VectorXd w = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(features.size()));
  const auto& names = features.names();
  for (const auto& [key, weight] : config.weights) {
    if (!std::isfinite(weight))
      throw InvalidInput("WeightedModel::fit: weight of '" + key + "' is not finite");
    auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end()) {
      std::string known;
      for (std::size_t j = 0; j < names.size() && j < 12; ++j)
        known += (j ? ", '" : "'") + names[j] + "'";
      throw InvalidInput("WeightedModel::fit: weight for '" + key +
                         "', which is no feature (features: " + known +
                         (names.size() > 12 ? ", ...)" : ")"));
    }
    w[it - names.begin()] = weight;
  }
  if (w.cwiseAbs().maxCoeff() == 0) throw InvalidInput("WeightedModel::fit: every weight is 0");
  // The lowest and highest sums the weights reach over the training ranges.
  double low = 0, high = 0;
  for (Eigen::Index j = 0; j < w.size(); ++j) {
    const double a = w[j] * x.col(j).minCoeff(), b = w[j] * x.col(j).maxCoeff();
    low += std::min(a, b);
    high += std::max(a, b);
  }
  if (!(high > low))
    throw InvalidInput("WeightedModel::fit: the weighted features are constant in training");
  WeightedModel m(std::move(w), low, high);
  m.report_.rows = static_cast<std::size_t>(x.rows());
  return m;
}

void WeightedModel::score(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const {
  if (x.cols() != weights_.size() || out.size() != static_cast<std::size_t>(x.rows()))
    throw InvalidInput("WeightedModel::score: wrong matrix or output size");
  Eigen::Map<Eigen::VectorXd> s(out.data(), x.rows());
  s.noalias() = x * weights_;
  const double k = 100.0 / (high_ - low_);
  s = ((s.array() - low_) * k).cwiseMax(0.0).cwiseMin(100.0);
}

}  // namespace leadscore::scoring
