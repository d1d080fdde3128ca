// Segmentation: RFM from in-memory transactions (aggregate, breaks, scores,
// named segments) and k-means on n x 8 standardized features.

#include <benchmark/benchmark.h>

#include <map>
#include <random>

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
