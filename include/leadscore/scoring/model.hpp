#pragma once
// A predictive scorer as a CRM product uses it: feature preparation, one of
// the three learned scorers, and an optional calibration, fitted together
// on a table of won/lost history and applied to new rows with reasons.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "leadscore/scoring/calibration.hpp"
#include "leadscore/scoring/features.hpp"
#include "leadscore/scoring/logistic.hpp"
#include "leadscore/scoring/metrics.hpp"
#include "leadscore/scoring/naive_bayes.hpp"
#include "leadscore/scoring/weighted.hpp"

namespace leadscore::scoring {

enum class ModelKind { logistic, naive_bayes, weighted };
enum class Calibration { none, platt, isotonic };

const char* to_string(ModelKind kind) noexcept;     ///< "logistic", "naive-bayes", "weighted"
ModelKind parse_model_kind(std::string_view name);  ///< throws InvalidInput

struct PredictiveConfig {
  ModelKind kind = ModelKind::logistic;
  /// Which columns and how they are prepared (naive-bayes uses only the
  /// include / exclude lists: it counts raw values).
  FeatureConfig features;
  LogisticConfig logistic;
  NaiveBayesConfig naive_bayes;
  WeightedConfig weighted;
  /// Fitted on the training scores. The weighted scorer always gets at
  /// least Platt scaling, so that it has probabilities.
  Calibration calibration = Calibration::none;
  /// Kept in the model for reports: the target column and its positive value.
  std::string target;
  std::string positive_label;
  /// Kept in the model: field texts read as missing in training (such as
  /// "Select"), so that files scored later are read the same way.
  std::vector<std::string> missing_values;
};

class PredictiveModel {
 public:
  using Scorer = std::variant<LogisticModel, NaiveBayesModel, WeightedModel>;
  using Calibrator = std::variant<std::monostate, PlattCalibrator, IsotonicCalibrator>;

  /// Fits on `table` (the target column, if present, must be excluded by the
  /// caller or is excluded by name `config.target`) with 0/1 outcomes `y`.
  static PredictiveModel fit(const TableView& table, std::span<const double> y,
                             const PredictiveConfig& config);

  PredictiveModel(ModelKind kind, std::optional<FeatureMap> features, Scorer scorer,
                  Calibrator calibrator, std::string target, std::string positive_label,
                  std::vector<std::string> missing_values = {});

  ModelKind kind() const noexcept { return kind_; }
  const std::optional<FeatureMap>& features() const noexcept { return features_; }
  const Scorer& scorer() const noexcept { return scorer_; }
  const Calibrator& calibrator() const noexcept { return calibrator_; }
  const std::string& target() const noexcept { return target_; }
  const std::string& positive_label() const noexcept { return positive_label_; }
  const std::vector<std::string>& missing_values() const noexcept { return missing_values_; }
  const FitReport& fit_info() const noexcept;
  /// The table columns the model reads, and which of them are numeric.
  std::vector<std::string> input_columns() const;
  std::vector<std::string> numeric_columns() const;
  std::vector<std::string> categorical_columns() const;

  /// P(won) per row.
  void predict_proba(const TableView& table, std::span<double> out) const;
  std::vector<double> predict_proba(const TableView& table) const;
  /// 0-100 per row: 100 x probability, or the points of the weighted scorer.
  void score(const TableView& table, std::span<double> out) const;
  /// The `k` largest positive and `k` largest negative contributions of
  /// `row` to its log-odds (points for the weighted scorer), largest first.
  std::vector<Reason> reasons(const TableView& table, std::size_t row, std::size_t k = 3) const;

 private:
  void raw(const TableView& table, std::span<double> out) const;  // before calibration
  std::vector<Reason> contributions(const TableView& one_row) const;

  ModelKind kind_;
  std::optional<FeatureMap> features_;
  Scorer scorer_;
  Calibrator calibrator_;
  std::string target_, positive_label_;
  std::vector<std::string> missing_values_;
};

/// The AUC of each of `k` folds (seeded, stratified by `y`).
std::vector<double> cross_validate(const DataTable& table, std::span<const double> y,
                                   const PredictiveConfig& config, int k, std::uint64_t seed);

}  // namespace leadscore::scoring
