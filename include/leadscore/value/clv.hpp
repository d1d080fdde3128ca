#pragma once
// Discounted customer lifetime value from a continuous-time BTYD model
// (BgNbdModel, ParetoNbdModel, MbgNbdModel) and the Gamma-Gamma spend model,
// defined exactly as lifetimes' customer_lifetime_value (v0.11):
//
//   CLV_i = sum_{k=1}^{months} S_i * (E_i(k f) - E_i((k-1) f)) / (1 + d)^k
//
// where E_i(t) is the model's conditional expected number of purchases of
// customer i in the next t time units, S_i the Gamma-Gamma conditional
// expected average spend, f = time units per month (lifetimes' freq factor:
// 4.345 for weeks, 30 for days, 1 for months) and d the monthly discount rate.

#include <cmath>
#include <span>
#include <string>

#include "leadscore/churn/data.hpp"
#include "leadscore/value/gamma_gamma.hpp"

namespace leadscore::value {

struct ClvConfig {
  int months = 12;                ///< horizon in months (lifetimes' `time`)
  double discount_rate = 0.01;    ///< per month
  double units_per_month = 4.345; ///< model time units per month (weeks: 4.345, days: 30, months: 1)
};

namespace detail {
inline void check_clv(const char* where, const ClvConfig& cfg) {
  if (cfg.months < 0 || !(cfg.discount_rate > -1.0) || !std::isfinite(cfg.discount_rate) ||
      !(cfg.units_per_month > 0.0) || !std::isfinite(cfg.units_per_month))
    throw InvalidInput(std::string(where) + ": invalid CLV config");
}
}  // namespace detail

/// One customer.
template <class Model>
double customer_lifetime_value(const Model& model, const GammaGammaModel& spend, double x, double t_x,
                               double T, double monetary, const ClvConfig& cfg = {}) {
  detail::check_clv("customer_lifetime_value", cfg);
  const double s = spend.conditional_expected_average_spend(x, monetary);
  double clv = 0.0, prev = 0.0;
  for (int k = 1; k <= cfg.months; ++k) {
    const double cum = model.expected_purchases(k * cfg.units_per_month, x, t_x, T);
    clv += s * (cum - prev) / std::pow(1.0 + cfg.discount_rate, k);
    prev = cum;
  }
  return clv;
}

/// Batch over customers; writes into `out` (no allocation).
template <class Model>
void customer_lifetime_value(const Model& model, const GammaGammaModel& spend, std::span<const double> x,
                             std::span<const double> t_x, std::span<const double> T,
                             std::span<const double> monetary, std::span<double> out, const ClvConfig& cfg = {}) {
  constexpr const char* where = "customer_lifetime_value";
  churn::validate(where, x, t_x, T);
  validate_spend(where, x, monetary);
  churn::check_out(where, x.size(), out.size());
  detail::check_clv(where, cfg);
  for (std::size_t i = 0; i < x.size(); ++i)
    out[i] = customer_lifetime_value(model, spend, x[i], t_x[i], T[i], monetary[i], cfg);
}

}  // namespace leadscore::value
