// Transaction summaries: in memory (the engine alone) and from a CSV file
// (reader + engine). Sizes: n transactions by n/10 customers.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <unistd.h>

#include "leadscore/io/csv.hpp"
#include "leadscore/summary/summarize.hpp"
#include "synthetic.hpp"

namespace {

using namespace leadscore;

const bench::SyntheticColumns& columns(std::size_t n) {
  static std::map<std::size_t, bench::SyntheticColumns> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, bench::synthetic_transactions(n, n / 10)).first;
  return it->second;
}

void BM_SummarizeInMemory(benchmark::State& state) {
  const auto& tx = columns(static_cast<std::size_t>(state.range(0)));
  const SummaryConfig config{.time_unit = TimeUnit::weeks, .calibration_end = 18262 + 500,
                             .observation_end = {}};
  for (auto _ : state) {
    auto s = summarize(tx.customer, tx.n_customers, tx.time, seconds_per_day, tx.amount, config);
    benchmark::DoNotOptimize(s.frequency.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(tx.customer.size()));
  state.counters["customers"] = static_cast<double>(tx.n_customers);
}
BENCHMARK(BM_SummarizeInMemory)->Arg(100'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CsvToSummary(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto path = std::filesystem::temp_directory_path() /
                    ("leadscore-bm-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".csv");
  bench::write_csv(columns(n), path.string());
  for (auto _ : state) {
    const TransactionBatch batch = read_transactions(path.string());
    auto s = summarize(batch);
    benchmark::DoNotOptimize(s.frequency.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(std::filesystem::file_size(path)));
  std::filesystem::remove(path);
}
BENCHMARK(BM_CsvToSummary)->Arg(100'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
