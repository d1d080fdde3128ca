#include "leadscore/segment/segments.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "../temp_file.hpp"
#include "../test_data.hpp"

namespace leadscore::segment {
namespace {

void expect_same(const SegmentTable& a, const SegmentTable& b) {
  ASSERT_EQ(a.rules().size(), b.rules().size());
  EXPECT_EQ(a.others(), b.others());
  for (std::size_t i = 0; i < a.rules().size(); ++i) {
    const auto &x = a.rules()[i], &y = b.rules()[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.recency_lower, y.recency_lower);
    EXPECT_EQ(x.recency_upper, y.recency_upper);
    EXPECT_EQ(x.frequency_lower, y.frequency_lower);
    EXPECT_EQ(x.frequency_upper, y.frequency_upper);
    EXPECT_EQ(x.monetary_lower, y.monetary_lower);
    EXPECT_EQ(x.monetary_upper, y.monetary_upper);
  }
}

TEST(SegmentTables, ShippedJsonFilesAreTheBuiltInTables) {
  expect_same(SegmentTable::read(test::data_path("segments/rfm-package.json")), SegmentTable::rfm_package());
  expect_same(SegmentTable::read(test::data_path("segments/rf-grid.json")), SegmentTable::rf_grid());
  expect_same(SegmentTable::from_json(SegmentTable::rf_grid().to_json()), SegmentTable::rf_grid());
  expect_same(SegmentTable::builtin("rfm-package"), SegmentTable::rfm_package());
  EXPECT_THROW(SegmentTable::builtin("nope"), InvalidInput);
}

TEST(SegmentTables, RfGridGivesEveryCellOneOfElevenSegments) {
  const auto t = SegmentTable::rf_grid();
  EXPECT_EQ(t.rules().size(), 11u);
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f) {
      int matches = 0;
      for (const auto& rule : t.rules()) matches += rule.matches(r, f, 3);
      EXPECT_EQ(matches, 1) << r << f;
    }
  EXPECT_EQ(t.name(t.assign(5, 5, 1)), "Champions");
  EXPECT_EQ(t.name(t.assign(1, 1, 5)), "Lost");
  EXPECT_EQ(t.name(t.assign(2, 1, 5)), "Hibernating");
  EXPECT_EQ(t.name(t.assign(1, 5, 1)), "Can't Lose Them");
  EXPECT_EQ(t.name(t.assign(6, 1, 1)), "Others");
}

TEST(SegmentTables, FirstMatchWinsAndOthersCatchesTheRest) {
  const auto t = SegmentTable::from_json(R"({"others": "Rest", "segments": [
      {"name": "Top", "recency": [4, 5]}, {"name": "Also top", "recency": [5, 5], "frequency": [1, 5]}]})");
  EXPECT_EQ(t.name(t.assign(5, 1, 1)), "Top");
  EXPECT_EQ(t.name(t.assign(3, 1, 1)), "Rest");
}

// Many customers share a (r, f, m) cell, and the bulk assign looks each
// cell up once: it must be the first matching rule of every customer, with
// more cells than customers too (no table then) and with scores past the
// table's bins (others).
TEST(SegmentTables, BulkAssignIsEachCustomersFirstMatch) {
  std::mt19937 rng(3);
  for (const auto& table : {SegmentTable::rf_grid(), SegmentTable::rfm_package()})
    for (const int top : {5, 7, 40})
      for (const std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{5000}}) {
        std::vector<std::uint8_t> r(n), f(n), m(n);
        for (std::size_t i = 0; i < n; ++i) {
          r[i] = static_cast<std::uint8_t>(1 + rng() % top);
          f[i] = static_cast<std::uint8_t>(1 + rng() % top);
          m[i] = static_cast<std::uint8_t>(1 + rng() % top);
        }
        const auto got = table.assign(r, f, m);
        ASSERT_EQ(got.size(), n);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], table.assign(r[i], f[i], m[i])) << top << " " << i;
      }
  const std::vector<std::uint8_t> two(2), one(1);
  EXPECT_THROW(SegmentTable::rf_grid().assign(two, two, one), InvalidInput);
}

void expect_json_error(const std::string& text, const std::string& path) {
  try {
    SegmentTable::from_json(text);
    ADD_FAILURE() << "no error for " << text;
  } catch (const JsonError& e) {
    EXPECT_EQ(e.path(), path) << e.what();
  }
}

TEST(SegmentTables, RejectsBadTablesNamingTheJsonPath) {
  expect_json_error("{", "");
  expect_json_error("[]", "");
  expect_json_error(R"({"segments": 3})", "/segments");
  expect_json_error(R"({"segments": [{"name": ""}]})", "/segments/0/name");
  expect_json_error(R"({"segments": [{"name": "a", "recency": [3]}]})", "/segments/0/recency");
  expect_json_error(R"({"segments": [{"name": "a"}, {"name": "b", "monetary": [1, 0]}]})", "/segments/1/monetary/1");
  expect_json_error(R"({"segments": [{"name": "a", "frequency": [4, 2]}]})", "/segments/0/frequency");
  expect_json_error(R"({"segments": [{"name": "a", "frequency": [1.5, 2]}]})", "/segments/0/frequency/0");
  expect_json_error(R"({"segments": [{"name": "a"}, {"name": "a"}]})", "/segments/1/name");
  expect_json_error(R"({"segments": [{"name": "a", "recncy": [1, 2]}]})", "/segments/0/recncy");
  expect_json_error(R"({"segments": [], "colour": 1})", "/colour");
  test::TempFile file(R"({"segments": [{"name": 5}]})", "t.json");
  try {
    SegmentTable::read(file.path());
    FAIL();
  } catch (const JsonError& e) {
    EXPECT_NE(std::string(e.what()).find("t.json:/segments/0/name"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SegmentTable::read("/nonexistent/t.json"), ParseError);
  EXPECT_THROW(SegmentTable({{"a", 3, 2}}), InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
