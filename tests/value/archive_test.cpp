#include "leadscore/value/archive.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "../churn/test_data.hpp"

using namespace leadscore::value;

TEST(ValueArchive, GammaGammaRoundTrip) {
  const auto t = leadscore::test::read_csv("data/cdnow/cdnow_customers_summary_with_transactions.csv");
  const auto m = GammaGammaModel::fit(SpendView{t.col("x"), t.col("zbar"), {}, {}});
  const std::string path =
      (std::filesystem::temp_directory_path() / ("leadscore_gg_" + std::to_string(::getpid()))).string();
  save(m, path);
  const auto back = load<GammaGammaModel>(path);
  EXPECT_EQ(back.params().p, m.params().p);
  EXPECT_EQ(back.params().q, m.params().q);
  EXPECT_EQ(back.params().gamma, m.params().gamma);
  EXPECT_EQ(back.fit_info().log_likelihood, m.fit_info().log_likelihood);
  EXPECT_EQ(back.fit_info().standard_errors, m.fit_info().standard_errors);
  EXPECT_EQ(from_bytes<GammaGammaModel>(to_bytes(m)).params().q, m.params().q);
  std::string bytes = to_bytes(m);
  bytes.replace(bytes.find("gamma_gamma"), 11, "bg_nbd");
  EXPECT_THROW(from_bytes<GammaGammaModel>(bytes), leadscore::SerializationError);
  std::filesystem::remove(path);
}
