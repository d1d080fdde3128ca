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
  EXPECT_EQ(f.met, (std::vector<std::size_t>{1, 1}));
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

std::string json_error_path(const std::string& text) {
  try {
    parse_fit_target(text);
  } catch (const JsonError& e) {
    return e.path();
  }
  return "no error";
}

TEST(SegmentProfileFit, ParsesATargetFromJson) {
  const auto target = parse_fit_target(R"({"name": "ideal", "criteria": [
      {"field": "industry", "any_of": ["retail", "media"]},
      {"field": "employees", "min": 100, "max": 500, "weight": 3}]})");
  ASSERT_EQ(target.size(), 2u);
  EXPECT_EQ(target[0].any_of, (std::vector<std::string>{"retail", "media"}));
  EXPECT_EQ(target[1].min, 100);
  EXPECT_EQ(target[1].max, 500);
  EXPECT_EQ(target[1].weight, 3);
  EXPECT_TRUE(std::isinf(parse_fit_target(R"({"criteria": [{"field": "e", "min": 1}]})")[0].max));
  EXPECT_DOUBLE_EQ(profile_fit(table(), target).score[0], 1.0);
}

TEST(SegmentProfileFit, RejectsBadJsonWithItsPath) {
  EXPECT_EQ(json_error_path("{"), "/");
  EXPECT_EQ(json_error_path("[]"), "/");
  EXPECT_EQ(json_error_path(R"({"criterias": []})"), "/criterias");
  EXPECT_EQ(json_error_path(R"({"criteria": []})"), "/criteria");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"any_of": ["x"]}]})"), "/criteria/0/field");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "any_of": ["x"], "min": 1}]})"), "/criteria/0");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a"}]})"), "/criteria/0");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "min": 1}, {"field": "b", "any_of": ["x", 2]}]})"),
            "/criteria/1/any_of/1");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "min": "5"}]})"), "/criteria/0/min");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "min": 5, "max": 1}]})"), "/criteria/0");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "min": 5, "weight": 0}]})"), "/criteria/0/weight");
  EXPECT_EQ(json_error_path(R"({"criteria": [{"field": "a", "min": 5, "colour": 0}]})"), "/criteria/0/colour");
  EXPECT_THROW(read_fit_target("no/such/target.json"), ParseError);
  // A field the profiles lack is caught when the target meets them.
  EXPECT_THROW(profile_fit(table(), parse_fit_target(R"({"criteria": [{"field": "country", "any_of": ["FR"]}]})")),
               InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
