// Predictive scoring: logistic fits on simulated leads (rows x features),
// batch scoring of a fitted linear model (rows per second), and the feature
// preparation and naive-Bayes scoring of the X Education leads table.

#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <random>

#include "leadscore/scoring/model.hpp"
#include "leadscore/scoring/table.hpp"

namespace {

using namespace leadscore;
using namespace leadscore::scoring;

struct Simulated {
  Eigen::MatrixXd x;
  std::vector<double> y;
};

// Standard normal features; outcomes from a logit with coefficients
// alternating +-0.5 / sqrt(features), intercept -1.
const Simulated& simulated(Eigen::Index rows, Eigen::Index features) {
  static std::map<std::pair<Eigen::Index, Eigen::Index>, Simulated> cache;
  auto [it, added] = cache.try_emplace({rows, features});
  if (added) {
    std::mt19937_64 rng(1);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unif;
    Simulated& s = it->second;
    s.x.resize(rows, features);
    for (Eigen::Index j = 0; j < features; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) s.x(i, j) = normal(rng);
    Eigen::VectorXd beta(features);
    for (Eigen::Index j = 0; j < features; ++j)
      beta[j] = (j % 2 ? -0.5 : 0.5) / std::sqrt(double(features)) * 3;
    const Eigen::VectorXd z = (s.x * beta).array() - 1.0;
    s.y.resize(static_cast<std::size_t>(rows));
    for (Eigen::Index i = 0; i < rows; ++i)
      s.y[static_cast<std::size_t>(i)] = unif(rng) < sigmoid(z[i]) ? 1.0 : 0.0;
  }
  return it->second;
}

void BM_LogisticFit(benchmark::State& state, Solver solver) {
  const Simulated& s = simulated(state.range(0), state.range(1));
  LogisticConfig c;
  c.solver = solver;
  c.tolerance = 1e-6;
  for (auto _ : state) {
    const auto m = LogisticModel::fit(s.x, s.y, c);
    if (!m.fit_info().converged) state.SkipWithError("did not converge");
    benchmark::DoNotOptimize(m.intercept());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK_CAPTURE(BM_LogisticFit, newton, Solver::newton)
    ->Args({100000, 50})
    ->Args({1000000, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_LogisticFit, lbfgs, Solver::lbfgs)
    ->Args({100000, 50})
    ->Args({1000000, 50})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Log-odds of every row: one pass over the matrix (memory bound).
void BM_LinearScore(benchmark::State& state) {
  const Simulated& s = simulated(state.range(0), state.range(1));
  const LogisticModel m(Eigen::VectorXd::Constant(state.range(1), 0.1), -1.0);
  std::vector<double> out(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    m.decision_function(s.x, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * state.range(0) * state.range(1) * 8);
}
BENCHMARK(BM_LinearScore)
    ->Args({1000000, 5})
    ->Args({1000000, 10})
    ->Args({1000000, 50})
    ->Args({500000, 100})
    ->Unit(benchmark::kMillisecond);

// The same for the matrix stored row after row (a C-ordered numpy array).
void BM_LinearScoreRowMajor(benchmark::State& state) {
  const LogisticModel::RowMajorMatrix x = simulated(state.range(0), state.range(1)).x;
  const Eigen::Map<const LogisticModel::RowMajorMatrix> view(x.data(), x.rows(), x.cols());
  const LogisticModel m(Eigen::VectorXd::Constant(state.range(1), 0.1), -1.0);
  std::vector<double> out(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    m.decision_function(view, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * state.range(0) * state.range(1) * 8);
}
BENCHMARK(BM_LinearScoreRowMajor)
    ->Args({1000000, 5})
    ->Args({1000000, 10})
    ->Args({1000000, 50})
    ->Args({500000, 100})
    ->Unit(benchmark::kMillisecond);

// The bound on BM_LinearScore: one plain read of the same matrix (its sum).
void BM_MemoryRead(benchmark::State& state) {
  const Simulated& s = simulated(state.range(0), state.range(1));
  for (auto _ : state) {
    double sum = s.x.sum();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * state.range(0) * state.range(1) * 8);
}
BENCHMARK(BM_MemoryRead)
    ->Args({1000000, 5})
    ->Args({1000000, 10})
    ->Args({1000000, 50})
    ->Args({500000, 100})
    ->Unit(benchmark::kMillisecond);

// The leads table, read once, without the sales-entered fields.
const DataTable& leads() {
  static const DataTable t = read_table(std::string(LEADSCORE_SOURCE_DIR) + "/data/leads/Leads.csv",
                                        {}, {.missing_values = {"Select"}});
  return t;
}
PredictiveConfig leads_config(ModelKind kind) {
  PredictiveConfig c;
  c.kind = kind;
  c.target = "Converted";
  c.features.exclude = {"Prospect ID",
                        "Lead Number",
                        "Tags",
                        "Lead Quality",
                        "Lead Profile",
                        "Asymmetrique Activity Index",
                        "Asymmetrique Profile Index",
                        "Asymmetrique Activity Score",
                        "Asymmetrique Profile Score"};
  return c;
}

void BM_LeadsFit(benchmark::State& state, ModelKind kind) {
  const TableView v = leads().view();
  const auto y = binary_target(v.column("Converted"));
  for (auto _ : state)
    benchmark::DoNotOptimize(PredictiveModel::fit(v, y, leads_config(kind)).fit_info().rows);
  state.SetItemsProcessed(state.iterations() * static_cast<long>(v.rows()));
}
BENCHMARK_CAPTURE(BM_LeadsFit, logistic, ModelKind::logistic)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LeadsFit, naive_bayes, ModelKind::naive_bayes)->Unit(benchmark::kMillisecond);

// Preparation + scoring of the whole table (what `score apply` does per file).
void BM_LeadsPredict(benchmark::State& state, ModelKind kind) {
  const TableView v = leads().view();
  const auto y = binary_target(v.column("Converted"));
  const auto m = PredictiveModel::fit(v, y, leads_config(kind));
  std::vector<double> p(v.rows());
  for (auto _ : state) {
    m.predict_proba(v, p);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(v.rows()));
}
BENCHMARK_CAPTURE(BM_LeadsPredict, logistic, ModelKind::logistic)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LeadsPredict, naive_bayes, ModelKind::naive_bayes)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
