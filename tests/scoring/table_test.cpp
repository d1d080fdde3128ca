#include <gtest/gtest.h>

#include <cmath>

#include "../temp_file.hpp"
#include "../test_data.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/scoring/table.hpp"

using namespace leadscore;
using namespace leadscore::scoring;

TEST(ScoringTable, ReadsTypedColumnsAndMissingValues) {
  test::TempFile f("id,visits,source,won\na,3,\"say \"\"hi\"\"\",yes\nb,,ref,no\nc,2.5,NA,Yes\n");
  const DataTable t = read_table(f.path());
  const TableView v = t.view();
  ASSERT_EQ(v.rows(), 3u);
  EXPECT_EQ(v.column("visits").kind, ColumnKind::numeric);
  EXPECT_TRUE(std::isnan(v.column("visits").numbers[1]));
  EXPECT_EQ(v.column("source").kind, ColumnKind::categorical);
  EXPECT_TRUE(v.column("source").missing(2));
  EXPECT_EQ(v.column("source").text(1), "ref");
  EXPECT_EQ(v.missing_count(v.column("visits")), 1u);
  EXPECT_EQ(v.missing_count(v.column("source")), 1u);
  EXPECT_EQ(v.missing_count(v.column("id")), 0u);
  const ColumnView stranger = v.column("id");  // a copy is not one of the view's columns
  EXPECT_THROW((void)v.missing_count(stranger), InvalidInput);
  EXPECT_EQ(v.column("source").text(0), "say \"hi\"");  // unquoted by the reader, kept past its row
  EXPECT_EQ(binary_target(v.column("won")), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(binary_target(v.column("id"), std::string("a")), (std::vector<double>{1, 0, 0}));
}

TEST(ScoringTable, ForcedTypesAndErrorsSayWhere) {
  test::TempFile f("id,code,amount\na,1,3\nb,2,x\n");
  ReadTableOptions o;
  o.categorical = {"code"};
  o.numeric = {"amount"};
  try {
    (void)read_table(f.path(), {}, o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.column(), 5u);
    EXPECT_NE(std::string(e.what()).find("column 'amount'"), std::string::npos);
  }
  o.numeric.clear();
  const DataTable t = read_table(f.path(), {}, o);
  EXPECT_EQ(t.view().column("code").kind, ColumnKind::categorical);
  o.only = {"nope"};
  EXPECT_THROW((void)read_table(f.path(), {}, o), ParseError);
  test::TempFile empty("id,code\n");
  EXPECT_THROW((void)read_table(empty.path()), ParseError);
}

TEST(ScoringTable, RejectsBadTargetsAndColumns) {
  test::TempFile f("won,source\nmaybe,a\n1,b\n");
  const DataTable t = read_table(f.path());
  try {
    (void)binary_target(t.view().column("won"));
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'won', row 1"), std::string::npos);
  }
  EXPECT_THROW((void)binary_target(t.view().column("source"), std::string("zzz")), InvalidInput);
  try {
    (void)t.view().column("Won");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'Won'"), std::string::npos);
  }
  const std::vector<double> a{1, 2}, b{1};
  EXPECT_THROW(
      TableView({{"a", ColumnKind::numeric, a, {}, {}}, {"b", ColumnKind::numeric, b, {}, {}}}),
      InvalidInput);
  const std::vector<double> inf{1, INFINITY};
  EXPECT_THROW(TableView({{"a", ColumnKind::numeric, inf, {}, {}}}), InvalidInput);
  const std::vector<std::int32_t> codes{0, 5};
  const std::vector<std::string> levels{"x"};
  EXPECT_THROW(TableView({{"c", ColumnKind::categorical, {}, codes, levels}}), InvalidInput);
}

TEST(ScoringTable, ReadsTheShippedDataSets) {
  const DataTable leads =
      read_table(test::data_path("leads/Leads.csv"), {}, {.missing_values = {"Select"}});
  EXPECT_EQ(leads.view().rows(), 9240u);
  const auto y = binary_target(leads.view().column("Converted"));
  double won = 0;
  for (double v : y) won += v;
  EXPECT_EQ(won, 3561);                                           // 38.54 %, as PROVENANCE.md says
  EXPECT_TRUE(leads.view().column("Specialization").missing(0));  // "Select" means not chosen
  const DataTable telco = read_table(test::data_path("telco_churn/Telco-Customer-Churn.csv"));
  EXPECT_EQ(telco.view().column("TotalCharges").kind, ColumnKind::numeric);  // blanks are missing
  const DataTable bank = read_table(test::data_path("bank_marketing/bank.csv"), {.delimiter = ';'});
  EXPECT_EQ(bank.view().rows(), 4521u);
  EXPECT_EQ(bank.view().column("job").kind, ColumnKind::categorical);
}
