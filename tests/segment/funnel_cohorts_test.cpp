#include <gtest/gtest.h>

#include <cmath>

#include "../test_data.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/io/csv.hpp"
#include "leadscore/segment/cohorts.hpp"
#include "leadscore/segment/funnel.hpp"

namespace leadscore::segment {
namespace {

Day day(int y, unsigned m, unsigned d) { return *make_day(y, m, d); }

TEST(SegmentCohorts, RetentionAndChurnByAcquisitionMonth) {
  // a: Jan, Feb, Mar; b: Jan, Mar; c: Feb, Feb, Apr.
  const std::vector<std::int64_t> customer{0, 0, 0, 1, 1, 2, 2, 2};
  const std::vector<Day> d{day(2024, 1, 5), day(2024, 2, 1), day(2024, 3, 31), day(2024, 1, 31),
                           day(2024, 3, 1), day(2024, 2, 10), day(2024, 2, 11), day(2024, 4, 1)};
  const auto t = cohorts(customer, 3, d);
  ASSERT_EQ(t.n_cohorts(), 2u);
  EXPECT_EQ(format_day(t.cohort[0]), "2024-01-01");
  EXPECT_EQ(format_day(t.cohort[1]), "2024-02-01");
  EXPECT_EQ(t.size, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(t.active[0], (std::vector<std::size_t>{2, 1, 2, 0}));  // Jan..Apr
  EXPECT_EQ(t.active[1], (std::vector<std::size_t>{1, 0, 1}));     // Feb..Apr
  EXPECT_DOUBLE_EQ(t.retention(0, 1), 0.5);
  EXPECT_TRUE(std::isnan(t.churn(0, 0)));
  EXPECT_DOUBLE_EQ(t.churn(0, 1), 0.5);   // of a, b in Jan only a came back in Feb
  EXPECT_DOUBLE_EQ(t.churn(0, 2), 0.0);   // a, active in Feb, bought in Mar
  EXPECT_DOUBLE_EQ(t.churn(0, 3), 1.0);
  EXPECT_TRUE(std::isnan(t.churn(1, 2)));  // nobody of Feb's cohort active in Mar
  // A longer observation adds empty months.
  EXPECT_EQ(cohorts(customer, 3, d, day(2024, 5, 2)).active[0].size(), 5u);
}

TEST(SegmentCohorts, CdnowIsOneQuarterOfCohorts) {
  const TransactionColumns columns{.id = ColumnRef::at(1), .date = ColumnRef::at(2), .amount = ColumnRef::at(4),
                                   .discount = {}, .date_format = "%Y%m%d"};
  const auto tx = read_transactions(test::data_path("cdnow/CDNOW_sample.txt"),
                                    {.delimiter = CsvOptions::whitespace, .header = false}, columns);
  const auto t = cohorts(tx);
  ASSERT_EQ(t.n_cohorts(), 3u);  // first purchases in January - March 1997
  EXPECT_EQ(t.size[0] + t.size[1] + t.size[2], 2357u);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(t.active[c][0], t.size[c]);
    EXPECT_EQ(t.active[c].size(), 18u - c);  // to June 1998
    EXPECT_LT(t.retention(c, 1), 0.5);
  }
}

TEST(SegmentCohorts, RejectsBadInput) {
  EXPECT_THROW(cohorts(std::vector<std::int64_t>{}, 0, std::vector<Day>{}), InvalidInput);
  EXPECT_THROW(cohorts(std::vector<std::int64_t>{0}, 1, std::vector<Day>{}), InvalidInput);
  EXPECT_THROW(cohorts(std::vector<std::int64_t>{3}, 1, std::vector<Day>{1}), InvalidInput);
  EXPECT_THROW(cohorts(std::vector<std::int64_t>{0}, 1, std::vector<Day>{10}, Day{5}), InvalidInput);
}

TEST(SegmentFunnel, ReachConversionAndMedianTimeInStage) {
  using S = LifecycleStage;
  const Timestamp dd = seconds_per_day;
  // r0: lead 0, prospect 10, customer 30. r1: lead 0, prospect 4.
  // r2: lead 0. r3: lead 0, opportunity 6, customer 8, churned 100.
  const std::vector<std::int64_t> rec{0, 0, 0, 1, 1, 2, 3, 3, 3, 3};
  const std::vector<S> st{S::lead, S::prospect, S::customer, S::prospect, S::lead, S::lead,
                          S::lead, S::opportunity, S::customer, S::churned};
  const std::vector<Timestamp> t{0, 10 * dd, 30 * dd, 4 * dd, 0, 0, 0, 6 * dd, 8 * dd, 100 * dd};
  const auto f = funnel(rec, 4, st, t);
  EXPECT_EQ(f.reached, (std::vector<std::size_t>{4, 3, 2, 2, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(f.conversion[0], 0.75);
  EXPECT_DOUBLE_EQ(f.conversion[1], 2.0 / 3);
  EXPECT_DOUBLE_EQ(f.conversion[2], 1.0);
  EXPECT_TRUE(std::isnan(f.conversion[4]));
  // Days as lead before moving on: r0 10, r1 4, r3 6 -> median 6.
  EXPECT_EQ(f.moved_on[0], 3u);
  EXPECT_DOUBLE_EQ(f.median_days[0], 6);
  EXPECT_DOUBLE_EQ(f.median_days[1], 20);  // r0 only (r1 stayed a prospect)
  EXPECT_TRUE(std::isnan(f.median_days[3]));  // no customer moved further
  EXPECT_EQ(f.current[static_cast<std::size_t>(S::customer)], 1u);
  EXPECT_EQ(f.current[static_cast<std::size_t>(S::prospect)], 1u);
  EXPECT_EQ(f.current[static_cast<std::size_t>(S::lead)], 1u);
  EXPECT_EQ(f.current[static_cast<std::size_t>(S::churned)], 1u);
}

TEST(SegmentFunnel, RejectsBadInput) {
  using S = LifecycleStage;
  EXPECT_THROW(funnel(std::vector<std::int64_t>{0}, 1, std::vector<S>{}, std::vector<Timestamp>{0}), InvalidInput);
  EXPECT_THROW(funnel(std::vector<std::int64_t>{2}, 1, std::vector<S>{S::lead}, std::vector<Timestamp>{0}),
               InvalidInput);
  EXPECT_THROW(funnel(std::vector<std::int64_t>{0}, 2, std::vector<S>{S::lead}, std::vector<Timestamp>{0}),
               InvalidInput);  // record 1 has no change
}

}  // namespace
}  // namespace leadscore::segment
