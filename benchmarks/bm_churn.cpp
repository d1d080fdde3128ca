// BTYD churn models and Gamma-Gamma: fits on the published data sets, a
// BG/NBD fit on simulated customers, and batch predictions.

#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include "leadscore/churn/bg_bb.hpp"
#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/mbg_nbd.hpp"
#include "leadscore/churn/pareto_nbd.hpp"
#include "leadscore/churn/simulate.hpp"
#include "leadscore/io/csv.hpp"
#include "leadscore/summary/summarize.hpp"
#include "leadscore/value/gamma_gamma.hpp"

namespace {

using namespace leadscore;

std::string data(const std::string& relative) { return std::string(LEADSCORE_SOURCE_DIR) + "/data/" + relative; }

// The unrounded CDNOW calibration summary, as the papers fitted it.
const CustomerSummary& cdnow() {
  static const CustomerSummary s = [] {
    const auto tx = read_transactions(data("cdnow/CDNOW_sample.txt"), {.delimiter = CsvOptions::whitespace, .header = false},
                                      {.id = "1", .date = "2", .amount = "4", .discount = {}, .date_format = "%Y%m%d"});
    return summarize(tx, {.time_unit = TimeUnit::weeks, .calibration_end = *make_day(1997, 9, 30),
                          .observation_end = *make_day(1998, 6, 30)});
  }();
  return s;
}

template <class Model>
void BM_FitCdnow(benchmark::State& state) {
  const auto& s = cdnow();
  const churn::SummaryView view{s.frequency, s.recency, s.T, {}, {}};
  for (auto _ : state) benchmark::DoNotOptimize(Model::fit(view).params());
}
BENCHMARK(BM_FitCdnow<churn::BgNbdModel>)->Name("BM_FitCdnow/bg_nbd")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitCdnow<churn::ParetoNbdModel>)->Name("BM_FitCdnow/pareto_nbd")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitCdnow<churn::MbgNbdModel>)->Name("BM_FitCdnow/mbg_nbd")->Unit(benchmark::kMillisecond);

void BM_FitCdnowGammaGamma(benchmark::State& state) {
  const auto& s = cdnow();
  for (auto _ : state)
    benchmark::DoNotOptimize(value::GammaGammaModel::fit({s.frequency, s.monetary_value, {}, {}}).params());
}
BENCHMARK(BM_FitCdnowGammaGamma)->Name("BM_FitCdnow/gamma_gamma")->Unit(benchmark::kMillisecond);

void BM_FitDonationsBgBb(benchmark::State& state) {
  const auto t = read_numeric_table(data("donations/donations.csv"), {}, {}, {"frequency", "recency", "periods", "weights"});
  const churn::DiscreteView view{t.values[0], t.values[1], t.values[2], t.values[3], {}};
  for (auto _ : state) benchmark::DoNotOptimize(churn::BgBbModel::fit(view).params());
}
BENCHMARK(BM_FitDonationsBgBb)->Name("BM_FitDonations/bg_bb")->Unit(benchmark::kMillisecond);

// n customers with CDNOW-like parameters and ages of 27-39 weeks, recency on
// a daily grid (1/7 week), as summaries of daily transaction data are.
const churn::SimulatedSummary& simulated(std::size_t n) {
  static std::map<std::size_t, churn::SimulatedSummary> cache;
  auto it = cache.find(n);
  if (it == cache.end()) {
    std::mt19937_64 rng(11);
    std::vector<double> T(n);
    for (auto& t : T) t = 27.0 + static_cast<double>(rng() % 85) / 7.0;
    it = cache.emplace(n, churn::simulate(churn::BgNbdParams{0.243, 4.414, 0.793, 2.426}, T, 5, 1.0 / 7)).first;
  }
  return it->second;
}

void BM_FitSimulatedBgNbd(benchmark::State& state) {
  const auto& sim = simulated(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(churn::BgNbdModel::fit(sim.view()).params());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FitSimulatedBgNbd)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class Model>
void BM_PredictAliveAndPurchases(benchmark::State& state) {
  const auto& sim = simulated(static_cast<std::size_t>(state.range(0)));
  const auto& s = cdnow();
  const Model model = Model::fit({s.frequency, s.recency, s.T, {}, {}});
  std::vector<double> p_alive(sim.T.size()), expected(sim.T.size());
  for (auto _ : state) {
    model.p_alive(sim.frequency, sim.recency, sim.T, p_alive);
    model.expected_purchases(39.0, sim.frequency, sim.recency, sim.T, expected);
    benchmark::DoNotOptimize(expected.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PredictAliveAndPurchases<churn::BgNbdModel>)->Name("BM_Predict/bg_nbd")->Arg(10'000)->Arg(1'000'000)->UseRealTime();
BENCHMARK(BM_PredictAliveAndPurchases<churn::ParetoNbdModel>)->Name("BM_Predict/pareto_nbd")->Arg(10'000)->Arg(1'000'000)->UseRealTime();
BENCHMARK(BM_PredictAliveAndPurchases<churn::MbgNbdModel>)->Name("BM_Predict/mbg_nbd")->Arg(10'000)->Arg(1'000'000)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
