#include <gtest/gtest.h>

#include <cmath>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/naive_bayes.hpp"
#include "predictive_test_data.hpp"

using namespace leadscore;
using namespace leadscore::scoring;
using test::categorical;
using test::numeric;

TEST(ScoringNaiveBayes, LogOddsFromSmoothedCountsByHand) {
  DataTable t;
  // source: web won 1 lost 2; ref won 2 lost 0; missing once (skipped).
  t.columns = {categorical("source", {0, 0, 0, 1, 1, -1}, {"web", "ref"})};
  const std::vector<double> y{1, 0, 0, 1, 1, 0};
  const auto m = NaiveBayesModel::fit(t.view(), y, {.alpha = 1.0});
  std::vector<double> z(6);
  m.log_odds(t.view(), z);
  const double prior = std::log(4.0 / 4.0);  // (3 won + 1) / (3 lost + 1)
  // P(web | won) = (1+1)/(3+2), P(web | lost) = (2+1)/(2+2)
  EXPECT_NEAR(z[0], prior + std::log(2.0 / 5) - std::log(3.0 / 4), 1e-12);
  EXPECT_NEAR(z[3], prior + std::log(3.0 / 5) - std::log(1.0 / 4), 1e-12);
  EXPECT_NEAR(z[5], prior, 1e-12);
  const auto r = m.contributions(t.view(), 3);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].feature, "source = ref");
}

TEST(ScoringNaiveBayes, IncrementalUpdatesEqualAFullRebuild) {
  const auto s = test::simulate_leads(4000, 3);
  const std::vector<std::size_t> first = [] {
    std::vector<std::size_t> v;
    for (std::size_t i = 0; i < 3000; ++i) v.push_back(i);
    return v;
  }();
  const std::vector<std::size_t> rest = [] {
    std::vector<std::size_t> v;
    for (std::size_t i = 3000; i < 4000; ++i) v.push_back(i);
    return v;
  }();
  const DataTable a = s.table.take(first), b = s.table.take(rest);
  const std::vector<double> ya(s.y.begin(), s.y.begin() + 3000), yb(s.y.begin() + 3000, s.y.end());
  const auto base = NaiveBayesModel::fit(a.view(), ya, {.buckets = 5});
  ASSERT_EQ(base.fields()[0].values.size(), 5u);
  // Leads won or lost one at a time...
  NaiveBayesModel updated = base;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::size_t one[] = {i};
    updated = updated.with_outcomes(b.take(one).view(), std::vector<double>{yb[i]});
  }
  // ... give the same model as recounting everything.
  const auto rebuilt = base.rebuilt(s.table.view(), s.y);
  EXPECT_EQ(updated.won(), rebuilt.won());
  for (std::size_t f = 0; f < rebuilt.fields().size(); ++f) {
    EXPECT_EQ(updated.fields()[f].values, rebuilt.fields()[f].values);
    EXPECT_EQ(updated.fields()[f].won, rebuilt.fields()[f].won);
    EXPECT_EQ(updated.fields()[f].lost, rebuilt.fields()[f].lost);
  }
  std::vector<double> p1(4000), p2(4000);
  updated.predict_proba(s.table.view(), p1);
  rebuilt.predict_proba(s.table.view(), p2);
  EXPECT_EQ(p1, p2);
  EXPECT_NE(p1[0], [&] {
    std::vector<double> p(4000);
    base.predict_proba(s.table.view(), p);
    return p[0];
  }());
}

TEST(ScoringNaiveBayes, NewLevelsAndBadInput) {
  DataTable t;
  t.columns = {categorical("s", {0, 1}, {"a", "b"}), numeric("v", {1, std::nan("")})};
  const auto m = NaiveBayesModel::fit(t.view(), std::vector<double>{1, 0}, {});
  DataTable u;
  u.columns = {categorical("s", {0}, {"c"}), numeric("v", {5})};
  const auto m2 = m.with_outcomes(u.view(), std::vector<double>{1});
  EXPECT_EQ(m2.fields()[0].values, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_THROW((void)NaiveBayesModel::fit(t.view(), std::vector<double>{1, 1}, {}), InvalidInput);
  EXPECT_THROW((void)NaiveBayesModel::fit(t.view(), std::vector<double>{1, 0}, {.alpha = 0}),
               InvalidInput);
  EXPECT_THROW((void)NaiveBayesModel::fit(t.view(), std::vector<double>{1, 0}, {.exclude = {"zz"}}),
               InvalidInput);
  EXPECT_THROW((void)m.with_outcomes(u.view(), std::vector<double>{2}), InvalidInput);
  DataTable wrong;
  wrong.columns = {numeric("s", {1}), numeric("v", {5})};
  std::vector<double> out(1);
  EXPECT_THROW(m.predict_proba(wrong.view(), out), InvalidInput);
}
