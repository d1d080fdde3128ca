#include "leadscore/summary/summarize.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "../test_data.hpp"
#include "leadscore/io/csv.hpp"

namespace leadscore {
namespace {

Timestamp at(int y, unsigned m, unsigned d) { return Timestamp{*make_day(y, m, d)} * seconds_per_day; }

TransactionBatch cdnow_sample() {
  const CsvOptions csv{.delimiter = CsvOptions::whitespace, .header = false};
  const TransactionColumns columns{.id = ColumnRef::at(1), .date = ColumnRef::at(2),
                                   .amount = ColumnRef::at(4), .discount = {},
                                   .date_format = "%Y%m%d"};
  return read_transactions(test::data_path("cdnow/CDNOW_sample.txt"), csv, columns);
}

SummaryConfig cdnow_split() {
  SummaryConfig config;
  config.time_unit = TimeUnit::weeks;
  config.calibration_end = *make_day(1997, 9, 30);
  config.observation_end = *make_day(1998, 6, 30);
  return config;
}

// True when `printed` is `value` rounded to two decimals. Ties (x.xx5, as in
// 36.27 / 2) may be printed either way, so allow half a cent plus rounding
// noise.
::testing::AssertionResult printed_as(double value, double printed) {
  if (std::abs(value * 100 - printed * 100) <= 0.5 + 1e-6) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << value << " is not printed as " << printed;
}

// The published CDNOW summaries (Fader, Hardie & Lee's 2,357 customers),
// reproduced for every customer to the two printed decimals.
TEST(Summarize, ReproducesThePublishedCdnowSummaryForEveryCustomer) {
  const TransactionBatch tx = cdnow_sample();
  ASSERT_EQ(tx.size(), 6919u);
  const CustomerSummary s = summarize(tx, cdnow_split());
  ASSERT_EQ(s.size(), 2357u);

  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < s.size(); ++i) row_of[tx.ids.name(s.customer[i])] = i;

  const NumericTable published = read_numeric_table(
      test::data_path("cdnow/cdnow_customers_summary.csv"), {}, "ID", {"frequency", "recency", "T"});
  const NumericTable with_spend = read_numeric_table(
      test::data_path("cdnow/cdnow_customers_summary_with_transactions.csv"), {}, "ID", {"x", "zbar"});
  ASSERT_EQ(published.id.size(), 2357u);
  ASSERT_EQ(with_spend.id.size(), 2357u);

  for (std::size_t k = 0; k < published.id.size(); ++k) {
    // Sample ids are zero-padded in the transactions ("0001") but not here.
    const std::string id = std::string(4 - std::min<std::size_t>(4, published.id[k].size()), '0') + published.id[k];
    ASSERT_TRUE(row_of.count(id)) << id;
    const std::size_t i = row_of[id];
    EXPECT_EQ(s.frequency[i], published.values[0][k]) << "customer " << id;
    EXPECT_TRUE(printed_as(s.recency[i], published.values[1][k])) << "customer " << id;
    EXPECT_TRUE(printed_as(s.T[i], published.values[2][k])) << "customer " << id;
    EXPECT_TRUE(printed_as(s.monetary_value[i], with_spend.values[1][k])) << "customer " << id;
  }
}

TEST(Summarize, CdnowTotalsMatchTheReference) {
  const CustomerSummary s = summarize(cdnow_sample(), cdnow_split());
  double repeat = 0, holdout = 0, repeaters = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    repeat += s.frequency[i];
    holdout += s.frequency_holdout[i];
    repeaters += s.frequency[i] > 0;
  }
  EXPECT_EQ(repeat, 2457);
  EXPECT_EQ(holdout, 1882);
  EXPECT_EQ(repeaters, 946);
  EXPECT_DOUBLE_EQ(s.duration_holdout, 273.0 / 7);
  EXPECT_EQ(format_day(s.period_end), "1997-09-30");
}

TEST(Summarize, MergesSameDayPurchasesAndExcludesTheFirstDayFromMonetaryValue) {
  TransactionBatch tx;
  tx.add("a", at(2024, 1, 1), 10);
  tx.add("a", at(2024, 1, 1) + 3600, 5);  // same day: merged into the first purchase
  tx.add("a", at(2024, 1, 4), 20);
  tx.add("a", at(2024, 1, 4) + 60, 10);   // same day: one repeat purchase of 30
  tx.add("a", at(2024, 1, 11), 6);
  tx.add("b", at(2024, 1, 5), 7);
  const CustomerSummary s = summarize(tx, {.time_unit = TimeUnit::days, .calibration_end = {},
                                           .observation_end = *make_day(2024, 1, 31)});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.frequency[0], 2);
  EXPECT_EQ(s.recency[0], 10);
  EXPECT_EQ(s.T[0], 30);
  EXPECT_EQ(s.monetary_value[0], 18);  // (30 + 6) / 2
  EXPECT_EQ(s.frequency[1], 0);
  EXPECT_EQ(s.recency[1], 0);
  EXPECT_EQ(s.monetary_value[1], 0);
  EXPECT_FALSE(s.has_holdout());
}

TEST(Summarize, UnsortedInputGivesTheSameSummaryAsSorted) {
  std::mt19937_64 rng(7);
  TransactionBatch sorted, shuffled;
  std::vector<std::tuple<int, int, double>> rows;
  for (int c = 0; c < 200; ++c)
    for (int k = 0; k < 1 + c % 9; ++k)
      rows.emplace_back(c, static_cast<int>(rng() % 400), static_cast<double>(rng() % 1000) / 10);
  std::sort(rows.begin(), rows.end());
  for (auto& [c, d, a] : rows) sorted.add(std::to_string(c), Timestamp{d} * seconds_per_day, a);
  std::shuffle(rows.begin(), rows.end(), rng);
  for (int c = 0; c < 200; ++c) shuffled.ids.intern(std::to_string(c));  // same dense ids
  for (auto& [c, d, a] : rows) shuffled.add(std::to_string(c), Timestamp{d} * seconds_per_day, a);
  const SummaryConfig config{.time_unit = TimeUnit::weeks, .calibration_end = 250, .observation_end = 399};
  const auto x = summarize(sorted, config), y = summarize(shuffled, config);
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x.customer[i], y.customer[i]);
    EXPECT_EQ(x.frequency[i], y.frequency[i]);
    EXPECT_EQ(x.recency[i], y.recency[i]);
    EXPECT_EQ(x.T[i], y.T[i]);
    EXPECT_NEAR(x.monetary_value[i], y.monetary_value[i], 1e-9);
    EXPECT_EQ(x.frequency_holdout[i], y.frequency_holdout[i]);
    EXPECT_NEAR(x.monetary_value_holdout[i], y.monetary_value_holdout[i], 1e-9);
  }
}

TEST(Summarize, CalibrationSplitCountsHoldoutDaysAndSkipsLateFirstPurchases) {
  TransactionBatch tx;
  tx.add("a", at(2024, 1, 1), 10);
  tx.add("a", at(2024, 1, 20), 4);
  tx.add("a", at(2024, 2, 5), 8);
  tx.add("a", at(2024, 2, 5), 2);
  tx.add("a", at(2024, 2, 9), 20);
  tx.add("a", at(2024, 3, 9), 99);  // after the observation end: ignored
  tx.add("late", at(2024, 2, 2), 50);  // first purchase in the holdout: not in the summary
  const SummaryConfig config{.time_unit = TimeUnit::days,
                             .calibration_end = *make_day(2024, 1, 31),
                             .observation_end = *make_day(2024, 2, 29)};
  const CustomerSummary s = summarize(tx, config);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_EQ(s.T[0], 30);
  EXPECT_EQ(s.frequency_holdout[0], 2);
  EXPECT_EQ(s.monetary_value_holdout[0], 15);  // (10 + 20) / 2
  EXPECT_EQ(s.duration_holdout, 29);
}

TEST(Summarize, SpanOverloadReadsNanosecondTimesWithoutCopies) {
  const std::vector<std::int64_t> customer{0, 0, 1};
  const std::int64_t ns_per_day = 86'400'000'000'000;
  const std::vector<std::int64_t> time{0, 3 * ns_per_day + 5, ns_per_day};
  const std::vector<double> amount{1, 2, 3};
  const auto s = summarize(customer, 2, time, ns_per_day, amount, {.time_unit = TimeUnit::days,
                                                                   .calibration_end = {},
                                                                   .observation_end = {}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_EQ(s.recency[0], 3);
  EXPECT_EQ(s.T[0], 3);
  EXPECT_EQ(s.T[1], 2);
}

TEST(Summarize, RejectsBadInputNamingTheCustomer) {
  TransactionBatch tx;
  tx.add("good", 0, 1);
  tx.add("bad-amount", 0, -1);
  EXPECT_THROW(
      {
        try {
          summarize(tx);
        } catch (const InvalidInput& e) {
          EXPECT_NE(std::string(e.what()).find("bad-amount"), std::string::npos) << e.what();
          throw;
        }
      },
      InvalidInput);

  const std::vector<std::int64_t> customer{0, 5}, time{0, 0};
  const std::vector<double> amount{1, 1}, nan_amount{1, std::nan("")};
  EXPECT_THROW(summarize(customer, 2, time, 86400, amount), InvalidInput);  // index 5 >= 2
  EXPECT_THROW(summarize(std::vector<std::int64_t>{0, 1}, 2, time, 86400, nan_amount), InvalidInput);
  EXPECT_THROW(summarize(customer, 6, time, 0, amount), InvalidInput);
  EXPECT_THROW(summarize(customer, 6, std::vector<std::int64_t>{0}, 86400, amount), InvalidInput);
  EXPECT_THROW(summarize(TransactionBatch{}, {.time_unit = TimeUnit::days, .calibration_end = 10,
                                             .observation_end = 5}),
               InvalidInput);
}

}  // namespace
}  // namespace leadscore
