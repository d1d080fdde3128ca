#include "leadscore/segment/rfm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "../temp_file.hpp"
#include "../test_data.hpp"
#include "leadscore/io/csv.hpp"
#include "leadscore/segment/archive.hpp"
#include "leadscore/segment/segments.hpp"

namespace leadscore::segment {
namespace {

TransactionBatch rfm_orders() {
  return read_transactions(test::data_path("retail/rfm_data_orders.csv"), {},
                           {.id = "customer_id", .date = "order_date", .amount = "revenue"});
}

struct Expected {
  std::string segment;
  double count, recency, amount;
  int r, f, m;
};

std::map<std::string, Expected> expected_r_rfm() {
  CsvReader reader(test::data_path("retail/rfm_data_orders_expected_r_rfm.csv"), {});
  std::map<std::string, Expected> out;
  std::vector<std::string_view> row;
  while (reader.next(row)) {
    out[std::string(row[0])] = {std::string(row[1]), std::stod(std::string(row[3])), std::stod(std::string(row[4])),
                                std::stod(std::string(row[5])), std::stoi(std::string(row[6])),
                                std::stoi(std::string(row[7])), std::stoi(std::string(row[8]))};
  }
  return out;
}

TEST(SegmentRfm, ReproducesTheRPackageForEveryCustomer) {
  const auto values = rfm_values(rfm_orders(), {.as_of = rfm_day("2006-12-31")});
  const auto expected = expected_r_rfm();
  ASSERT_EQ(values.size(), 995u);
  ASSERT_EQ(expected.size(), 995u);
  const auto model = RfmModel::fit(values);
  const auto scores = model.score(values);
  const auto table = SegmentTable::rfm_package();
  const auto seg = table.assign(scores);
  std::map<std::string, int> counts;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto it = expected.find(values.id[i]);
    ASSERT_NE(it, expected.end()) << values.id[i];
    const Expected& e = it->second;
    EXPECT_EQ(values.frequency[i], e.count) << values.id[i];
    EXPECT_EQ(values.recency[i], e.recency) << values.id[i];
    EXPECT_EQ(values.monetary[i], e.amount) << values.id[i];
    EXPECT_EQ(scores.r[i], e.r) << values.id[i];
    EXPECT_EQ(scores.f[i], e.f) << values.id[i];
    EXPECT_EQ(scores.m[i], e.m) << values.id[i];
    EXPECT_EQ(table.name(seg[i]), e.segment) << values.id[i];
    EXPECT_EQ(scores.cell(i), std::to_string(e.r * 100 + e.f * 10 + e.m));
    ++counts[table.name(seg[i])];
  }
  EXPECT_EQ(counts["Potential Loyalist"], 342);
  EXPECT_EQ(counts["Champions"], 35);
  // The breaks R prints: type-7 quintiles + 1.
  EXPECT_EQ(model.frequency_breaks(), (std::vector<double>{4, 5, 6, 8}));
}

TEST(SegmentRfm, RankBinsAreEqualSizedAndBreakTiesByOrder) {
  RfmValues v;
  for (int i = 0; i < 10; ++i) {
    v.id.push_back("c" + std::to_string(i));
    v.recency.push_back(i < 5 ? 3 : 7);  // two tied groups
    v.frequency.push_back(1);             // all tied
    v.monetary.push_back(10.0 * i);
  }
  const auto model = RfmModel::fit(v, {.bins = 5, .method = BinMethod::rank});
  const auto s = model.score(v);
  // All tied: split by order, two per score.
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(s.f[i], i / 2 + 1) << i;
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(s.m[i], i / 2 + 1) << i;
  // Recency 7 (worse) ranks first; within ties the first seen gets the lower score.
  for (std::size_t i = 5; i < 10; ++i) EXPECT_LE(s.r[i], 3) << i;
  for (std::size_t i = 0; i < 5; ++i) EXPECT_GE(s.r[i], 3) << i;
  EXPECT_EQ(s.r[5], 1);
  EXPECT_EQ(s.r[4], 5);
  // Quantile bins put tied values in one score instead.
  const auto q = RfmModel::fit(v).score(v);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(q.f[i], q.f[0]);
}

TEST(SegmentRfm, RankScoresEqualAStableSortWithManyTies) {
  std::mt19937_64 rng(11);
  for (int bins : {2, 3, 5, 7, 25}) {  // 25: more thresholds than the branch-free count takes
    for (int n : {1, 6, 97, 1000}) {
      RfmValues v;
      std::uniform_int_distribution<int> small(0, 6);
      for (int i = 0; i < n; ++i) {
        v.recency.push_back(small(rng));
        v.frequency.push_back(1 + small(rng) / 3);
        v.monetary.push_back(small(rng) * 2.5);
      }
      const auto s = RfmModel::fit(v, {.bins = bins, .method = BinMethod::rank}).score(v);
      const std::vector<double>* col[3] = {&v.recency, &v.frequency, &v.monetary};
      const std::vector<std::uint8_t>* got[3] = {&s.r, &s.f, &s.m};
      for (int d = 0; d < 3; ++d) {
        std::vector<std::size_t> order(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        const auto& x = *col[d];
        std::stable_sort(order.begin(), order.end(),
                         [&](auto a, auto b) { return d == 0 ? x[a] > x[b] : x[a] < x[b]; });
        for (std::size_t rank = 0; rank < order.size(); ++rank)
          ASSERT_EQ((*got[d])[order[rank]], rank * static_cast<std::size_t>(bins) / order.size() + 1)
              << "bins " << bins << " n " << n << " dim " << d << " rank " << rank;
      }
    }
  }
}

// Breaks come from order statistics found through a histogram of the
// values' top bits: check them against a sorted copy for values that share
// a bucket, span many magnitudes, or are all equal.
TEST(SegmentRfm, QuantileBreaksEqualType7QuantilesOfASortedCopy) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> wide(3.0, 4.0);
  std::uniform_real_distribution<double> narrow(1.0, 1.0 + 1e-9);  // one top-bits bucket
  for (int shape = 0; shape < 4; ++shape)
    for (int n : {1, 2, 9, 5000}) {
      RfmValues v;
      for (int i = 0; i < n; ++i) {
        const double x = shape == 0 ? wide(rng) : shape == 1 ? narrow(rng) : shape == 2 ? 42.0 : i % 3 * 1e300;
        v.recency.push_back(x);
        v.frequency.push_back(x);
        v.monetary.push_back(x);
      }
      for (int bins : {2, 5, 30}) {
        const auto model = RfmModel::fit(v, {.bins = bins, .break_offset = 0.5});
        std::vector<double> sorted = v.monetary;
        std::sort(sorted.begin(), sorted.end());
        for (int k = 1; k < bins; ++k) {
          const double h = static_cast<double>(n - 1) * k / bins;
          const auto lo = static_cast<std::size_t>(h);
          const double a = sorted[lo], next = sorted[std::min<std::size_t>(lo + 1, sorted.size() - 1)];
          const double expected = a + (h - static_cast<double>(lo)) * (next - a) + 0.5;
          ASSERT_EQ(model.monetary_breaks()[static_cast<std::size_t>(k - 1)], expected)
              << "shape " << shape << " n " << n << " bins " << bins << " k " << k;
          ASSERT_EQ(model.recency_breaks()[static_cast<std::size_t>(k - 1)], expected);
        }
      }
    }
}

TEST(SegmentRfm, MeanMonetaryAndRecencyFromTheLastPurchase) {
  TransactionBatch tx;
  const auto day = [](int d) { return Timestamp{*make_day(2024, 1, d)} * seconds_per_day + 3600; };
  tx.add("a", day(1), 10);
  tx.add("a", day(5), 30);
  tx.add("b", day(2), 7);
  const auto v = rfm_values(tx, {.as_of = *make_day(2024, 1, 10), .monetary = MonetaryMeasure::mean});
  EXPECT_EQ(v.recency, (std::vector<double>{5, 8}));
  EXPECT_EQ(v.frequency, (std::vector<double>{2, 1}));
  EXPECT_EQ(v.monetary, (std::vector<double>{20, 7}));
  EXPECT_THROW(rfm_values(tx, {.as_of = *make_day(2024, 1, 4)}), InvalidInput);
  try {
    rfm_values(tx, {.as_of = *make_day(2024, 1, 4)});
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos) << e.what();
  }
}

TEST(SegmentRfm, RejectsBadInput) {
  RfmValues v{{"a", "b"}, {1, 2}, {1, 1}, {5, std::nan("")}};
  EXPECT_THROW(RfmModel::fit(v), InvalidInput);
  v.monetary[1] = -1;
  try {
    RfmModel::fit(v);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("monetary of customer 'b'"), std::string::npos) << e.what();
  }
  v.monetary[1] = 1;
  EXPECT_THROW(RfmModel::fit(v, {.bins = 1}), InvalidInput);
  EXPECT_THROW(RfmModel::fit(v, {.bins = 100}), InvalidInput);
  EXPECT_THROW(RfmModel::fit(RfmValues{}), InvalidInput);
  v.frequency.pop_back();
  EXPECT_THROW(RfmModel::fit(v), InvalidInput);
  EXPECT_THROW(RfmModel({.bins = 3}, {1}, {1, 2}, {1, 2}), InvalidInput);
  EXPECT_THROW(RfmModel({.bins = 3}, {2, 1}, {1, 2}, {1, 2}), InvalidInput);
}

TEST(SegmentRfm, ScoresNewCustomersByTheBreaksAndRoundTrips) {
  std::mt19937_64 rng(7);
  std::gamma_distribution<double> spend(2.0, 50.0);
  std::poisson_distribution<int> orders(3);
  std::uniform_int_distribution<int> days(0, 400);
  RfmValues v;
  for (int i = 0; i < 500; ++i) {
    v.id.push_back(std::to_string(i));
    v.recency.push_back(days(rng));
    v.frequency.push_back(1 + orders(rng));
    v.monetary.push_back(spend(rng));
  }
  for (auto method : {BinMethod::quantile, BinMethod::rank}) {
    const auto model = RfmModel::fit(v, {.bins = 4, .method = method});
    const auto s = model.score(v);
    // Quantile scores of the fitted customers are the break scores; rank
    // scores agree with them except inside tied runs.
    std::size_t agree = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto row = model.score_one(v.recency[i], v.frequency[i], v.monetary[i]);
      agree += row.r == s.r[i] && row.m == s.m[i];
    }
    if (method == BinMethod::quantile) EXPECT_EQ(agree, v.size());
    else EXPECT_GT(agree, v.size() * 9 / 10);
    // Sizes of rank bins are equal.
    if (method == BinMethod::rank) {
      std::vector<int> count(5);
      for (auto m : s.m) ++count[m];
      EXPECT_EQ(count[1], 125);
      EXPECT_EQ(count[4], 125);
    }
    test::TempFile file("", "rfm.model");
    save(model, file.path());
    const auto back = load<RfmModel>(file.path());
    EXPECT_EQ(back.recency_breaks(), model.recency_breaks());
    EXPECT_EQ(back.monetary_breaks(), model.monetary_breaks());
    EXPECT_EQ(back.config().method, method);
    EXPECT_EQ(from_bytes<RfmModel>(to_bytes(model)).frequency_breaks(), model.frequency_breaks());
  }
  EXPECT_THROW(from_bytes<RfmModel>("leadscore-model kmeans 1\n"), SerializationError);
  EXPECT_THROW(from_bytes<RfmModel>("leadscore-model rfm 1\n22 serialization::archive 19 0 0 5"), SerializationError);
  EXPECT_THROW(load<RfmModel>("/nonexistent/rfm.model"), SerializationError);
}

}  // namespace
}  // namespace leadscore::segment
