// CustomerTotalsChunk and merge_totals: per customer totals gathered chunk by
// chunk must be rfm_values of the same rows read in one pass, to the bit.
#include "leadscore/segment/customer_totals.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/segment/rfm.hpp"

namespace leadscore::segment {
namespace {

struct Row {
  std::string id;
  std::int64_t day;
  double amount;
};

constexpr std::int64_t kEnd = 1000;  // days: every test row is before it

// The rows cut before each index in `cuts`, each piece in its own chunk
// (queued rows told `same` when the id repeats, unless `hint` is off).
std::optional<CustomerTotals> totals_of(const std::vector<Row>& rows, const std::vector<std::size_t>& cuts,
                                        bool hint = true) {
  std::vector<std::size_t> from{0};
  from.insert(from.end(), cuts.begin(), cuts.end());
  from.push_back(rows.size());
  std::vector<CustomerTotalsChunk> chunks;
  for (std::size_t k = 0; k + 1 < from.size(); ++k) {
    chunks.emplace_back(kEnd, k == 0 ? 0 : from[k + 1] - from[k]);
    for (std::size_t i = from[k]; i < from[k + 1]; ++i) {
      const bool same = hint && i > from[k] && rows[i].id == rows[i - 1].id;
      EXPECT_TRUE(chunks.back().add(rows[i].id, same, static_cast<std::int64_t>(i), rows[i].day, rows[i].amount));
    }
  }
  return merge_totals(chunks);
}

// The same rows, one pass, as every other reader aggregates them.
RfmValues one_pass(const std::vector<Row>& rows) {
  TransactionBatch tx;
  for (const Row& r : rows) tx.add(r.id, r.day * seconds_per_day, r.amount);
  return rfm_values(tx, {.as_of = kEnd - 1});
}

void expect_same_values(const CustomerTotals& t, const std::vector<Row>& rows) {
  const RfmValues want = one_pass(rows);
  ASSERT_EQ(t.size(), want.size());
  for (std::size_t c = 0; c < t.size(); ++c) ASSERT_EQ(std::string(t.ids[c]), want.id[c]) << c;
  const RfmValues got = rfm_values(t, 1, {.as_of = kEnd - 1});
  EXPECT_EQ(got.recency, want.recency);
  EXPECT_EQ(got.frequency, want.frequency);
  EXPECT_EQ(got.monetary, want.monetary);  // exactly: spend summed in row order
  for (std::size_t c = 0; c < t.size(); ++c) {
    const auto first = static_cast<std::size_t>(t.first_row[c]);
    EXPECT_EQ(rows[first].id, want.id[c]);
    for (std::size_t i = 0; i < first; ++i) EXPECT_NE(rows[i].id, want.id[c]);
  }
}

// Rows of 300 customers in random order; grouped by customer, in id order
// (the order a chunk needs no table for); that order from its middle on,
// then from its start (halves each in order, the second before the first);
// or in runs: grouped within blocks of 40 rows, so that a customer has
// several runs.
enum class Order { shuffled, grouped, rotated, runs };

std::vector<Row> synthetic(std::size_t n, Order order, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Row> rows(n);
  for (auto& r : rows) {
    const auto c = rng() % 300;
    // Ids of 3 to 20 characters: the inline compare and hash, and longer ones.
    r.id = "C" + std::to_string(c) + std::string(c % 4 == 0 ? 12 : c % 3, 'x');
    r.day = static_cast<std::int64_t>(rng() % 900);
    r.amount = static_cast<double>(rng() % 100000) / 100.0;
  }
  const auto by_id = [](const Row& a, const Row& b) { return a.id < b.id; };
  if (order == Order::grouped || order == Order::rotated) std::stable_sort(rows.begin(), rows.end(), by_id);
  if (order == Order::rotated) std::rotate(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n / 2), rows.end());
  if (order == Order::runs)
    for (std::size_t i = 0; i < n; i += 40)
      std::stable_sort(rows.begin() + static_cast<std::ptrdiff_t>(i),
                       rows.begin() + static_cast<std::ptrdiff_t>(std::min(n, i + 40)), by_id);
  return rows;
}

TEST(CustomerTotals, SpendOfACustomerSplitAcrossChunksIsSummedInRowOrder) {
  // (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3): adding chunk sums would differ.
  const std::vector<Row> rows{{"a", 1, 0.1}, {"b", 2, 5.0}, {"a", 3, 0.2}, {"a", 4, 0.3}};
  ASSERT_NE((0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3));
  const auto t = totals_of(rows, {2});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->spend[0], (0.1 + 0.2) + 0.3);
  EXPECT_EQ(t->count[0], 3u);
  EXPECT_EQ(t->last[0], 4);
  expect_same_values(*t, rows);
}

TEST(CustomerTotals, AnyCutIntoChunksGivesTheOnePassValues) {
  for (const Order order : {Order::grouped, Order::shuffled, Order::rotated, Order::runs}) {
    const auto rows = synthetic(5000, order, order == Order::grouped || order == Order::rotated ? 1
                                             : order == Order::shuffled                          ? 2
                                                                                                 : 3);
    // One chunk; a cut inside a customer's run; many chunks, some empty;
    // chunks shorter than the lookup queue.
    const std::vector<std::vector<std::size_t>> cuts{
        {}, {2500}, {1, 2, 3, 1000, 1000, 1007, 4999}, {10, 20, 25, 40, 3000, 3001, 3017}};
    for (const auto& c : cuts)
      for (const bool hint : {true, false}) {
        const auto t = totals_of(rows, c, hint);
        ASSERT_TRUE(t.has_value());
        expect_same_values(*t, rows);
      }
  }
}

TEST(CustomerTotals, RefusedRowsSpoilTheChunkAndTheMerge) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (const Row& bad : {Row{"x", 1, -0.5}, Row{"x", 1, nan}, Row{"x", 1, inf}, Row{"x", kEnd, 1.0}}) {
    CustomerTotalsChunk first(kEnd, 0), second(kEnd, 4);
    EXPECT_TRUE(first.add("a", false, 0, 1, 1.0));
    EXPECT_TRUE(second.add("b", false, 1, 1, 1.0));
    EXPECT_FALSE(second.add(bad.id, false, 2, bad.day, bad.amount));
    EXPECT_FALSE(second.ok());
    std::vector<CustomerTotalsChunk> chunks;
    chunks.push_back(std::move(first));
    chunks.push_back(std::move(second));
    EXPECT_FALSE(merge_totals(chunks).has_value());
  }
  // -0 is a valid amount, as for the row-by-row readers.
  CustomerTotalsChunk c(kEnd, 0);
  EXPECT_TRUE(c.add("a", false, 0, 1, -0.0));
}

TEST(CustomerTotals, ALaterChunkMustLogItsRowsAndFitInItsLog) {
  std::vector<CustomerTotalsChunk> chunks;
  chunks.emplace_back(kEnd, 0);
  chunks.emplace_back(kEnd, 0);
  EXPECT_TRUE(chunks[0].add("a", false, 0, 1, 1.0));
  EXPECT_TRUE(chunks[1].add("a", false, 1, 2, 1.0));
  EXPECT_THROW(merge_totals(chunks), InvalidInput);

  std::vector<CustomerTotalsChunk> small;
  small.emplace_back(kEnd, 0);
  small.emplace_back(kEnd, 1);  // room for one row, given two
  EXPECT_TRUE(small[1].add("a", false, 0, 1, 1.0));
  small[1].add("a", true, 1, 1, 1.0);  // refused now (ids in order) or when its queue is added
  EXPECT_FALSE(merge_totals(small).has_value());
}

TEST(CustomerTotals, NoChunksOrNoRowsGiveNoCustomers) {
  std::vector<CustomerTotalsChunk> none;
  ASSERT_TRUE(merge_totals(none).has_value());
  EXPECT_EQ(merge_totals(none)->size(), 0u);
  std::vector<CustomerTotalsChunk> empty;
  empty.emplace_back(kEnd, 0);
  empty.emplace_back(kEnd, 3);
  EXPECT_EQ(merge_totals(empty)->size(), 0u);
}

TEST(CustomerTotals, RfmValuesOfTotalsCheckTheirInput) {
  const std::vector<Row> rows{{"a", 1, 2.0}, {"b", 5, 3.0}, {"a", 7, 4.0}};
  auto t = *totals_of(rows, {1});
  const RfmValues mean = rfm_values(t, 1, {.as_of = 10, .monetary = MonetaryMeasure::mean});
  EXPECT_EQ(mean.recency, (std::vector<double>{3, 5}));
  EXPECT_EQ(mean.monetary, (std::vector<double>{3.0, 3.0}));
  try {
    rfm_values(t, 1, {.as_of = 6});
    FAIL() << "no error";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "rfm_values: customer 'a' has a purchase on 1970-01-08, after the as-of date 1970-01-07");
  }
  EXPECT_THROW(rfm_values(t, 0, {.as_of = 10}), InvalidInput);
  t.count[1] = 0;
  EXPECT_THROW(rfm_values(t, 1, {.as_of = 10}), InvalidInput);
  t.spend.pop_back();
  EXPECT_THROW(rfm_values(t, 1, {.as_of = 10}), InvalidInput);
}

TEST(RfmFitScore, IsFitThenScoreForBothMethods) {
  const auto rows = synthetic(4000, Order::shuffled, 9);
  const RfmValues v = one_pass(rows);
  for (const BinMethod method : {BinMethod::rank, BinMethod::quantile})
    for (const int bins : {2, 5, 10}) {
      const RfmConfig config{.bins = bins, .method = method};
      const RfmModel fitted = RfmModel::fit(v, config);
      const RfmScores want = fitted.score(v);
      const auto [model, scores] = RfmModel::fit_score(v, config);
      EXPECT_EQ(model.recency_breaks(), fitted.recency_breaks());
      EXPECT_EQ(model.frequency_breaks(), fitted.frequency_breaks());
      EXPECT_EQ(model.monetary_breaks(), fitted.monetary_breaks());
      EXPECT_EQ(scores.r, want.r);
      EXPECT_EQ(scores.f, want.f);
      EXPECT_EQ(scores.m, want.m);
      EXPECT_EQ(scores.bins, bins);
    }
  EXPECT_THROW(RfmModel::fit_score(RfmValues{}, {.method = BinMethod::rank}), InvalidInput);
  EXPECT_THROW(RfmModel::fit_score(v, {.bins = 1, .method = BinMethod::rank}), InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
