#include "leadscore/segment/tiers.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "leadscore/core/error.hpp"
#include "leadscore/segment/concentration.hpp"

namespace leadscore::segment {
namespace {

TEST(SegmentTiers, HighestTierReachedBySpendOrdersOrPoints) {
  TierConfig c;
  const std::vector<double> orders{1, 3, 10, 0};
  const std::vector<double> spend{100, 500, 20000, 0};
  auto t = assign_tiers(c, orders, spend);
  EXPECT_EQ(tier_name(c, t[0]), "bronze");
  EXPECT_EQ(tier_name(c, t[1]), "silver");  // threshold reached exactly
  EXPECT_EQ(tier_name(c, t[2]), "platinum");
  c.tiers = TierConfig::parse_tiers("member:1,regular:3,vip:10");
  c.measure = TierMeasure::orders;
  t = assign_tiers(c, orders, spend);
  EXPECT_EQ(tier_name(c, t[0]), "member");
  EXPECT_EQ(tier_name(c, t[1]), "regular");
  EXPECT_EQ(tier_name(c, t[2]), "vip");
  EXPECT_EQ(tier_name(c, t[3]), "none");
  c.measure = TierMeasure::points;
  c.points_per_spend = 0.01;
  c.points_per_order = 1;  // points: 2, 8, 210, 0
  t = assign_tiers(c, orders, spend);
  EXPECT_EQ(tier_name(c, t[0]), "member");
  EXPECT_EQ(tier_name(c, t[1]), "regular");
}

TEST(SegmentTiers, RejectsBadConfigs) {
  EXPECT_THROW(TierConfig::parse_tiers("gold"), InvalidInput);
  EXPECT_THROW(TierConfig::parse_tiers("gold:x"), InvalidInput);
  EXPECT_THROW(TierConfig::parse_tiers(":3"), InvalidInput);
  EXPECT_THROW(TierConfig::parse_measure("revenue"), InvalidInput);
  TierConfig c;
  c.tiers = {{"a", 0}, {"b", 0}};
  EXPECT_THROW(c.validate(), InvalidInput);
  c.tiers = {{"a", 0}, {"a", 1}};
  EXPECT_THROW(c.validate(), InvalidInput);
  c.tiers = {};
  EXPECT_THROW(c.validate(), InvalidInput);
  EXPECT_THROW(assign_tiers(TierConfig{}, std::vector<double>{1}, std::vector<double>{}), InvalidInput);
  EXPECT_THROW(assign_tiers(TierConfig{}, std::vector<double>{1}, std::vector<double>{NAN}), InvalidInput);
}

TEST(SegmentConcentration, GiniLorenzAndTopShares) {
  // Equal values: no concentration.
  const std::vector<double> equal(10, 5.0);
  EXPECT_NEAR(gini(equal), 0.0, 1e-12);
  EXPECT_NEAR(top_share(equal, 0.2), 0.2, 1e-12);
  // One customer has everything: G = (n - 1) / n.
  std::vector<double> one(10, 0.0);
  one[3] = 7;
  EXPECT_NEAR(gini(one), 0.9, 1e-12);
  EXPECT_NEAR(top_share(one, 0.1), 1.0, 1e-12);
  EXPECT_NEAR(top_share(one, 0.05), 0.5, 1e-12);  // half a customer
  // 1..4: G = sum |xi - xj| / (2 n^2 mean) = 20 / (2 * 16 * 2.5) = 0.25.
  const std::vector<double> v{3, 1, 4, 2};
  const auto c = concentration(v, 5);
  EXPECT_NEAR(c.gini, 0.25, 1e-12);
  EXPECT_EQ(c.total, 10);
  ASSERT_EQ(c.lorenz.size(), 5u);
  EXPECT_NEAR(c.lorenz[1].value_share, 0.1, 1e-12);
  EXPECT_NEAR(c.lorenz[2].value_share, 0.3, 1e-12);
  EXPECT_NEAR(c.lorenz[4].value_share, 1.0, 1e-12);
  EXPECT_NEAR(c.top_50, 0.7, 1e-12);
  EXPECT_NEAR(c.customers_for_80, 0.75, 1e-12);  // 4 + 3 = 70% < 80%, + 2 = 90%
}

TEST(SegmentConcentration, RejectsBadValues) {
  EXPECT_THROW(gini(std::vector<double>{}), InvalidInput);
  EXPECT_THROW(gini(std::vector<double>{1, -1}), InvalidInput);
  EXPECT_THROW(gini(std::vector<double>{0, 0}), InvalidInput);
  EXPECT_THROW(gini(std::vector<double>{1, INFINITY}), InvalidInput);
  EXPECT_THROW(top_share(std::vector<double>{1, 2}, 0), InvalidInput);
  EXPECT_THROW(concentration(std::vector<double>{1, 2}, 1), InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
