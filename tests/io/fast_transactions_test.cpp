// The fast path of read_transactions (src/io/fast_transactions.cpp): the
// same batch as the general reader wherever it applies, a fallback to the
// general reader (and its file:line:column errors) everywhere else.
#include "../../src/io/fast_transactions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <thread>

#include "../temp_file.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/io/transaction_view.hpp"

namespace leadscore {
namespace {

using test::TempFile;

// The reference: CsvReader row by row, as read_transactions' general path.
TransactionBatch reference(const std::string& path, const CsvOptions& options = {},
                           const TransactionColumns& columns = {}) {
  CsvReader reader(path, options);
  const std::size_t id = reader.resolve(columns.id), date = reader.resolve(columns.date),
                    amount = reader.resolve(columns.amount);
  const DateFormat format(columns.date_format);
  TransactionBatch tx;
  std::vector<std::string_view> f;
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
      s.remove_suffix(1);
    return s;
  };
  while (reader.next(f))
    tx.add(trim(f[id]), *format.parse(trim(f[date])), std::stod(std::string(trim(f[amount]))));
  return tx;
}

void expect_same(const TransactionBatch& a, const TransactionBatch& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.ids.names(), b.ids.names());
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.amount, b.amount);
}

// About `rows` rows of a few thousand customers; grouped by customer or not.
std::string synthetic(std::size_t rows, bool grouped, const char* eol = "\n") {
  std::mt19937 rng(5);
  std::vector<int> customer(rows);
  for (auto& c : customer) c = static_cast<int>(rng() % 5000);
  if (grouped) std::sort(customer.begin(), customer.end());
  std::string s = std::string("customer_id,date,amount") + eol;
  for (std::size_t i = 0; i < rows; ++i) {
    const int day = 1 + static_cast<int>(rng() % 28);
    s += "C" + std::to_string(customer[i]) + ",2024-03-" + (day < 10 ? "0" : "") +
         std::to_string(day) + "," + std::to_string(rng() % 10000) + "." +
         std::to_string(rng() % 100) + eol;
  }
  return s;
}

TEST(FastTransactions, MatchesTheGeneralReaderOnManyChunksGroupedOrShuffled) {
  // Over 1 MB: cut into one chunk per core.
  for (bool grouped : {true, false}) {
    TempFile f(synthetic(80'000, grouped));
    const auto fast = detail::read_transactions_fast(f.path(), {}, {});
    ASSERT_TRUE(fast.has_value());
    expect_same(*fast, reference(f.path()));
    expect_same(read_transactions(f.path()), *fast);
  }
}

TEST(FastTransactions, HandlesCrlfBlankLinesAndNoTrailingNewline) {
  TempFile crlf(synthetic(70'000, false, "\r\n"));
  auto fast = detail::read_transactions_fast(crlf.path(), {}, {});
  ASSERT_TRUE(fast.has_value());
  expect_same(*fast, reference(crlf.path()));

  TempFile odd(
      "customer_id,date,amount\r\na,2024-01-02,1.5\r\n\r\n  \n b ,2024-01-03 , 2 \na,2024-01-04,3");
  fast = detail::read_transactions_fast(odd.path(), {}, {});
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->size(), 3u);
  EXPECT_EQ(fast->ids.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fast->amount[2], 3.0);
  expect_same(*fast, reference(odd.path()));
}

TEST(FastTransactions, ColumnsByIndexWithoutHeader) {
  TempFile f("2024-01-02;x;7\n2024-01-03;y;8\n");
  const CsvOptions options{.delimiter = ';', .header = false};
  const TransactionColumns columns{.id = "1", .date = "0", .amount = "2"};
  const auto fast = detail::read_transactions_fast(f.path(), options, columns);
  ASSERT_TRUE(fast.has_value());
  expect_same(*fast, reference(f.path(), options, columns));
}

TEST(FastTransactions, LeavesQuotedFieldsToTheGeneralReader) {
  TempFile f("customer_id,date,amount\nplain,2024-01-02,1\n\"Doe, J\",2024-01-03,2\n");
  EXPECT_FALSE(detail::read_transactions_fast(f.path(), {}, {}).has_value());
  const auto tx = read_transactions(f.path());
  EXPECT_EQ(tx.ids.names(), (std::vector<std::string>{"plain", "Doe, J"}));
  TempFile header("\"customer_id\",date,amount\na,2024-01-02,1\n");
  EXPECT_FALSE(detail::read_transactions_fast(header.path(), {}, {}).has_value());
  EXPECT_EQ(read_transactions(header.path()).size(), 1u);
}

TEST(FastTransactions, EmptyOrHeaderOnlyFilesFailAsBefore) {
  TempFile empty("");
  EXPECT_FALSE(detail::read_transactions_fast(empty.path(), {}, {}).has_value());
  EXPECT_THROW(read_transactions(empty.path()), ParseError);
  TempFile header("customer_id,date,amount\n");
  try {
    read_transactions(header.path());
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("no transactions"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_transactions("no/such/file.csv"), ParseError);
}

// A bad row deep in the last chunk: the error names its line and column.
TEST(FastTransactions, ErrorsInAnyChunkNameTheirLine) {
  std::string text = synthetic(80'000, true);
  const std::size_t bad_line = 79'000;  // 1-based, the header is line 1
  std::size_t pos = 0;
  for (std::size_t line = 1; line < bad_line; ++line) pos = text.find('\n', pos) + 1;
  const std::size_t comma = text.find(',', text.find(',', pos) + 1);
  for (const auto& [value, column_is_amount, needle] :
       {std::tuple<std::string, bool, std::string>{"-3", true, "negative amount"},
        {"abc", true, "as a finite number"},
        {"2024-13-01", false, "as a date"}}) {
    std::string bad = text;
    if (column_is_amount) {
      bad.replace(comma + 1, bad.find('\n', comma) - comma - 1, value);
    } else {
      const std::size_t first = bad.find(',', pos);
      bad.replace(first + 1, comma - first - 1, value);
    }
    TempFile f(bad);
    EXPECT_FALSE(detail::read_transactions_fast(f.path(), {}, {}).has_value());
    try {
      read_transactions(f.path());
      FAIL() << "no error for " << value;
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), bad_line) << e.what();
      const std::size_t column = (column_is_amount ? comma : bad.find(',', pos)) - pos + 2;
      EXPECT_EQ(e.column(), column) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  }
  std::string ragged = text;
  ragged.insert(pos, "C1,2024-01-01\n");
  TempFile f(ragged);
  try {
    read_transactions(f.path());
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), bad_line) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected 3 fields"), std::string::npos) << e.what();
  }
}

TEST(FastTransactions, PlainDatesMatchDateFormatIncludingLeapDaysAndFarYears) {
  TempFile f(
      "customer_id,date,amount\na,2024-02-29,1\nb,2000-02-29,2\nc,1850-03-01,3\nd,2300-12-31,4\n"
      "e,1970-01-01,5\nf,2199-12-31,6\ng,1900-01-01,7\nh,2024-03-01T10:30:00Z,8\n");
  const auto fast = detail::read_transactions_fast(f.path(), {}, {});
  ASSERT_TRUE(fast.has_value());
  expect_same(*fast, reference(f.path()));
  for (const char* bad :
       {"2023-02-29", "1900-02-29", "2100-02-29", "2024-04-31", "2024-00-10", "2024-1-10"}) {
    TempFile g(std::string("customer_id,date,amount\na,2024-01-01,1\nb,") + bad + ",2\n");
    EXPECT_FALSE(detail::read_transactions_fast(g.path(), {}, {}).has_value()) << bad;
    try {
      read_transactions(g.path());
      FAIL() << "no error for " << bad;
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), 3u) << e.what();
      EXPECT_EQ(e.column(), 3u) << e.what();
    }
  }
}

TEST(FastTransactions, PlainAmountsReadAsFastFloatAndStodDo) {
  // Read as digits / 10^decimals up to 15 digits; longer or odd ones by
  // fast_float. Both must be the correctly rounded value, as stod's.
  std::string text = "customer_id,date,amount\n";
  for (const char* a : {"0", "7", "000.10", "14.41", "0.1", "0.3", "1.", ".5", "123456789012345",
                        "12345678901234.5", "0.00000000000001", "9007199254740993", "1234567890123456",
                        "0.000000000000001", "99999999999999.99", "1e3", "2.5E-3", "3.14159265358979"})
    text += std::string("a,2024-01-02,") + a + "\n";
  std::mt19937_64 rng(8);
  for (int i = 0; i < 2000; ++i) {
    const int decimals = static_cast<int>(rng() % 8);
    std::string digits = std::to_string(rng() % 10'000'000'000'000'000ull);
    digits = digits.substr(0, 1 + rng() % 15);
    if (decimals > 0 && static_cast<int>(digits.size()) > decimals)
      digits.insert(digits.size() - static_cast<std::size_t>(decimals), ".");
    text += "b," + std::string("2024-01-03,") + digits + "\n";
  }
  TempFile f(text);
  const auto fast = detail::read_transactions_fast(f.path(), {}, {});
  ASSERT_TRUE(fast.has_value());
  expect_same(*fast, reference(f.path()));
}

void expect_view_is_batch(const TransactionView& v, const TransactionBatch& b) {
  ASSERT_EQ(v.size(), b.size());
  ASSERT_EQ(v.n_customers(), b.n_customers());
  for (std::size_t c = 0; c < v.n_customers(); ++c) EXPECT_EQ(v.ids()[c], b.ids.names()[c]);
  EXPECT_TRUE(std::equal(v.customer().begin(), v.customer().end(), b.customer.begin()));
  EXPECT_TRUE(std::equal(v.time().begin(), v.time().end(), b.time.begin()));
  EXPECT_TRUE(std::equal(v.amount().begin(), v.amount().end(), b.amount.begin()));
}

TEST(TransactionView, IsTheBatchOnEveryPathAndOutlivesMoves) {
  TempFile big(synthetic(80'000, false));
  TempFile blank("customer_id,date,amount\na,2024-01-02,1\n\nb,2024-01-03,2\n\n\na,2024-01-04,3");
  TempFile quoted("customer_id,date,amount\n\"Doe, J\",2024-01-03,2\nx,2024-01-04,1\n");
  TempFile spaces("c d a\n x  2024-01-01  1.5\n y 2024-01-02 2\n");
  const CsvOptions ws{.delimiter = CsvOptions::whitespace};
  const TransactionColumns by_letter{.id = "c", .date = "d", .amount = "a"};
  for (const auto& [path, options, columns] :
       {std::tuple{big.path(), CsvOptions{}, TransactionColumns{}},
        std::tuple{blank.path(), CsvOptions{}, TransactionColumns{}},
        std::tuple{quoted.path(), CsvOptions{}, TransactionColumns{}},
        std::tuple{spaces.path(), ws, by_letter}}) {
    TransactionView moved = read_transaction_view(path, options, columns);
    const TransactionView v = std::move(moved);
    expect_view_is_batch(v, read_transactions(path, options, columns));
  }
}

TEST(TransactionView, ErrorsAreTheGeneralReaders) {
  std::string text = synthetic(80'000, true);
  text.insert(text.find('\n', 1'500'000) + 1, "C1,2024-01-01,-1\n");
  const std::size_t line =
      static_cast<std::size_t>(std::count(
          text.begin(), text.begin() + static_cast<std::ptrdiff_t>(text.find("C1,2024-01-01,-1")),
          '\n')) +
      1;
  TempFile f(text);
  try {
    read_transaction_view(f.path());
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), 15u) << e.what();
  }
  TempFile empty("");
  EXPECT_THROW(read_transaction_view(empty.path()), ParseError);
  EXPECT_THROW(read_transaction_view(f.path(), {}, {.discount = "d"}), InvalidInput);
}

// read_customer_totals: per customer totals of the rows the general reader
// reads, spend summed in row order to the bit, or nullopt where
// read_transaction_view would not take its parallel path.
void expect_totals_are_batch(const std::optional<segment::CustomerTotals>& t, const TransactionBatch& b,
                             const std::string& text) {
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->size(), b.n_customers());
  std::vector<double> spend(b.n_customers(), 0.0);
  std::vector<std::uint64_t> count(b.n_customers(), 0);
  std::vector<Timestamp> last(b.n_customers(), std::numeric_limits<Timestamp>::min());
  for (std::size_t i = 0; i < b.size(); ++i) {
    spend[b.customer[i]] += b.amount[i];
    ++count[b.customer[i]];
    last[b.customer[i]] = std::max(last[b.customer[i]], b.time[i]);
  }
  for (std::size_t c = 0; c < t->size(); ++c) {
    ASSERT_EQ(t->ids[c], b.ids.names()[c]) << c;
    // The customer's first row starts at first_row (a byte offset).
    const auto at = static_cast<std::size_t>(t->first_row[c]);
    ASSERT_TRUE(at == 0 || text[at - 1] == '\n') << c;
    EXPECT_NE(text.substr(at, text.find('\n', at) - at).find(b.ids.names()[c]), std::string::npos) << c;
  }
  EXPECT_EQ(t->spend, spend);
  EXPECT_EQ(t->count, count);
  EXPECT_TRUE(std::equal(last.begin(), last.end(), t->last.begin()));
}

constexpr Timestamp kFarFuture = Timestamp{4'000'000'000};

TEST(ReadCustomerTotals, AreTheGeneralReadersRowsOnManyChunks) {
  for (const char* eol : {"\n", "\r\n"})
    for (const bool grouped : {true, false}) {
      const std::string text = synthetic(80'000, grouped, eol);
      TempFile f(text);
      expect_totals_are_batch(read_customer_totals(f.path(), {}, {}, kFarFuture), reference(f.path()), text);
    }
  const std::string odd =
      "customer_id,date,amount\r\na,2024-01-02,1.5\r\n\r\n  \n b ,2024-01-03 , 2 \na,2024-01-04,3";
  TempFile f(odd);
  expect_totals_are_batch(read_customer_totals(f.path(), {}, {}, kFarFuture), reference(f.path()), odd);
}

TEST(ReadCustomerTotals, LeaveEveryOtherFileToTheRowByRowPath) {
  TempFile empty(""), header("customer_id,date,amount\n"),
      quoted("customer_id,date,amount\nplain,2024-01-02,1\n\"Doe, J\",2024-01-03,2\n");
  for (const TempFile* f : {&empty, &header, &quoted})
    EXPECT_FALSE(read_customer_totals(f->path(), {}, {}, kFarFuture).has_value()) << f->path();
  EXPECT_FALSE(read_customer_totals("no/such/file.csv", {}, {}, kFarFuture).has_value());
  EXPECT_FALSE(read_customer_totals(quoted.path(), {}, {.discount = "d"}, kFarFuture).has_value());
  // A bad row, or a purchase at or after `end`, deep in the last chunk.
  std::string text = synthetic(80'000, true);
  const std::size_t pos = text.rfind('\n', text.size() - 2) + 1;  // the last row
  TempFile late(text.substr(0, pos) + "C1,2024-03-29,1\n");
  const Timestamp end_of_march_28 = (*make_day(2024, 3, 28) + 1) * seconds_per_day;
  EXPECT_FALSE(read_customer_totals(late.path(), {}, {}, end_of_march_28).has_value());
  EXPECT_TRUE(read_customer_totals(late.path(), {}, {}, end_of_march_28 + seconds_per_day).has_value());
  TempFile negative(text.substr(0, pos) + "C1,2024-03-01,-1\n");
  EXPECT_FALSE(read_customer_totals(negative.path(), {}, {}, kFarFuture).has_value());
  TempFile ragged(text.substr(0, pos) + "C1,2024-03-01\n");
  EXPECT_FALSE(read_customer_totals(ragged.path(), {}, {}, kFarFuture).has_value());
}

TEST(ReadCustomerTotals, KeepTheMappedFileTheirIdsView) {
  TempFile f("customer_id,date,amount\nalpha,2024-01-02,1\nbeta,2024-01-03,2\n");
  auto t = read_customer_totals(f.path(), {}, {}, kFarFuture);
  ASSERT_TRUE(t.has_value());
  const segment::CustomerTotals moved = std::move(*t);
  t.reset();
  EXPECT_EQ(moved.ids, (std::vector<std::string_view>{"alpha", "beta"}));
  EXPECT_EQ(moved.first_row, (std::vector<std::int64_t>{24, 43}));
}

}  // namespace
}  // namespace leadscore
