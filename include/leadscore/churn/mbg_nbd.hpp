#pragma once
// MBG/NBD model: Batislam, Denizel & Filiztekin (2007), "Empirical validation
// and comparison of models for customer base analysis", IJRM 24(3).
// As BG/NBD, but a customer may also drop out right after the first
// purchase (at time 0), so zero-repeat customers can be inactive too.

#include <array>
#include <cmath>
#include <span>
#include <string>

#include <boost/math/special_functions/beta.hpp>

#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/data.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/churn/special.hpp"

namespace leadscore::churn {

struct MbgNbdParams {
  double r = 1.0, alpha = 1.0, a = 1.0, b = 1.0;
};

struct MbgNbdConfig {
  double penalizer_coef = 0.0;
  int max_iterations = 1000;
  double tolerance = 1e-7;
  double confidence_level = 0.95;
  MbgNbdParams initial{1.0, 1.0, 1.0, 1.0};
};

class MbgNbdModel {
 public:
  using Params = MbgNbdParams;
  using Config = MbgNbdConfig;
  static constexpr const char* kind = "mbg_nbd";

  explicit MbgNbdModel(const MbgNbdParams& p, FitInfo info = {}) : p_(p), info_(std::move(info)) {
    detail::check_params("MbgNbdModel", {p.r, p.alpha, p.a, p.b});
  }

  static MbgNbdModel fit(const SummaryView& data, const MbgNbdConfig& cfg = {}) {
    constexpr const char* where = "MbgNbdModel::fit";
    validate(where, data);
    const Compact c = compact(data);
    auto llh = [&c](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
      return detail::nbd_dropout_ll(c, p, 1.0, g, H);
    };
    const auto& s = cfg.initial;
    FitInfo info = detail::fit_newton<4>(
        where, llh, c.total_weight, {s.r, s.alpha, s.a, s.b}, {"r", "alpha", "a", "b"},
        FitOptions{cfg.penalizer_coef, cfg.max_iterations, cfg.tolerance, cfg.confidence_level},
        c.size());
    const auto& e = info.estimates;
    const MbgNbdParams fitted{e[0], e[1], e[2], e[3]};
    return MbgNbdModel(fitted, std::move(info));
  }

  const MbgNbdParams& params() const { return p_; }
  const FitInfo& fit_info() const { return info_; }

  /// L = Gamma(r+x) alpha^r / Gamma(r) [B(a,b+x+1)/B(a,b) (alpha+T)^-(r+x)
  ///     + B(a+1,b+x)/B(a,b) (alpha+t_x)^-(r+x)], for every x (also x = 0).
  template <class S>
  static S log_likelihood_sum(const Compact& c, const S& r, const S& alpha, const S& a, const S& b) {
    using std::log;
    S total(0.0);
    const S lbab = lbeta(a, b), log_alpha = log(alpha), lgr = lgam(r), log_a = log(a);
    for (std::size_t g = 0; g + 1 < c.group.size(); ++g) {
      const std::size_t lo = c.group[g], hi = c.group[g + 1];
      const double x = c.x[lo];
      const S rx = r + x;
      const S head = lgam(rx) - lgr + r * log_alpha + lbeta(a, b + (x + 1.0)) - lbab;
      const S log_ratio = log_a - log(b + x);  // B(a+1,b+x)/B(a,b+x+1) = a/(b+x)
      S acc(0.0);
      double wsum = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        const S lT = log(alpha + c.T[i]);
        const S ltx = log(alpha + c.tx[i]);
        acc += c.w[i] * (-rx * lT + log_add_exp(S(0.0), log_ratio + rx * (lT - ltx)));
        wsum += c.w[i];
      }
      total += acc + wsum * head;
    }
    return total;
  }

  double log_likelihood(double x, double t_x, double T) const {
    const std::array<double, 1> xs{x}, txs{t_x}, Ts{T};
    validate("MbgNbdModel::log_likelihood", xs, txs, Ts);
    return log_likelihood_sum(compact(xs, txs, Ts, {}), p_.r, p_.alpha, p_.a, p_.b);
  }

  /// P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)).
  double p_alive(double x, double t_x, double T) const {
    check_row("MbgNbdModel::p_alive", x, t_x, T);
    const double u = std::log(p_.a / (p_.b + x)) +
                     (p_.r + x) * (std::log(p_.alpha + T) - std::log(p_.alpha + t_x));
    return detail::logistic_neg(u);
  }

  /// E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))].
  double expected_purchases_new(double t) const {
    check_horizon("MbgNbdModel::expected_purchases_new", t);
    return conditional_core(0.0, 0.0, t) * p_alive(0.0, 0.0, 0.0);
  }

  /// E[Y(t)|x,t_x,T] = (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
  ///   2F1(r+x, b+x+1; a+b+x; z)] P(alive), z = t/(alpha+T+t).
  double expected_purchases(double t, double x, double t_x, double T) const {
    check_horizon("MbgNbdModel::expected_purchases", t);
    return conditional_core(x, T, t) * p_alive(x, t_x, T);
  }

  /// P(X(t) = n) = B(a,b+n+1)/B(a,b) NB(n) + B(a+1,b+n)/B(a,b) P(NB >= n):
  /// alive through n+1 dropout draws and exactly n Poisson events, or dropped
  /// out right after the n-th purchase with at least n events due.
  double probability_of_n_purchases(double t, double n) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    if (t <= 0.0) return n == 0.0 ? 1.0 : 0.0;
    const double lbab = lbeta(a, b);
    const double log_nb = lgam(r + n) - lgam(r) - lgam(n + 1.0) + r * std::log(al / (al + t)) +
                          n * std::log(t / (al + t));
    const double tail = n > 0.0 ? boost::math::ibeta(n, r, t / (al + t)) : 1.0;
    return std::exp(lbeta(a, b + n + 1.0) - lbab + log_nb) + std::exp(lbeta(a + 1.0, b + n) - lbab) * tail;
  }

  void p_alive(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
               std::span<double> out) const {
    validate("MbgNbdModel::p_alive", x, t_x, T);
    check_out("MbgNbdModel::p_alive", x.size(), out.size());
    const double la = std::log(p_.a), r = p_.r, al = p_.alpha, b = p_.b;
    detail::CountMemo log_odds([&](double xi) { return la - std::log(b + xi); });
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double u = log_odds(x[i]) + (r + x[i]) * std::log((al + T[i]) / (al + t_x[i]));
      out[i] = 1.0 / (1.0 + std::exp(std::min(u, 700.0)));
    }
  }
  /// 1 - P(alive | x, t_x, T).
  double churn_risk(double x, double t_x, double T) const { return 1.0 - p_alive(x, t_x, T); }

  void churn_risk(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
                  std::span<double> out) const {
    p_alive(x, t_x, T, out);
    for (double& v : out) v = 1.0 - v;
  }
  void expected_purchases(double t, std::span<const double> x, std::span<const double> t_x,
                          std::span<const double> T, std::span<double> out) const {
    validate("MbgNbdModel::expected_purchases", x, t_x, T);
    check_out("MbgNbdModel::expected_purchases", x.size(), out.size());
    if (!(t >= 0.0) || !std::isfinite(t)) throw InvalidInput("MbgNbdModel::expected_purchases: bad t");
    // E = conditional_core(x, T, t) * P(alive | x, t_x, T); the core (a 2F1
    // series) is evaluated once per distinct (x, T). As in p_alive, the odds
    // a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x) may overflow to inf, giving 0.
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    detail::CountMemo odds([&](double xi) { return a / (b + xi); });
    detail::memoised_product(
        x, T, out,
        [&](std::size_t n, const double* xs, const double* Ts, double* res) { core_block(t, n, xs, Ts, res); },
        [&](std::size_t i) {
          return 1.0 / (1.0 + odds(x[i]) * std::exp((r + x[i]) * std::log((al + T[i]) / (al + t_x[i]))));
        });
  }

 private:
  // res[j] = conditional_core(xs[j], Ts[j], t) for j < n <= kBlock, the lanes
  // sharing one vectorised 2F1 recurrence (one by one where a == 1).
  void core_block(double t, std::size_t n, const double* xs, const double* Ts, double* res) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    if (!(std::abs(a - 1.0) > 1e-7 && t > 0.0)) {
      for (std::size_t j = 0; j < n; ++j) res[j] = conditional_core(xs[j], Ts[j], t);
      return;
    }
    double C[kBlock], z[kBlock], f[kBlock];
    for (std::size_t j = 0; j < static_cast<std::size_t>(kBlock); ++j) {
      C[j] = j < n ? a + b + xs[j] : 1.0;
      z[j] = j < n ? t / (al + Ts[j] + t) : 0.0;
    }
    hyp2f1_series_block(a + b - r, a - 1.0, C, z, f);
    // (1-z)^(a-1) with 1-z = (alpha+T)/(alpha+T+t)
    for (std::size_t j = 0; j < n; ++j) {
      const double e = (a - 1.0) * std::log((al + Ts[j]) / (al + Ts[j] + t));
      const double pw = std::exp(e);
      const double one_minus = std::abs(e) < 0.25 ? -std::expm1(e) : 1.0 - pw;
      res[j] = C[j] / (a - 1.0) * (one_minus - pw * (f[j] - 1.0));
    }
  }

  // Euler-transformed as in BgNbdModel: with C = a+b+x, the bracket is
  // 1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z). C > 0 always.
  double conditional_core(double x, double T, double t) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    if (t <= 0.0) return 0.0;
    const double z = t / (al + T + t);
    const double c = a + b + x;
    if (std::abs(a - 1.0) > 1e-7) {
      const double f = hyp2f1_series(a + b - r, a - 1.0, c, z);
      const double p = std::exp((a - 1.0) * std::log1p(-z));
      return c / (a - 1.0) * (-std::expm1((a - 1.0) * std::log1p(-z)) - p * (f - 1.0));
    }
    // a == 1: average the two sides (the singularity is removable).
    const MbgNbdModel lo({r, al, a - 1e-6, b}), hi({r, al, a + 1e-6, b});
    return 0.5 * (lo.conditional_core(x, T, t) + hi.conditional_core(x, T, t));
  }

  MbgNbdParams p_;
  FitInfo info_;
};

}  // namespace leadscore::churn
