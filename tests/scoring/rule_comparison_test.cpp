// A/B of rule sets: AUC and lift by hand on small cases, and the report.
#include <gtest/gtest.h>

#include "leadscore/scoring/rule_comparison.hpp"
#include "leadscore/scoring/rules_simulate.hpp"

namespace leadscore::scoring {
namespace {

TEST(RuleComparison, AucCountsTiesAsHalf) {
  const std::vector<std::uint8_t> y{0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(rule_auc(std::vector<double>{1, 2, 3, 4}, y), 1.0);
  EXPECT_DOUBLE_EQ(rule_auc(std::vector<double>{4, 3, 2, 1}, y), 0.0);
  EXPECT_DOUBLE_EQ(rule_auc(std::vector<double>{1, 1, 1, 1}, y), 0.5);
  // Pairs (pos, neg): 3>1, 3>2, 2=2 (half), 2>1 -> 3.5 of 4.
  EXPECT_DOUBLE_EQ(rule_auc(std::vector<double>{1, 2, 3, 2}, y), 3.5 / 4);
  EXPECT_THROW((void)rule_auc(std::vector<double>{1, 2}, std::vector<std::uint8_t>{1, 1}), InvalidInput);
  EXPECT_THROW((void)rule_auc(std::vector<double>{1, 2}, std::vector<std::uint8_t>{1, 2}), InvalidInput);
  EXPECT_THROW((void)rule_auc(std::vector<double>{1, NAN}, std::vector<std::uint8_t>{1, 0}), InvalidInput);
}

TEST(RuleComparison, LiftSharesTiesAtTheCut) {
  // Ten leads, base rate 0.3. Top 20%: scores 9 and 8, one converted -> 0.5 / 0.3.
  const std::vector<double> s{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  const std::vector<std::uint8_t> y{1, 0, 1, 0, 0, 0, 1, 0, 0, 0};
  EXPECT_DOUBLE_EQ(rule_lift(s, y, 0.2), 0.5 / 0.3);
  // All tied: the top 20% converts at the base rate.
  EXPECT_DOUBLE_EQ(rule_lift(std::vector<double>(10, 1.0), y, 0.2), 1.0);
  EXPECT_THROW((void)rule_lift(s, y, 0), InvalidInput);
}

TEST(RuleComparison, ReportsEachRuleSetOnTheSameLeads) {
  const SimulatedLeads sim = simulate_leads(2000, 8, 11);
  const RuleEngine a(load_rule_set(std::string(LEADSCORE_SOURCE_DIR) + "/data/rules/b2b_saas.json"));
  const RuleEngine b(load_rule_set(std::string(LEADSCORE_SOURCE_DIR) + "/data/rules/bench_50.json"));
  // An outcome the first rule set predicts: its own top third converted.
  const RuleScores sa = a.score(sim.profiles, sim.events, sim.as_of);
  std::vector<double> sorted = sa.total;
  std::sort(sorted.begin(), sorted.end());
  const double cut = sorted[sorted.size() * 2 / 3];
  std::vector<std::uint8_t> y;
  for (double t : sa.total) y.push_back(t > cut);
  const std::array<const RuleEngine*, 2> engines{&a, &b};
  const auto r = compare_rule_sets(engines, sim.profiles, sim.events, sim.as_of, y);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "b2b-saas");
  EXPECT_DOUBLE_EQ(r[0].auc, 1.0);
  EXPECT_LT(r[1].auc, 1.0);
  EXPECT_GT(r[1].auc, 0.5);
  std::size_t leads = 0;
  for (const auto& g : r[0].by_grade) leads += g.leads;
  EXPECT_EQ(leads, 2000u);
  EXPECT_THROW((void)compare_rule_sets(engines, sim.profiles, sim.events, sim.as_of, std::vector<std::uint8_t>(3)),
               InvalidInput);
}

}  // namespace
}  // namespace leadscore::scoring
