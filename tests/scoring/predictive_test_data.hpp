#pragma once
// Small tables for the predictive-scoring tests.

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "leadscore/scoring/table.hpp"

namespace leadscore::test {

inline scoring::DataTable::Column numeric(std::string name, std::vector<double> v) {
  return {std::move(name), scoring::ColumnKind::numeric, std::move(v), {}, {}};
}
inline scoring::DataTable::Column categorical(std::string name, std::vector<std::int32_t> codes,
                                              std::vector<std::string> levels) {
  return {
      std::move(name), scoring::ColumnKind::categorical, {}, std::move(codes), std::move(levels)};
}

/// n leads: x1, x2 numeric, source categorical (3 levels), outcome drawn from
/// logit = -0.5 + 1.0 x1 - 2.0 x2 + 0.8 [source = ref].
struct Simulated {
  scoring::DataTable table;
  std::vector<double> y;
};
inline Simulated simulate_leads(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif;
  std::vector<double> x1(n), x2(n), y(n);
  std::vector<std::int32_t> src(n);
  for (std::size_t i = 0; i < n; ++i) {
    x1[i] = normal(rng);
    x2[i] = normal(rng);
    src[i] = static_cast<std::int32_t>(rng() % 3);
    const double z = -0.5 + 1.0 * x1[i] - 2.0 * x2[i] + (src[i] == 1 ? 0.8 : 0.0);
    y[i] = unif(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
  }
  Simulated s;
  s.table.columns = {numeric("x1", x1), numeric("x2", x2),
                     categorical("source", src, {"web", "ref", "ad"})};
  s.y = y;
  return s;
}

}  // namespace leadscore::test
