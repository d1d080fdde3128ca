#include "leadscore/io/csv.hpp"

#include <gtest/gtest.h>

#include "../temp_file.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore {
namespace {

using test::TempFile;

// Runs `f`, expects a ParseError at `line`:`column` whose message contains
// `needle`, and that the message starts with the file path.
template <class F>
void expect_parse_error(F f, std::size_t line, std::size_t column, const std::string& needle) {
  try {
    f();
    FAIL() << "no error; expected one containing '" << needle << "'";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind(e.file(), 0), 0u) << e.what();
  }
}

TEST(ReadTransactions, ReadsHeaderNamedColumnsInAnyOrder) {
  TempFile f("amount,date,customer_id\n12.5,2024-01-02,a\n3,2024-01-05T10:00:00Z,b\n+1e1,2024-01-06,a\n");
  const auto tx = read_transactions(f.path());
  ASSERT_EQ(tx.size(), 3u);
  EXPECT_EQ(tx.n_customers(), 2u);
  EXPECT_EQ(tx.ids.name(tx.customer[2]), "a");
  EXPECT_EQ(tx.amount[0], 12.5);
  EXPECT_EQ(tx.amount[2], 10.0);
  EXPECT_EQ(tx.time[1], Timestamp{*make_day(2024, 1, 5)} * seconds_per_day + 36000);
}

TEST(ReadTransactions, ReadsWhitespaceSeparatedFilesByIndexWithCrlf) {
  TempFile f(" 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n\r\n 00021 0002 19970101  3   63.34\r\n");
  const CsvOptions csv{.delimiter = CsvOptions::whitespace, .header = false};
  const auto tx = read_transactions(f.path(), csv, {.id = "1", .date = "2", .amount = "4", .discount = {}, .date_format = "%Y%m%d"});
  ASSERT_EQ(tx.size(), 3u);
  EXPECT_EQ(tx.ids.name(0), "0001");
  EXPECT_EQ(tx.amount[2], 63.34);
  EXPECT_EQ(day_of(tx.time[1]), *make_day(1997, 1, 18));
}

TEST(ReadTransactions, ReadsQuotedFieldsSemicolonsAndDiscountFlags) {
  TempFile f("id;when;amount;promo\n\"Smith; \"\"Jr\"\"\";03/02/2024;7,yes\n", "x.csv");
  // The comma in 7,yes is not a separator here: the row is one field short.
  const CsvOptions csv{.delimiter = ';', .header = true};
  expect_parse_error([&] { read_transactions(f.path(), csv, {.id = "id", .date = "when", .amount = "amount", .discount = "promo", .date_format = "%d/%m/%Y"}); },
                     2, 28, "expected 4 fields, found 3");
  TempFile g("id;when;amount;promo\n\"Smith; \"\"Jr\"\"\";03/02/2024;7;yes\nb;4/2/2024;1;0\n");
  const auto tx = read_transactions(g.path(), csv, {.id = "id", .date = "when", .amount = "amount", .discount = "promo", .date_format = "%d/%m/%Y"});
  EXPECT_EQ(tx.ids.name(0), "Smith; \"Jr\"");
  EXPECT_EQ(day_of(tx.time[0]), *make_day(2024, 2, 3));
  EXPECT_EQ(day_of(tx.time[1]), *make_day(2024, 2, 4));
  EXPECT_EQ(tx.discounted, (std::vector<std::uint8_t>{1, 0}));
}

TEST(ReadTransactions, RejectsAMissingFile) {
  expect_parse_error([] { read_transactions("/nonexistent/leadscore/tx.csv"); }, 0, 0, "cannot open file");
}

TEST(ReadTransactions, RejectsAnEmptyFile) {
  TempFile empty("");
  expect_parse_error([&] { read_transactions(empty.path()); }, 0, 0, "file is empty");
  TempFile blank("\n\r\n  \n");
  expect_parse_error([&] { read_transactions(blank.path()); }, 0, 0, "file is empty");
  TempFile header_only("customer_id,date,amount\n");
  expect_parse_error([&] { read_transactions(header_only.path()); }, 2, 0, "no transactions");
}

TEST(ReadTransactions, RejectsAMissingColumnListingTheColumnsThereAre) {
  TempFile f("customer,date,amount\na,2024-01-01,1\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 1, 0, "no column named 'customer_id' (columns: customer, date, amount)");
  expect_parse_error([&] { read_transactions(f.path(), {}, {.id = "7"}); }, 1, 0, "column index 7 is out of range");
  TempFile g("a 2024-01-01 1\n");
  expect_parse_error([&] { read_transactions(g.path(), {.delimiter = CsvOptions::whitespace, .header = false}); }, 1, 0, "must be given as a 0-based index");
}

TEST(ReadTransactions, RejectsAnUnparsableDate) {
  TempFile f("customer_id,date,amount\na,2024-01-01,1\nb,2024-13-01,1\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 3, 3, "column 'date': cannot parse '2024-13-01' as a date with format 'iso'");
  TempFile g("customer_id,date,amount\na,2024-02-30,1\n");
  expect_parse_error([&] { read_transactions(g.path()); }, 2, 3, "cannot parse '2024-02-30'");
  TempFile h("customer_id,date,amount\na,20240101x,1\n");
  expect_parse_error([&] { read_transactions(h.path(), {}, {.date_format = "%Y%m%d"}); }, 2, 3, "format '%Y%m%d'");
}

TEST(ReadTransactions, RejectsAnUnparsableOrNegativeAmount) {
  TempFile f("customer_id,date,amount\na,2024-01-01,12.x\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 2, 14, "column 'amount': cannot parse '12.x' as a finite number");
  TempFile g("customer_id,date,amount\na,2024-01-01,-3.5\n");
  expect_parse_error([&] { read_transactions(g.path()); }, 2, 14, "negative amount '-3.5'");
  TempFile h("customer_id,date,amount\na,2024-01-01,nan\n");
  expect_parse_error([&] { read_transactions(h.path()); }, 2, 14, "finite number");
  TempFile i("customer_id,date,amount\na,2024-01-01,\n");
  expect_parse_error([&] { read_transactions(i.path()); }, 2, 14, "cannot parse ''");
}

TEST(ReadTransactions, RejectsRaggedRows) {
  TempFile f("customer_id,date,amount\na,2024-01-01,1\nb,2024-01-01\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 3, 3, "expected 3 fields, found 2");
  TempFile g("customer_id,date,amount\na,2024-01-01,1,9\n");
  expect_parse_error([&] { read_transactions(g.path()); }, 2, 16, "expected 3 fields, found 4");
}

TEST(ReadTransactions, RejectsInvalidUtf8AndEmptyIds) {
  TempFile f("customer_id,date,amount\ncaf\xc3\xa9,2024-01-01,1\nbad\xc3\x28,2024-01-01,1\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 3, 1, "customer id is not valid UTF-8");
  TempFile g("customer_id,date,amount\n,2024-01-01,1\n");
  expect_parse_error([&] { read_transactions(g.path()); }, 2, 1, "empty customer id");
}

TEST(ReadTransactions, RejectsAnUnterminatedQuote) {
  TempFile f("customer_id,date,amount\n\"a,2024-01-01,1\n");
  expect_parse_error([&] { read_transactions(f.path()); }, 2, 0, "unterminated quoted field");
}

TEST(CsvOptions, ParsesDelimiterNames) {
  EXPECT_EQ(CsvOptions::parse_delimiter(","), ',');
  EXPECT_EQ(CsvOptions::parse_delimiter("tab"), '\t');
  EXPECT_EQ(CsvOptions::parse_delimiter("whitespace"), CsvOptions::whitespace);
  EXPECT_THROW(CsvOptions::parse_delimiter(";;"), InvalidInput);
  EXPECT_THROW(CsvOptions::parse_delimiter("\""), InvalidInput);
}

TEST(Utf8, AcceptsWellFormedAndRejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac \xf0\x9f\x98\x80"));  // euro sign, emoji
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(ReadNumericTable, ReadsIdsAndColumnsAndRejectsNonNumbers) {
  TempFile f("ID,frequency,recency,T\n1,2,30.43,38.86\n2,0,0,38.86\n");
  const auto t = read_numeric_table(f.path(), {}, "ID", {"T", "frequency"});
  EXPECT_EQ(t.id, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(t.column("frequency"), (std::vector<double>{2, 0}));
  EXPECT_EQ(t.column("T")[0], 38.86);
  EXPECT_THROW(t.column("nope"), InvalidInput);
  TempFile g("ID,frequency\n1,two\n");
  expect_parse_error([&] { read_numeric_table(g.path(), {}, "ID", {"frequency"}); }, 2, 3, "column 'frequency'");
}

}  // namespace
}  // namespace leadscore
