// Rule-based lead scoring: bulk scoring of simulated leads and events with
// the 50-rule set data/rules/bench_50.json, and incremental updates.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "leadscore/scoring/rules.hpp"
#include "leadscore/scoring/rules_simulate.hpp"

namespace {

using namespace leadscore;
using namespace leadscore::scoring;

const RuleEngine& engine() {
  static const RuleEngine e(load_rule_set(std::string(LEADSCORE_SOURCE_DIR) + "/data/rules/bench_50.json"));
  return e;
}

// Leads with 10 events each on average, made once per size.
const SimulatedLeads& leads(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<SimulatedLeads>> cache;
  auto& slot = cache[n];
  if (!slot) slot = std::make_unique<SimulatedLeads>(simulate_leads(n, 10.0, 42));
  return *slot;
}

// On one thread: the per-core figure.
void BM_RulesBulk(benchmark::State& state) {
  const auto& sim = leads(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(engine().score(sim.profiles, sim.events, sim.as_of, 1).total.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sim.profiles.customer.size()));
  state.counters["events"] = static_cast<double>(sim.events.size());
}
BENCHMARK(BM_RulesBulk)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// As callers get it by default: on every core.
void BM_RulesBulkAllCores(benchmark::State& state) {
  const auto& sim = leads(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(engine().score(sim.profiles, sim.events, sim.as_of).total.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sim.profiles.customer.size()));
}
BENCHMARK(BM_RulesBulkAllCores)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// One event into its lead's state (events in arrival order, across leads).
void BM_RulesIncrementalUpdate(benchmark::State& state) {
  const auto& sim = leads(static_cast<std::size_t>(state.range(0)));
  std::vector<LeadState> states(sim.profiles.customer.size(), engine().new_state());
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(engine().update(states[sim.events.customer[i]], sim.events, i));
    if (++i == sim.events.size()) {
      state.PauseTiming();
      i = 0;
      for (auto& s : states) s = engine().new_state();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesIncrementalUpdate)->Arg(100000);

// One event in, then the lead's new score, grade, stage and reasons.
void BM_RulesIncrementalUpdateAndScore(benchmark::State& state) {
  const auto& sim = leads(static_cast<std::size_t>(state.range(0)));
  const ProfileBinding b = engine().bind(sim.profiles);
  std::vector<LeadState> states(sim.profiles.customer.size(), engine().new_state());
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint32_t lead = sim.events.customer[i];
    engine().update(states[lead], sim.events, i);
    benchmark::DoNotOptimize(engine().score_one(b, lead, states[lead], sim.as_of).total);
    if (++i == sim.events.size()) {
      state.PauseTiming();
      i = 0;
      for (auto& s : states) s = engine().new_state();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RulesIncrementalUpdateAndScore)->Arg(100000);

}  // namespace

namespace {
// The same events grouped by lead (as an export sorted by lead would be).
void BM_RulesBulkSortedByLead(benchmark::State& state) {
  const auto& sim = leads(static_cast<std::size_t>(state.range(0)));
  static std::map<std::size_t, std::unique_ptr<EventBatch>> cache;
  auto& sorted = cache[sim.profiles.customer.size()];
  if (!sorted) {
    std::vector<std::size_t> order(sim.events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sim.events.customer[a] < sim.events.customer[b]; });
    sorted = std::make_unique<EventBatch>();
    sorted->texts = sim.events.texts;  // the same codes
    for (std::size_t i : order)
      sorted->add(sim.events.customer[i], sim.events.type[i], sim.events.time[i], sim.events.value[i],
                  sim.events.properties_of(i));
  }
  for (auto _ : state) benchmark::DoNotOptimize(engine().score(sim.profiles, *sorted, sim.as_of, 1).total.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sim.profiles.customer.size()));
}
BENCHMARK(BM_RulesBulkSortedByLead)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();
}  // namespace

BENCHMARK_MAIN();
