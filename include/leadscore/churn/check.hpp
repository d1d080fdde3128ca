#pragma once
// Model checking and cohort-level forecasts for the continuous-time BTYD
// models (BgNbdModel, ParetoNbdModel, MbgNbdModel): calibration/holdout
// evaluation, the frequency x recency P(alive) matrix, and expected
// cumulative / incremental repeat transactions of a cohort. Results are plain
// data (structs of vectors, Eigen matrices) for printing, JSON or plotting.

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "leadscore/churn/data.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::churn {

/// Predicted vs actual holdout purchases. Group k holds the customers whose
/// calibration frequency is k (the last group: >= max_frequency).
struct HoldoutReport {
  std::vector<double> frequency;    ///< group label (calibration frequency)
  std::vector<double> n_customers;  ///< weight in the group
  std::vector<double> actual;       ///< mean actual holdout purchases
  std::vector<double> predicted;    ///< mean predicted E[Y(duration) | x, t_x, T]
  double mae = 0.0;                 ///< per-customer mean absolute error
  double rmse = 0.0;                ///< per-customer root mean squared error
  double correlation = 0.0;         ///< per-customer Pearson correlation (NaN if a side is constant)
  double total_actual = 0.0;
  double total_predicted = 0.0;
};

/// Evaluate `model` (fitted on the calibration period) on holdout data:
/// `holdout_frequency[i]` purchases observed in the next `duration` time units.
template <class Model>
HoldoutReport calibration_holdout(const Model& model, const SummaryView& calibration,
                                  std::span<const double> holdout_frequency, double duration,
                                  int max_frequency = 7) {
  constexpr const char* where = "calibration_holdout";
  validate(where, calibration);
  detail::check_sizes(where, calibration.frequency.size(), holdout_frequency.size(), "holdout_frequency");
  if (!(duration >= 0.0) || !std::isfinite(duration) || max_frequency < 0)
    throw InvalidInput(std::string(where) + ": duration must be >= 0 and max_frequency >= 0");
  for (std::size_t i = 0; i < holdout_frequency.size(); ++i)
    if (!detail::is_count(holdout_frequency[i]))
      detail::bad_row(where, calibration.id, i, "holdout frequency must be a non-negative integer");

  const std::size_t groups = static_cast<std::size_t>(max_frequency) + 1;
  HoldoutReport rep;
  rep.frequency.resize(groups);
  rep.n_customers.assign(groups, 0.0);
  rep.actual.assign(groups, 0.0);
  rep.predicted.assign(groups, 0.0);
  for (std::size_t k = 0; k < groups; ++k) rep.frequency[k] = static_cast<double>(k);

  double sw = 0, sa = 0, sp = 0, saa = 0, spp = 0, sap = 0, sabs = 0, ssq = 0;
  const auto& cal = calibration;
  for (std::size_t i = 0; i < cal.frequency.size(); ++i) {
    const double w = cal.weight.empty() ? 1.0 : cal.weight[i];
    const double pred = model.expected_purchases(duration, cal.frequency[i], cal.recency[i], cal.T[i]);
    const double act = holdout_frequency[i];
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(cal.frequency[i]), groups - 1);
    rep.n_customers[k] += w;
    rep.actual[k] += w * act;
    rep.predicted[k] += w * pred;
    sw += w;
    sa += w * act;
    sp += w * pred;
    saa += w * act * act;
    spp += w * pred * pred;
    sap += w * act * pred;
    sabs += w * std::abs(pred - act);
    ssq += w * (pred - act) * (pred - act);
  }
  for (std::size_t k = 0; k < groups; ++k)
    if (rep.n_customers[k] > 0) {
      rep.actual[k] /= rep.n_customers[k];
      rep.predicted[k] /= rep.n_customers[k];
    }
  if (sw > 0) {
    rep.mae = sabs / sw;
    rep.rmse = std::sqrt(ssq / sw);
    const double cov = sap / sw - (sa / sw) * (sp / sw);
    const double va = saa / sw - (sa / sw) * (sa / sw), vp = spp / sw - (sp / sw) * (sp / sw);
    rep.correlation = (va > 0 && vp > 0) ? cov / std::sqrt(va * vp) : std::nan("");
  }
  rep.total_actual = sa;
  rep.total_predicted = sp;
  return rep;
}

/// P(alive) for frequency 0..max_frequency (rows) and recency
/// 0..max_recency in unit steps (columns), at age T (lifetimes'
/// probability-alive matrix uses T = max_recency). Cells with recency > T are
/// NaN-free: they are set to 0 and flagged by the `valid` mask; frequency 0
/// rows use recency 0 (the only possible value).
struct AliveMatrix {
  Eigen::MatrixXd p_alive;
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic> valid;
};

template <class Model>
AliveMatrix p_alive_matrix(const Model& model, int max_frequency, int max_recency, double T) {
  if (max_frequency < 0 || max_recency < 0 || !(T >= 0.0) || !std::isfinite(T))
    throw InvalidInput("p_alive_matrix: need max_frequency, max_recency >= 0 and finite T >= 0");
  AliveMatrix m;
  m.p_alive.setZero(max_frequency + 1, max_recency + 1);
  m.valid.setConstant(max_frequency + 1, max_recency + 1, false);
  for (int f = 0; f <= max_frequency; ++f)
    for (int r = 0; r <= max_recency; ++r) {
      if (r > T) continue;
      m.valid(f, r) = true;
      m.p_alive(f, r) = model.p_alive(f, f == 0 ? 0.0 : static_cast<double>(r), T);
    }
  return m;
}

/// Same grid, conditional expected purchases in the next t time units
/// (lifetimes' frequency/recency matrix).
template <class Model>
Eigen::MatrixXd expected_purchases_matrix(const Model& model, double t, int max_frequency, int max_recency,
                                          double T) {
  const AliveMatrix mask = p_alive_matrix(model, max_frequency, max_recency, T);
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(max_frequency + 1, max_recency + 1);
  for (int f = 0; f <= max_frequency; ++f)
    for (int r = 0; r <= max_recency; ++r)
      if (mask.valid(f, r)) e(f, r) = model.expected_purchases(t, f, f == 0 ? 0.0 : static_cast<double>(r), T);
  return e;
}

/// Aggregate sales forecast: expected repeat transactions of a cohort.
struct SalesForecast {
  std::vector<double> time;         ///< t_k = k * step, k = 1..K
  std::vector<double> cumulative;   ///< expected repeat transactions in (0, t_k]
  std::vector<double> incremental;  ///< cumulative[k] - cumulative[k-1]
};

/// As lifetimes' expected_cumulative_transactions: each customer i made the
/// first purchase at `birth[i]` (time units since the start of the data);
/// at t_k the cohort has made sum_{i: birth_i < t_k} E[X(t_k - birth_i)]
/// repeat transactions (E[X] of a new customer). Births are grouped, so the
/// cost is (distinct births) x K.
template <class Model>
SalesForecast expected_cumulative_transactions(const Model& model, std::span<const double> birth, double horizon,
                                               double step = 1.0, std::span<const double> weight = {}) {
  constexpr const char* where = "expected_cumulative_transactions";
  if (!(step > 0.0) || !(horizon >= 0.0) || !std::isfinite(horizon) || !std::isfinite(step))
    throw InvalidInput(std::string(where) + ": need step > 0 and finite horizon >= 0");
  if (!weight.empty()) detail::check_sizes(where, birth.size(), weight.size(), "weight");
  std::map<double, double> births;
  for (std::size_t i = 0; i < birth.size(); ++i) {
    if (!std::isfinite(birth[i])) detail::bad_row(where, {}, i, "birth time must be finite");
    births[birth[i]] += weight.empty() ? 1.0 : weight[i];
  }
  SalesForecast out;
  const int K = static_cast<int>(std::floor(horizon / step + 1e-9));
  for (int k = 1; k <= K; ++k) {
    const double t = k * step;
    double total = 0.0;
    for (const auto& [b, n] : births) {
      if (!(b < t)) break;
      total += n * model.expected_purchases_new(t - b);
    }
    out.time.push_back(t);
    out.incremental.push_back(total - (out.cumulative.empty() ? 0.0 : out.cumulative.back()));
    out.cumulative.push_back(total);
  }
  return out;
}

/// Simpler forecast for an existing customer base: expected repeat
/// transactions of the customers in `data` over the next t_k = k * step time
/// units, sum_i E[Y(t_k) | x_i, t_x_i, T_i] (their histories known, no new
/// customers).
template <class Model>
SalesForecast cohort_forecast(const Model& model, const SummaryView& data, double horizon, double step = 1.0) {
  constexpr const char* where = "cohort_forecast";
  validate(where, data);
  if (!(step > 0.0) || !(horizon >= 0.0) || !std::isfinite(horizon) || !std::isfinite(step))
    throw InvalidInput(std::string(where) + ": need step > 0 and finite horizon >= 0");
  const Compact c = compact(data);
  SalesForecast out;
  const int K = static_cast<int>(std::floor(horizon / step + 1e-9));
  for (int k = 1; k <= K; ++k) {
    const double t = k * step;
    double total = 0.0;
    for (std::size_t i = 0; i < c.size(); ++i) total += c.w[i] * model.expected_purchases(t, c.x[i], c.tx[i], c.T[i]);
    out.time.push_back(t);
    out.incremental.push_back(total - (out.cumulative.empty() ? 0.0 : out.cumulative.back()));
    out.cumulative.push_back(total);
  }
  return out;
}

}  // namespace leadscore::churn
