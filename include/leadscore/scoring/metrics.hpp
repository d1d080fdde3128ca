#pragma once
// Evaluating probabilities against outcomes (AUC, log loss, Brier score,
// lift and gains by decile, a calibration table) and seeded splits.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace leadscore::scoring {

/// Area under the ROC curve (ties count half). Throws InvalidInput on size
/// mismatch, non-0/1 targets, non-finite scores or a single class.
double roc_auc(std::span<const double> y, std::span<const double> score);
/// Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15].
double log_loss(std::span<const double> y, std::span<const double> p);
/// Mean squared error of the probabilities.
double brier_score(std::span<const double> y, std::span<const double> p);

/// One group of rows, highest scores first.
struct LiftRow {
  int group = 0;  ///< 1 = highest scores
  std::size_t count = 0;
  double positives = 0;
  double rate = 0;             ///< positives / count
  double lift = 0;             ///< rate / overall rate
  double cumulative_gain = 0;  ///< share of all positives in groups 1..group
  double cumulative_lift = 0;
  double min_score = 0, max_score = 0;
};
/// Rows sorted by score, highest first, cut into `groups` groups of (near)
/// equal size.
std::vector<LiftRow> lift_table(std::span<const double> y, std::span<const double> score,
                                int groups = 10);

struct CalibrationRow {
  double low = 0, high = 0;  ///< the bin [low, high) of predicted probability
  std::size_t count = 0;
  double mean_predicted = 0;
  double observed_rate = 0;
};
/// Equal-width bins of predicted probability; empty bins are left out.
std::vector<CalibrationRow> calibration_table(std::span<const double> y, std::span<const double> p,
                                              int bins = 10);

struct Evaluation {
  std::size_t rows = 0;
  double base_rate = 0;
  double auc = 0, log_loss = 0, brier = 0;
  std::vector<LiftRow> lift;
  std::vector<CalibrationRow> calibration;
};
Evaluation evaluate(std::span<const double> y, std::span<const double> p);

struct Split {
  std::vector<std::size_t> train, test;
};
/// A random split with `test_fraction` of the rows in test, the same for the
/// same seed on every platform. With `stratify` (0/1 per row) each class is
/// split in that proportion.
Split train_test_split(std::size_t n, double test_fraction, std::uint64_t seed,
                       std::span<const double> stratify = {});
/// k folds; fold f tests on its rows and trains on the rest.
std::vector<Split> k_fold(std::size_t n, int k, std::uint64_t seed,
                          std::span<const double> stratify = {});

}  // namespace leadscore::scoring
