#include "leadscore/segment/kmeans.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "../temp_file.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/segment/archive.hpp"

namespace leadscore::segment {
namespace {

// n points around each of the given centers, spread sd.
RowMatrix blobs(const std::vector<std::vector<double>>& centers, int per, double sd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, sd);
  const auto d = static_cast<Eigen::Index>(centers[0].size());
  RowMatrix X(static_cast<Eigen::Index>(centers.size()) * per, d);
  Eigen::Index row = 0;
  for (int i = 0; i < per; ++i)
    for (const auto& c : centers) {
      for (Eigen::Index j = 0; j < d; ++j) X(row, j) = c[static_cast<std::size_t>(j)] + noise(rng);
      ++row;
    }
  return X;
}

RowsView view(const RowMatrix& X) { return RowsView(X.data(), X.rows(), X.cols()); }

// Plain Lloyd iterations from the same data, for comparison: the inertia of
// the partition Hamerly ends in must be a fixed point of Lloyd.
double lloyd_step_inertia(const RowMatrix& Y, RowMatrix centers) {
  std::vector<int> label(static_cast<std::size_t>(Y.rows()));
  for (int it = 0; it < 1000; ++it) {
    bool changed = false;
    for (Eigen::Index i = 0; i < Y.rows(); ++i) {
      Eigen::Index best;
      (centers.rowwise() - Y.row(i)).rowwise().squaredNorm().minCoeff(&best);
      if (label[static_cast<std::size_t>(i)] != best) changed = true;
      label[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
    RowMatrix sum = RowMatrix::Zero(centers.rows(), centers.cols());
    Eigen::VectorXd count = Eigen::VectorXd::Zero(centers.rows());
    for (Eigen::Index i = 0; i < Y.rows(); ++i) {
      sum.row(label[static_cast<std::size_t>(i)]) += Y.row(i);
      count(label[static_cast<std::size_t>(i)]) += 1;
    }
    for (Eigen::Index c = 0; c < centers.rows(); ++c)
      if (count(c) > 0) centers.row(c) = sum.row(c) / count(c);
    if (!changed) break;
  }
  double inertia = 0;
  for (Eigen::Index i = 0; i < Y.rows(); ++i)
    inertia += (Y.row(i) - centers.row(label[static_cast<std::size_t>(i)])).squaredNorm();
  return inertia;
}

TEST(SegmentKMeans, RecoversWellSeparatedClusters) {
  const std::vector<std::vector<double>> truth{{0, 0, 0}, {10, 0, 5}, {0, 10, -5}, {10, 10, 10}};
  const RowMatrix X = blobs(truth, 500, 1.0, 1);
  const auto m = KMeansModel::fit(view(X), {.k = 4, .n_init = 3, .seed = 5, .standardize = false});
  EXPECT_TRUE(m.fit_info().converged);
  for (const auto& c : truth) {
    double best = std::numeric_limits<double>::infinity();
    for (int k = 0; k < 4; ++k) {
      double s = 0;
      for (int j = 0; j < 3; ++j) s += std::pow(m.cluster_means()(k, j) - c[static_cast<std::size_t>(j)], 2);
      best = std::min(best, s);
    }
    EXPECT_LT(best, 0.05);
  }
  for (auto s : m.sizes()) EXPECT_EQ(s, 500u);
  // Rows were generated round-robin: row i belongs to truth i % 4.
  for (std::size_t i = 4; i < m.labels().size(); ++i) EXPECT_EQ(m.labels()[i], m.labels()[i % 4]);
  EXPECT_EQ(m.predict(view(X)), m.labels());
  EXPECT_GT(silhouette(m, view(X), 500, 1), 0.7);
}

TEST(SegmentKMeans, EndsAtALloydFixedPointWithTheReportedInertia) {
  const RowMatrix X = blobs({{0, 0}, {3, 1}, {1, 4}, {5, 5}, {2, 2}}, 400, 1.2, 2);  // overlapping
  const auto m = KMeansModel::fit(view(X), {.k = 5, .n_init = 2, .tol = 0, .seed = 1});
  ASSERT_TRUE(m.fit_info().converged);
  const RowMatrix Y = m.transform(view(X));
  const double lloyd = lloyd_step_inertia(Y, m.centers());
  EXPECT_NEAR(lloyd, m.inertia(), 1e-9 * m.inertia());
  double direct = 0;
  for (Eigen::Index i = 0; i < Y.rows(); ++i)
    direct += (Y.row(i) - m.centers().row(m.labels()[static_cast<std::size_t>(i)])).squaredNorm();
  EXPECT_NEAR(direct, m.inertia(), 1e-9 * direct);
}

TEST(SegmentKMeans, ManyFeaturesAndCentersTakeTheGenericPath) {
  // 10 features (no fixed-size kernel) and 11 centers (two packs of eight,
  // five lanes padded): still a Lloyd fixed point, every label the nearest
  // center (the lowest index among equals).
  std::vector<std::vector<double>> truth;
  for (int c = 0; c < 6; ++c) {
    truth.emplace_back(10, 0.0);
    truth.back()[static_cast<std::size_t>(c)] = 2.5;
  }
  RowMatrix X = blobs(truth, 300, 1.0, 4);
  X.row(1) = X.row(0);  // exact duplicates tie on every distance
  const auto m = KMeansModel::fit(view(X), {.k = 11, .n_init = 2, .tol = 0, .seed = 3, .threads = 2});
  ASSERT_TRUE(m.fit_info().converged);
  const RowMatrix Y = m.transform(view(X));
  EXPECT_NEAR(lloyd_step_inertia(Y, m.centers()), m.inertia(), 1e-9 * m.inertia());
  for (Eigen::Index i = 0; i < Y.rows(); ++i) {
    Eigen::Index best;
    (m.centers().rowwise() - Y.row(i)).rowwise().squaredNorm().minCoeff(&best);
    ASSERT_EQ(m.labels()[static_cast<std::size_t>(i)], best) << "row " << i;
  }
  EXPECT_EQ(m.labels()[0], m.labels()[1]);
  EXPECT_EQ(m.predict(view(X)), m.labels());
  const auto one = KMeansModel::fit(view(X), {.k = 11, .n_init = 2, .tol = 0, .seed = 3, .threads = 1});
  EXPECT_EQ(one.labels(), m.labels());
}

TEST(SegmentKMeans, DeterministicForASeedWhateverTheThreads) {
  const RowMatrix X = blobs({{0, 0, 1}, {3, 1, 0}, {1, 4, 2}}, 7000, 1.5, 3);  // 21,000 rows: several blocks
  const auto one = KMeansModel::fit(view(X), {.k = 6, .n_init = 2, .seed = 9, .threads = 1, .log1p = false});
  const auto two = KMeansModel::fit(view(X), {.k = 6, .n_init = 2, .seed = 9, .threads = 2});
  EXPECT_EQ(one.inertia(), two.inertia());
  EXPECT_EQ(one.labels(), two.labels());
  const auto other = KMeansModel::fit(view(X), {.k = 6, .n_init = 2, .seed = 10, .threads = 2});
  EXPECT_NE(one.centers(), other.centers());
}

TEST(SegmentKMeans, TransformsAndChoosesK) {
  RowMatrix X = blobs({{1, 100}, {50, 2000}, {5, 20000}}, 200, 0.1, 4).cwiseAbs();
  const auto m = KMeansModel::fit(view(X), {.k = 3, .n_init = 2, .seed = 1, .log1p = true}, {"orders", "spend"});
  EXPECT_EQ(m.feature_names()[1], "spend");
  const RowMatrix Y = m.transform(view(X));
  EXPECT_NEAR(Y.col(0).mean(), 0.0, 1e-9);
  EXPECT_NEAR((Y.col(1).array().square()).mean(), 1.0, 1e-9);
  EXPECT_NEAR(Y(0, 1), (std::log1p(X(0, 1)) - m.shift()[1]) / m.scale()[1], 1e-12);
  const auto choice = choose_k(view(X), 2, 6, {.n_init = 2, .seed = 3}, 300);
  EXPECT_EQ(choice.best_silhouette_k, 3);
  EXPECT_EQ(choice.elbow_k, 3);
  ASSERT_EQ(choice.inertia.size(), 5u);
  for (std::size_t i = 1; i < choice.inertia.size(); ++i) EXPECT_LT(choice.inertia[i], choice.inertia[i - 1]);
}

TEST(SegmentKMeans, RejectsBadInput) {
  RowMatrix X = blobs({{0, 0}, {5, 5}}, 10, 1.0, 5);
  EXPECT_THROW(KMeansModel::fit(view(X), {.k = 0}), InvalidInput);
  EXPECT_THROW(KMeansModel::fit(view(X), {.k = 21}), InvalidInput);
  EXPECT_THROW(KMeansModel::fit(view(X), {.k = 2, .n_init = 0}), InvalidInput);
  EXPECT_THROW(KMeansModel::fit(view(X), {.k = 2}, {"one"}), InvalidInput);
  EXPECT_THROW(KMeansModel::fit(view(X), {.k = 2, .log1p = true}), InvalidInput);  // negative values
  X(7, 1) = std::nan("");
  try {
    KMeansModel::fit(view(X), {.k = 2});
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("row 7, feature 1"), std::string::npos) << e.what();
  }
  X(7, 1) = 0;
  const auto m = KMeansModel::fit(view(X), {.k = 2});
  const RowMatrix wrong = RowMatrix::Zero(3, 3);
  EXPECT_THROW(m.predict(view(wrong)), InvalidInput);
  // An error inside a worker thread reaches the caller: log1p of -2 in the
  // last of several blocks.
  RowMatrix big = RowMatrix::Constant(40000, 2, 1.0);
  big(39999, 0) = -2;
  const auto logged = KMeansModel::fit(view(blobs({{1, 1}, {5, 5}}, 10, 0.1, 6)), {.k = 2, .threads = 2, .log1p = true});
  EXPECT_THROW(logged.predict(view(big)), InvalidInput);
  EXPECT_THROW(silhouette(KMeansModel::fit(view(X), {.k = 1}), view(X)), InvalidInput);
  EXPECT_THROW(choose_k(view(X), 1, 3, {}), InvalidInput);
}

TEST(SegmentKMeans, SavesAndLoads) {
  const RowMatrix X = blobs({{0, 0, 0}, {4, 4, 4}}, 300, 1.0, 6).cwiseAbs();
  const auto m = KMeansModel::fit(view(X), {.k = 3, .n_init = 2, .seed = 2, .log1p = true}, {"a", "b", "c"});
  test::TempFile file("", "kmeans.model");
  save(m, file.path());
  const auto back = load<KMeansModel>(file.path());
  EXPECT_EQ(back.centers(), m.centers());
  EXPECT_EQ(back.cluster_means(), m.cluster_means());
  EXPECT_EQ(back.sizes(), m.sizes());
  EXPECT_EQ(back.feature_names(), m.feature_names());
  EXPECT_EQ(back.inertia(), m.inertia());
  EXPECT_EQ(back.config().log1p, true);
  EXPECT_EQ(back.fit_info().total_iterations, m.fit_info().total_iterations);
  EXPECT_GT(m.fit_info().total_iterations, m.fit_info().iterations);  // two runs, each at least one iteration
  EXPECT_EQ(back.predict(view(X)), m.labels());
  EXPECT_EQ(from_bytes<KMeansModel>(to_bytes(m)).shift(), m.shift());
  EXPECT_THROW(from_bytes<KMeansModel>(to_bytes(RfmModel({.bins = 2}, {1}, {1}, {1}))), SerializationError);
  std::string damaged = to_bytes(m);
  damaged.resize(damaged.size() / 2);
  EXPECT_THROW(from_bytes<KMeansModel>(damaged), SerializationError);
}

}  // namespace
}  // namespace leadscore::segment
