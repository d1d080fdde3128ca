#include "leadscore/churn/archive.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "test_data.hpp"

using namespace leadscore::churn;

namespace {
std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("leadscore_" + name + "_" + std::to_string(::getpid()))).string();
}
struct Cdnow {
  leadscore::test::Table t = leadscore::test::read_csv("data/cdnow/cdnow_customers_summary.csv");
  SummaryView view() const { return SummaryView{t.col("frequency"), t.col("recency"), t.col("T"), {}, t.first}; }
};

template <class Model>
void expect_same(const Model& a, const Model& b) {
  const auto &fa = a.fit_info(), &fb = b.fit_info();
  EXPECT_EQ(fa.converged, fb.converged);
  EXPECT_EQ(fa.iterations, fb.iterations);
  EXPECT_EQ(fa.log_likelihood, fb.log_likelihood);
  EXPECT_EQ(fa.seconds, fb.seconds);
  EXPECT_EQ(fa.n_unique, fb.n_unique);
  EXPECT_EQ(fa.names, fb.names);
  EXPECT_EQ(fa.estimates, fb.estimates);
  EXPECT_EQ(fa.standard_errors, fb.standard_errors);
  EXPECT_EQ(fa.ci_lower, fb.ci_lower);
  EXPECT_EQ(fa.ci_upper, fb.ci_upper);
  EXPECT_EQ(a.p_alive(3, 20, 30), b.p_alive(3, 20, 30));
}

template <class Model>
void round_trip(const Model& m, const std::string& name) {
  const std::string path = tmp_path(name);
  save(m, path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const Model back = load<Model>(path);
  expect_same(m, back);
  expect_same(m, from_bytes<Model>(to_bytes(m)));
  std::filesystem::remove(path);
}
}  // namespace

TEST(Archive, RoundTripsEveryModel) {
  const Cdnow d;
  round_trip(BgNbdModel::fit(d.view()), "bg");
  round_trip(ParetoNbdModel::fit(d.view()), "pn");
  round_trip(MbgNbdModel::fit(d.view()), "mbg");
  round_trip(BgNbdModel({0.243, 4.414, 0.793, 2.426}), "bg_fixed");  // unfitted: empty FitInfo
  const auto don = leadscore::test::read_csv("data/donations/donations.csv");
  const auto bb = BgBbModel::fit(DiscreteView{don.col("frequency"), don.col("recency"), don.col("periods"), don.col("weights"), {}});
  const std::string path = tmp_path("bb");
  save(bb, path);
  const auto back = load<BgBbModel>(path);
  EXPECT_EQ(back.params().alpha, bb.params().alpha);
  EXPECT_EQ(back.p_alive(2, 4, 6), bb.p_alive(2, 4, 6));
  std::filesystem::remove(path);
}

TEST(Archive, WrongKindOrDamageIsSerializationError) {
  const BgNbdModel m({0.243, 4.414, 0.793, 2.426});
  const std::string path = tmp_path("kind");
  save(m, path);
  EXPECT_THROW(load<ParetoNbdModel>(path), leadscore::SerializationError);
  EXPECT_THROW(load<BgNbdModel>(path + ".missing"), leadscore::SerializationError);
  std::string bytes = to_bytes(m);
  EXPECT_THROW(from_bytes<BgNbdModel>(bytes.substr(0, bytes.size() / 2)), leadscore::SerializationError);
  EXPECT_THROW(from_bytes<BgNbdModel>("hello world"), leadscore::SerializationError);
  EXPECT_THROW(from_bytes<BgNbdModel>("leadscore-model bg_nbd 99\n"), leadscore::SerializationError);
  EXPECT_THROW(save(m, "/nonexistent-dir/x/model.txt"), leadscore::SerializationError);
  std::filesystem::remove(path);
}
