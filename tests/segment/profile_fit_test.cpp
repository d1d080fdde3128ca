#include "leadscore/segment/profile_fit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {
namespace {

ProfileTable table() {
  ProfileTable t;
  t.customer = {0, 1, 2};
  t.columns.push_back({"industry", AttributeKind::firmographic,
                       std::vector<std::optional<std::string>>{"retail", "banking", std::nullopt}});
  t.columns.push_back({"employees", AttributeKind::firmographic, std::vector<double>{120, 80, NAN}});
  return t;
}

TEST(SegmentProfileFit, WeightedShareOfCriteriaMet) {
  const std::vector<FitCriterion> target{{.field = "industry", .any_of = {"retail", "media"}},
                                         {.field = "employees", .min = 100, .max = 500, .weight = 3}};
  const auto f = profile_fit(table(), target);
  EXPECT_DOUBLE_EQ(f.score[0], 1.0);
  EXPECT_EQ(f.matched[0], "industry;employees");
  EXPECT_DOUBLE_EQ(f.score[1], 0.0);  // banking, 80 employees
  EXPECT_DOUBLE_EQ(f.score[2], 0.0);  // missing values meet nothing
  const std::vector<FitCriterion> small{{.field = "employees", .max = 100}};
  EXPECT_EQ(profile_fit(table(), small).matched[1], "employees");
}

TEST(SegmentProfileFit, RejectsBadCriteria) {
  const auto t = table();
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{}), InvalidInput);
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{{.field = "country", .any_of = {"FR"}}}), InvalidInput);
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{{.field = "employees", .any_of = {"10"}}}), InvalidInput);
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{{.field = "industry"}}), InvalidInput);
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{{.field = "employees", .min = 5, .max = 1}}), InvalidInput);
  EXPECT_THROW(profile_fit(t, std::vector<FitCriterion>{{.field = "employees", .weight = 0}}), InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
