#pragma once
// Feature preparation that is part of every fitted scorer: what training
// learned (means, ranges, quantiles, frequent levels) is stored and applied
// unchanged when scoring, so a model never sees data prepared differently.

#include <Eigen/Core>

#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "leadscore/scoring/table.hpp"

namespace leadscore::scoring {

/// How a numeric column becomes features (after clipping and log1p).
enum class Scaling {
  none,              ///< the value as is
  standardize,       ///< (x - mean) / sd of the training data (sd 0 -> 1)
  min_max,           ///< (x - min) / (max - min) of the training data, then clipped to [0, 1]
  quantile_buckets,  ///< one 0/1 feature per training-quantile bucket, "TotalVisits in [3, 5)"
};

/// What to do with a missing value.
enum class MissingPolicy {
  indicator,  ///< numeric: fill with the training median and add "<col> (missing)";
              ///< categorical: a "<col> = (missing)" level
  fill,       ///< numeric: fill with `fill_value` (NaN: the training median), no indicator;
              ///< categorical: all level features 0
};

/// How one column is prepared. Defaults suit a logistic regression.
struct ColumnSpec {
  Scaling scaling = Scaling::standardize;
  /// log1p(x) before scaling; values must be > -1.
  bool log1p = false;
  /// Clip numbers to the [q, 1-q] training quantiles first (0: no clipping).
  double clip_quantile = 0.0;
  /// Buckets for quantile_buckets (fewer when quantiles tie).
  int buckets = 10;
  MissingPolicy missing = MissingPolicy::indicator;
  double fill_value = std::numeric_limits<double>::quiet_NaN();
  /// Categorical levels seen fewer times in training share "<col> = (other)",
  /// as do levels first seen when scoring.
  std::size_t min_count = 10;
};

struct FeatureConfig {
  /// Columns to use; empty means every column not in `exclude`.
  std::vector<std::string> include;
  /// Columns never used (ids, the target, leaky fields).
  std::vector<std::string> exclude;
  /// The spec of every column not named in `columns`.
  ColumnSpec defaults;
  /// Per-column specs.
  std::map<std::string, ColumnSpec> columns;
};

/// One prepared column, as learned from training data.
struct PreparedColumn {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  ColumnSpec spec;
  // numeric
  double clip_low = -std::numeric_limits<double>::infinity();
  double clip_high = std::numeric_limits<double>::infinity();
  double center = 0.0;  // mean or min
  double scale = 1.0;   // sd or range
  double fill = 0.0;    // value used for missing numbers (before transforms)
  bool has_indicator = false;
  std::vector<double> edges;  // quantile_buckets: interior edges, ascending
  // categorical: kept levels in feature order; then (other), then (missing)
  std::vector<std::string> levels;
  bool has_other = false;
  // the first feature index of this column and how many it has
  std::size_t first = 0;
  std::size_t width = 0;
};

/// The fitted feature map: table -> dense matrix of features.
class FeatureMap {
 public:
  /// Learns the preparation from `table`. Throws InvalidInput when a named
  /// column does not exist, a log1p column holds a value <= -1, a column has
  /// no non-missing value, or no feature is left.
  static FeatureMap fit(const TableView& table, const FeatureConfig& config);

  /// Rebuilds a map from its learned parts (used by load).
  static FeatureMap from_columns(std::vector<PreparedColumn> columns);

  std::size_t size() const noexcept { return names_.size(); }
  /// Readable feature names: "TotalVisits", "TotalVisits (missing)",
  /// "Lead Source = Reference", "Lead Source = (other)", "tenure in [12, 24)".
  const std::vector<std::string>& names() const noexcept { return names_; }
  const std::vector<PreparedColumn>& columns() const noexcept { return columns_; }

  /// Rows x features. Throws InvalidInput naming the column when a column is
  /// absent or has the other kind (numeric vs categorical) than in training,
  /// or a log1p value is <= -1 (with the row).
  Eigen::MatrixXd transform(const TableView& table) const;
  /// Writes into `out` (rows x size()), without allocating.
  void transform(const TableView& table, Eigen::Ref<Eigen::MatrixXd> out) const;

 private:
  std::vector<PreparedColumn> columns_;
  std::vector<std::string> names_;
};

/// The columns of `table` a config selects (include / exclude applied), in
/// table order; throws InvalidInput for a named column that does not exist.
std::vector<std::string> selected_columns(const TableView& table,
                                          const std::vector<std::string>& include,
                                          const std::vector<std::string>& exclude);

}  // namespace leadscore::scoring
