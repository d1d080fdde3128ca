#pragma once
// Seeded simulators for every model (std::mt19937_64 + <random>), drawing
// customers exactly as each model's story says. Used for parameter-recovery
// tests and for checking predictions against Monte Carlo.

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "leadscore/churn/bg_bb.hpp"
#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/mbg_nbd.hpp"
#include "leadscore/churn/pareto_nbd.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::churn {

/// Simulated continuous-time summaries (frequency, recency, T) plus, for
/// checks, the true latent state at T.
struct SimulatedSummary {
  std::vector<double> frequency, recency, T;
  std::vector<char> alive;  ///< 1 if the customer is still active at T
  SummaryView view() const { return SummaryView{frequency, recency, T, {}, {}}; }
};

struct SimulatedDiscrete {
  std::vector<double> frequency, recency, n_periods;
  std::vector<char> alive;  ///< active at the start of opportunity n + 1
  DiscreteView view() const { return DiscreteView{frequency, recency, n_periods, {}, {}}; }
};

namespace detail {
inline double draw_gamma(std::mt19937_64& g, double shape, double rate) {
  return std::gamma_distribution<double>(shape, 1.0 / rate)(g);
}
inline double draw_beta(std::mt19937_64& g, double a, double b) {
  const double x = draw_gamma(g, a, 1.0), y = draw_gamma(g, b, 1.0);
  return x / (x + y);
}
inline void check_T(std::span<const double> T) {
  for (double t : T)
    if (!(t >= 0.0) || !std::isfinite(t)) throw InvalidInput("simulate: T must be finite and >= 0");
}

// Shared BG/NBD-style process: purchases at Poisson(lambda) times; after each
// purchase (and, if drop_at_zero, also right after the first one) the
// customer drops out with probability p.
// Round to the nearest grid point (unbiased for times spread within a cell), never past T.
inline double round_to_grid(double t, double step, double T) {
  return step > 0.0 ? std::min(std::round(t / step) * step, T) : t;
}

inline SimulatedSummary simulate_bg_family(double r, double alpha, double a, double b, bool drop_at_zero,
                                           std::span<const double> T, std::uint64_t seed, double resolution) {
  check_T(T);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  SimulatedSummary s;
  s.frequency.reserve(T.size());
  s.recency.reserve(T.size());
  s.T.assign(T.begin(), T.end());
  s.alive.reserve(T.size());
  for (double Ti : T) {
    const double lambda = draw_gamma(g, r, alpha);
    const double p = draw_beta(g, a, b);
    std::exponential_distribution<double> wait(lambda);
    double t = 0.0, tx = 0.0, x = 0.0;
    bool alive = !(drop_at_zero && U(g) < p);
    while (alive) {
      t += wait(g);
      if (t > Ti) break;
      x += 1.0;
      tx = t;
      if (U(g) < p) alive = false;
    }
    s.frequency.push_back(x);
    s.recency.push_back(round_to_grid(tx, resolution, Ti));
    s.alive.push_back(alive ? 1 : 0);
  }
  return s;
}
}  // namespace detail

/// One customer per entry of T (their ages). `resolution` > 0 rounds
/// recency to that grid (e.g. 1/7 for days when time is in weeks), as
/// transaction dates do in real data; 0 keeps continuous times.
inline SimulatedSummary simulate(const BgNbdParams& p, std::span<const double> T, std::uint64_t seed,
                                 double resolution = 0.0) {
  return detail::simulate_bg_family(p.r, p.alpha, p.a, p.b, false, T, seed, resolution);
}

inline SimulatedSummary simulate(const MbgNbdParams& p, std::span<const double> T, std::uint64_t seed,
                                 double resolution = 0.0) {
  return detail::simulate_bg_family(p.r, p.alpha, p.a, p.b, true, T, seed, resolution);
}

inline SimulatedSummary simulate(const ParetoNbdParams& p, std::span<const double> T, std::uint64_t seed,
                                 double resolution = 0.0) {
  detail::check_T(T);
  std::mt19937_64 g(seed);
  SimulatedSummary s;
  s.T.assign(T.begin(), T.end());
  for (double Ti : T) {
    const double lambda = detail::draw_gamma(g, p.r, p.alpha);
    const double mu = detail::draw_gamma(g, p.s, p.beta);
    const double death = std::exponential_distribution<double>(mu)(g);
    const double end = std::min(death, Ti);
    std::exponential_distribution<double> wait(lambda);
    double t = 0.0, tx = 0.0, x = 0.0;
    for (;;) {
      t += wait(g);
      if (t > end) break;
      x += 1.0;
      tx = t;
    }
    s.frequency.push_back(x);
    s.recency.push_back(detail::round_to_grid(tx, resolution, Ti));
    s.alive.push_back(death > Ti ? 1 : 0);
  }
  return s;
}

/// BG/BB: n_customers customers, each observed for n_periods opportunities.
inline SimulatedDiscrete simulate(const BgBbParams& p, std::size_t n_customers, int n_periods,
                                  std::uint64_t seed) {
  if (n_periods < 0) throw InvalidInput("simulate: n_periods must be >= 0");
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  SimulatedDiscrete s;
  for (std::size_t i = 0; i < n_customers; ++i) {
    const double buy = detail::draw_beta(g, p.alpha, p.beta);
    const double drop = detail::draw_beta(g, p.gamma, p.delta);
    double x = 0.0, tx = 0.0;
    bool alive = true;
    for (int t = 1; t <= n_periods && alive; ++t) {
      if (U(g) < drop) {  // becomes inactive at the start of opportunity t
        alive = false;
        break;
      }
      if (U(g) < buy) {
        x += 1.0;
        tx = t;
      }
    }
    if (alive && U(g) < drop) alive = false;  // state at opportunity n + 1
    s.frequency.push_back(x);
    s.recency.push_back(tx);
    s.n_periods.push_back(n_periods);
    s.alive.push_back(alive ? 1 : 0);
  }
  return s;
}

}  // namespace leadscore::churn
