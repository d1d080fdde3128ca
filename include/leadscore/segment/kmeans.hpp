#pragma once
// Behavioural clusters: k-means on customer features.
//
//   segment::KMeansConfig config{.k = 6, .n_init = 10, .seed = 42};
//   config.log1p = true;                       // skewed spend and counts
//   auto model = segment::KMeansModel::fit(X, config, {"recency", "frequency", "monetary"});
//   model.labels();   model.inertia();   model.cluster_means();
//   model.predict(new_rows, labels);
//
// Fitting: optional log1p of every feature, then (by default) standardizing
// each feature to mean 0 and population standard deviation 1 (as
// scikit-learn's StandardScaler; a constant feature keeps scale 1). Seeding
// is greedy k-means++ (2 + floor(ln k) candidates per center, the most
// reducing one kept, as scikit-learn), then Hamerly's exact algorithm: the
// same result as Lloyd's iterations with most distance computations skipped
// by bounds. Iterations stop when no label changes or the centers move less
// than tol * (mean feature variance) in total squared distance, as
// scikit-learn. The best of n_init seeded runs (least inertia) is kept.
//
// Work is spread over `threads` threads in fixed blocks of rows whose
// results are combined in block order, so a fit is deterministic for a
// given seed whatever the number of threads.

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace leadscore::segment {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Rows = customers, columns = features, row-major (numpy's C order).
using RowsView = Eigen::Map<const RowMatrix>;

struct KMeansConfig {
  int k = 8;
  /// Seeded runs; the one with the least inertia is kept.
  int n_init = 10;
  int max_iter = 300;
  /// Relative to the mean variance of the (transformed) features.
  double tol = 1e-4;
  std::uint64_t seed = 0;
  /// 0 = every hardware thread.
  int threads = 0;
  /// log1p of every feature before standardizing (values must be > -1).
  bool log1p = false;
  bool standardize = true;
};

struct KMeansFitInfo {
  bool converged = false;  ///< the kept run stopped before max_iter
  int iterations = 0;      ///< of the kept run
  int total_iterations = 0;  ///< of all n_init runs
  int best_init = 0;       ///< which run was kept (0-based)
  double inertia = 0;      ///< sum of squared distances, transformed space
  double seconds = 0;
  std::size_t n_rows = 0;
};

class KMeansModel {
 public:
  /// Throws InvalidInput on k < 1, k > rows, n_init < 1, max_iter < 1, tol
  /// < 0, a value that is not finite (naming row and feature), log1p of a
  /// value <= -1, or feature names that do not match the columns.
  static KMeansModel fit(RowsView X, const KMeansConfig& config, std::vector<std::string> feature_names = {});

  /// The nearest center of each row (after the model's transform).
  void predict(RowsView X, std::span<std::int32_t> labels) const;
  std::vector<std::int32_t> predict(RowsView X) const;
  int predict_one(std::span<const double> row) const;
  /// Rows transformed as the model does before clustering.
  RowMatrix transform(RowsView X) const;

  int k() const noexcept { return static_cast<int>(centers_.rows()); }
  int n_features() const noexcept { return static_cast<int>(centers_.cols()); }
  const std::vector<std::string>& feature_names() const noexcept { return feature_names_; }
  /// Centers in the transformed (log1p, standardized) space.
  const RowMatrix& centers() const noexcept { return centers_; }
  /// Per cluster mean of each feature in the original units, and sizes.
  const RowMatrix& cluster_means() const noexcept { return cluster_means_; }
  const std::vector<std::size_t>& sizes() const noexcept { return sizes_; }
  /// Labels of the rows the model was fitted on (not saved with the model).
  const std::vector<std::int32_t>& labels() const noexcept { return labels_; }
  double inertia() const noexcept { return info_.inertia; }
  const KMeansFitInfo& fit_info() const noexcept { return info_; }
  const KMeansConfig& config() const noexcept { return config_; }
  const std::vector<double>& shift() const noexcept { return shift_; }
  const std::vector<double>& scale() const noexcept { return scale_; }

  /// For deserialization: validates and rebuilds a model.
  KMeansModel(KMeansConfig config, std::vector<std::string> feature_names, std::vector<double> shift,
              std::vector<double> scale, RowMatrix centers, RowMatrix cluster_means, std::vector<std::size_t> sizes,
              KMeansFitInfo info);

  static constexpr const char* kind = "kmeans";

 private:
  KMeansModel() = default;
  void transform_row(const double* in, double* out) const;
  KMeansConfig config_;
  std::vector<std::string> feature_names_;
  std::vector<double> shift_, scale_;  // y = (f(x) - shift) / scale
  RowMatrix centers_, cluster_means_;
  std::vector<std::size_t> sizes_;
  std::vector<std::int32_t> labels_;
  KMeansFitInfo info_;
};

/// Mean silhouette of a seeded sample of at most `sample_size` rows
/// (all rows when there are fewer), on the model's transformed features,
/// Euclidean distance, as scikit-learn's silhouette_score. A row alone in
/// its cluster within the sample scores 0. Needs k >= 2.
double silhouette(const KMeansModel& model, RowsView X, std::size_t sample_size = 2000, std::uint64_t seed = 0,
                  int threads = 0);

struct KChoice {
  std::vector<int> k;
  std::vector<double> inertia;
  std::vector<double> silhouette;
  int best_silhouette_k = 0;  ///< k with the highest mean silhouette
  /// The elbow: the k farthest below the straight line from the first to
  /// the last (k, inertia) point, both axes scaled to 0..1.
  int elbow_k = 0;
};

/// Fits k = k_min..k_max (k_min >= 2) with `config` (its k ignored) and
/// scores each by inertia and sampled silhouette.
KChoice choose_k(RowsView X, int k_min, int k_max, const KMeansConfig& config,
                 std::size_t silhouette_sample = 2000);

}  // namespace leadscore::segment
