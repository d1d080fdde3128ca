#include <gtest/gtest.h>

#include <cmath>

#include "../../src/scoring/util.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/scoring/features.hpp"
#include "predictive_test_data.hpp"

using namespace leadscore;
using namespace leadscore::scoring;
using test::categorical;
using test::numeric;

namespace {
const double kNan = std::nan("");
}

TEST(ScoringFeatures, StandardizeWithMissingIndicator) {
  DataTable t;
  t.columns = {numeric("v", {1, 2, 3, kNan})};
  const FeatureMap m = FeatureMap::fit(t.view(), {});
  ASSERT_EQ(m.names(), (std::vector<std::string>{"v", "v (missing)"}));
  const Eigen::MatrixXd x = m.transform(t.view());
  const double sd = std::sqrt(2.0 / 3.0);
  EXPECT_DOUBLE_EQ(x(0, 0), -1 / sd);
  EXPECT_DOUBLE_EQ(x(2, 0), 1 / sd);
  EXPECT_DOUBLE_EQ(x(3, 0), 0.0);  // filled with the median 2, the mean
  EXPECT_EQ(x(3, 1), 1.0);
  EXPECT_EQ(x(0, 1), 0.0);
}

TEST(ScoringFeatures, MinMaxLog1pClipFillAndBuckets) {
  DataTable t;
  t.columns = {numeric("a", {0, 9, 99, kNan}), numeric("b", {1, 2, 3, 4}),
               numeric("c", {0, 1, 2, 3})};
  FeatureConfig c;
  c.columns["a"] = {.scaling = Scaling::min_max,
                    .log1p = true,
                    .missing = MissingPolicy::fill,
                    .fill_value = 0.0};
  c.columns["b"] = {.scaling = Scaling::quantile_buckets, .buckets = 2};
  c.columns["c"] = {.scaling = Scaling::none, .clip_quantile = 0.25};
  const FeatureMap m = FeatureMap::fit(t.view(), c);
  ASSERT_EQ(m.names(), (std::vector<std::string>{"a", "b < 2.5", "b >= 2.5", "c"}));
  const Eigen::MatrixXd x = m.transform(t.view());
  EXPECT_DOUBLE_EQ(x(1, 0), std::log(10.0) / std::log(100.0));
  EXPECT_DOUBLE_EQ(x(3, 0), 0.0);  // the fill value 0, log1p 0 = the minimum
  EXPECT_EQ(x(1, 1), 1.0);
  EXPECT_EQ(x(2, 2), 1.0);
  EXPECT_DOUBLE_EQ(x(0, 3), 0.75);  // clipped to the 25th percentile
  EXPECT_DOUBLE_EQ(x(3, 3), 2.25);
  // Scoring applies what training learned: a new value of 999 stays in [0, 1].
  DataTable u;
  u.columns = {numeric("a", {999}), numeric("b", {100}), numeric("c", {-5})};
  const Eigen::MatrixXd y = m.transform(u.view());
  EXPECT_EQ(y(0, 0), 1.0);
  EXPECT_EQ(y(0, 2), 1.0);
  EXPECT_DOUBLE_EQ(y(0, 3), 0.75);
}

TEST(ScoringFeatures, OneHotWithMinCountOtherAndMissing) {
  DataTable t;
  t.columns = {categorical("src", {0, 0, 0, 1, 1, 1, 1, 2, -1}, {"web", "ref", "fair"})};
  FeatureConfig c;
  c.defaults.min_count = 2;
  const FeatureMap m = FeatureMap::fit(t.view(), c);
  ASSERT_EQ(m.names(), (std::vector<std::string>{"src = ref", "src = web", "src = (other)",
                                                 "src = (missing)"}));
  DataTable u;  // a level unseen in training goes to (other)
  u.columns = {categorical("src", {0, 1, 2}, {"tv", "web", "fair"})};
  const Eigen::MatrixXd x = m.transform(u.view());
  EXPECT_EQ(x.row(0), (Eigen::RowVector4d(0, 0, 1, 0)));
  EXPECT_EQ(x.row(1), (Eigen::RowVector4d(0, 1, 0, 0)));
  EXPECT_EQ(x.row(2), (Eigen::RowVector4d(0, 0, 1, 0)));
}

TEST(ScoringFeatures, RejectsMissingAndMistypedColumns) {
  DataTable t;
  t.columns = {numeric("v", {1, 2}), categorical("s", {0, 1}, {"a", "b"})};
  FeatureConfig c;
  c.include = {"v", "nope"};
  try {
    (void)FeatureMap::fit(t.view(), c);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos);
  }
  const FeatureMap m = FeatureMap::fit(t.view(), {});
  DataTable wrong;
  wrong.columns = {categorical("v", {0}, {"x"}), categorical("s", {0}, {"a"})};
  try {
    (void)m.transform(wrong.view());
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("column 'v' is categorical but was numeric"),
              std::string::npos);
  }
  DataTable absent;
  absent.columns = {numeric("v", {1})};
  EXPECT_THROW((void)m.transform(absent.view()), InvalidInput);
  FeatureConfig lg;
  lg.defaults.log1p = true;
  DataTable neg;
  neg.columns = {numeric("v", {1, -2})};
  EXPECT_THROW((void)FeatureMap::fit(neg.view(), lg), InvalidInput);
  DataTable empty;
  empty.columns = {numeric("v", {kNan, kNan})};
  EXPECT_THROW((void)FeatureMap::fit(empty.view(), {}), InvalidInput);
  FeatureConfig bad;
  bad.defaults.buckets = 1;
  EXPECT_THROW((void)FeatureMap::fit(t.view(), bad), InvalidInput);
}

// The streaming quantile (sampled pivots, one pass) must equal full selection
// exactly, missing values skipped, ties and skew included; large columns only
// take that path, so the column here is large.
TEST(ScoringFeatures, StreamingQuantilesEqualFullSelection) {
  std::vector<double> x(300000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = std::sin(static_cast<double>(i) * 12.9898) * 43758.5453;
    x[i] = i % 7 == 0 ? std::nan("") : i % 5 == 0 ? 3.0 : std::exp(u - std::floor(u)) * 10;
  }
  std::size_t count = 0;
  for (double v : x) count += v == v ? 1 : 0;
  for (double q : {0.0, 1e-6, 0.01, 0.2, 0.5, 0.77, 0.99, 1.0}) {
    std::vector<double> kept;
    for (double v : x)
      if (v == v) kept.push_back(v);
    EXPECT_EQ(scoring::detail::quantile_streaming(x, count, q),
              scoring::detail::quantile_select(kept, q))
        << "q = " << q;
  }
}

TEST(ScoringFeatures, LargeTablesArePreparedOnAllCoresAlike) {
  // Over a million values: columns are fitted in parallel, in column order.
  const std::size_t n = 300000;
  std::vector<std::vector<double>> cols(4, std::vector<double>(n));
  for (std::size_t j = 0; j < cols.size(); ++j)
    for (std::size_t i = 0; i < n; ++i)
      cols[j][i] = std::sin(static_cast<double>(i * (j + 2) % 1009)) * static_cast<double>(j + 1);
  cols[1][7] = std::nan("");
  auto view = [&] {
    std::vector<ColumnView> v;
    for (std::size_t j = 0; j < cols.size(); ++j)
      v.push_back({"c" + std::to_string(j), ColumnKind::numeric, cols[j], {}, {}});
    return TableView(std::move(v));
  };
  const FeatureMap m = FeatureMap::fit(view(), {});
  ASSERT_EQ(m.columns().size(), 4u);
  for (std::size_t j = 0; j < cols.size(); ++j) {
    std::vector<double> v;
    for (double x : cols[j])
      if (x == x) v.push_back(x);
    EXPECT_EQ(m.columns()[j].name, "c" + std::to_string(j));
    EXPECT_EQ(m.columns()[j].fill, detail::quantile_select(v, 0.5)) << j;
  }
  EXPECT_EQ(m.names()[2], "c1 (missing)");
  // The first bad column (in table order) is the one reported.
  for (std::size_t j : {2u, 3u}) std::fill(cols[j].begin(), cols[j].end(), std::nan(""));
  try {
    (void)FeatureMap::fit(view(), {});
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'c2'"), std::string::npos) << e.what();
  }
}
