// Segmentation: RFM from in-memory transactions (aggregate, breaks, scores,
// named segments) and k-means on n x 8 standardized features.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <unistd.h>

#include "leadscore/io/transaction_view.hpp"
#include "leadscore/segment/kmeans.hpp"
#include "leadscore/segment/rfm.hpp"
#include "leadscore/segment/segments.hpp"
#include "synthetic.hpp"

namespace {

using namespace leadscore;
using namespace leadscore::segment;

const bench::SyntheticColumns& columns(std::size_t n) {
  static std::map<std::size_t, bench::SyntheticColumns> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, bench::synthetic_transactions(n, n / 10)).first;
  return it->second;
}

constexpr Day kAsOf = 18262 + 730;  // the end of the synthetic two years

// Transactions -> values -> breaks -> scores -> segments, one core.
void BM_RfmPipeline(benchmark::State& state) {
  const auto& tx = columns(static_cast<std::size_t>(state.range(0)));
  const SegmentTable table = SegmentTable::rf_grid();
  for (auto _ : state) {
    const RfmValues v = rfm_values(tx.customer, tx.n_customers, tx.time, seconds_per_day, tx.amount, {.as_of = kAsOf});
    const RfmModel model = RfmModel::fit(v);
    const RfmScores s = model.score(v);
    const auto seg = table.assign(s);
    benchmark::DoNotOptimize(seg.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(tx.customer.size()));
  state.counters["customers"] = static_cast<double>(tx.n_customers);
}
BENCHMARK(BM_RfmPipeline)->Arg(100'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A CSV of n transactions (customer_id,date,amount) of n / 10 customers,
// grouped by customer or shuffled; written once per process.
const std::string& transactions_file(std::size_t n, bool shuffled) {
  static std::map<std::pair<std::size_t, bool>, std::string> cache;
  auto it = cache.find({n, shuffled});
  if (it != cache.end()) return it->second;
  const auto& tx = columns(n);
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  if (shuffled) std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  const auto path = std::filesystem::temp_directory_path() /
                    ("leadscore-bm-" + std::to_string(::getpid()) + "-" + std::to_string(n) + (shuffled ? "s" : "g") + ".csv");
  std::string text = "customer_id,date,amount\n";
  char buf[32];
  for (std::size_t i : order) {
    const auto c = static_cast<unsigned long>(tx.customer[i]);
    text += "C" + std::to_string(c + 1000000) + ',' + format_day(day_of(tx.time[i])) + ',';
    text.append(buf, static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%.2f", tx.amount[i])));
    text += '\n';
  }
  std::ofstream(path, std::ios::binary) << text;
  static struct Cleanup {
    ~Cleanup() {
      for (const auto& [key, file] : cache) std::filesystem::remove(file);
    }
  } cleanup;
  return cache.emplace(std::pair{n, shuffled}, path.string()).first->second;
}

// CSV file -> TransactionView -> RFM values (the parallel reader and the
// per-customer aggregation of `leadscore segment rfm`), both cores.
void BM_RfmFromFile(benchmark::State& state) {
  const std::string& path = transactions_file(static_cast<std::size_t>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    const TransactionView tx = read_transaction_view(path);
    const RfmValues v = rfm_values(tx.customer(), tx.ids(), tx.time(), tx.amount(), {.as_of = kAsOf});
    benchmark::DoNotOptimize(v.recency.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(state.range(1) != 0 ? "shuffled" : "grouped");
}
BENCHMARK(BM_RfmFromFile)
    ->Args({100'000, 0})
    ->Args({10'000'000, 0})
    ->Args({10'000'000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// CSV file -> customer totals -> RFM values -> breaks and scores ranked once:
// what `leadscore segment rfm` does before it formats the table, both cores.
void BM_RfmTotalsFromFile(benchmark::State& state) {
  const std::string& path = transactions_file(static_cast<std::size_t>(state.range(0)), state.range(1) != 0);
  const Timestamp end = (static_cast<Timestamp>(kAsOf) + 1) * seconds_per_day;
  for (auto _ : state) {
    const auto totals = read_customer_totals(path, {}, {}, end);
    if (!totals) {
      state.SkipWithError("the file did not take the parallel path");
      break;
    }
    const RfmValues v = rfm_values(*totals, seconds_per_day, {.as_of = kAsOf});
    const auto fitted = RfmModel::fit_score(v, {.method = BinMethod::rank});
    benchmark::DoNotOptimize(fitted.scores.r.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel(state.range(1) != 0 ? "shuffled" : "grouped");
}
BENCHMARK(BM_RfmTotalsFromFile)
    ->Args({100'000, 0})
    ->Args({10'000'000, 0})
    ->Args({10'000'000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Unit Gaussian blobs around 8 centers in 8 dimensions, seeded.
const RowMatrix& blobs(std::size_t n) {
  static std::map<std::size_t, RowMatrix> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> where(-2.0, 2.0);  // overlapping: tens of iterations
  RowMatrix centers(8, 8), X(static_cast<Eigen::Index>(n), 8);
  for (Eigen::Index i = 0; i < centers.size(); ++i) centers.data()[i] = where(rng);
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < 8; ++j) X(i, j) = centers(i % 8, j) + noise(rng);
  return cache.emplace(n, std::move(X)).first->second;
}

// One k-means++ seeding + Hamerly run (n_init = 1), k = 8, on 8 features.
void BM_KMeans(benchmark::State& state) {
  const RowMatrix& X = blobs(static_cast<std::size_t>(state.range(0)));
  const int threads = static_cast<int>(state.range(1));
  double inertia = 0;
  int iterations = 0;
  for (auto _ : state) {
    const auto m = KMeansModel::fit(RowsView(X.data(), X.rows(), X.cols()),
                                    {.k = 8, .n_init = 1, .seed = 0, .threads = threads});
    inertia = m.inertia();
    iterations = m.fit_info().iterations;
  }
  state.SetItemsProcessed(state.iterations() * X.rows());
  state.counters["inertia"] = inertia;
  state.counters["iterations"] = iterations;
}
BENCHMARK(BM_KMeans)
    ->Args({100'000, 1})
    ->Args({1'000'000, 1})
    ->Args({1'000'000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
