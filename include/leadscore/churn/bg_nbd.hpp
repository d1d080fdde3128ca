#pragma once
// BG/NBD model: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy
// Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2).
// While active a customer buys as Poisson(lambda), lambda ~ Gamma(r, alpha);
// after each repeat purchase she drops out with probability p ~ Beta(a, b).

#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "leadscore/churn/data.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/churn/special.hpp"

namespace leadscore::churn {

struct BgNbdParams {
  double r = 1.0, alpha = 1.0, a = 1.0, b = 1.0;
};

struct BgNbdConfig {
  double penalizer_coef = 0.0;      ///< lifetimes' penalizer: + coef * (r^2 + alpha^2 + a^2 + b^2)
  int max_iterations = 1000;
  double tolerance = 1e-7;          ///< gradient max-norm of -mean LL in log-parameters
  double confidence_level = 0.95;
  BgNbdParams initial{1.0, 1.0, 1.0, 1.0};
};

namespace detail {
inline void check_params(const char* where, std::initializer_list<double> ps) {
  for (double p : ps)
    if (!(p > 0.0) || !std::isfinite(p))
      throw InvalidInput(std::string(where) + ": parameters must be finite and > 0");
}
inline double logistic_neg(double u) {  // 1 / (1 + e^u), no overflow
  return u > 0 ? std::exp(-u) / (1.0 + std::exp(-u)) : 1.0 / (1.0 + std::exp(u));
}

/// Log-likelihood sum of BG/NBD (shift 0) or MBG/NBD (shift 1) with its exact
/// gradient and Hessian in (r, alpha, a, b), derived by hand so the fit needs
/// no dual numbers. Per group of equal x, the x-only head
///   lgam(r+x) - lgam(r) + r log(alpha) + lbeta(a, b+x+shift) - lbeta(a, b);
/// per row, with rx = r+x, LT = log(alpha+T), Lt = log(alpha+t_x),
/// c1 = b+x-1+shift and u = log(a/c1) + rx (LT - Lt), the term
/// -rx LT + log(1 + e^u) (only -rx LT for BG/NBD rows with x = 0, which
/// cannot have dropped out). With sig = e^u/(1+e^u) the row's derivatives are
/// base + sig u' and base'' + sig(1-sig) u' u'^T + sig u''.
inline double nbd_dropout_ll(const Compact& c, const std::array<double, 4>& p, double shift,
                             Eigen::Vector4d& g, Eigen::Matrix4d& H) {
  using boost::math::digamma;
  using boost::math::trigamma;
  const double r = p[0], al = p[1], a = p[2], b = p[3];
  const double ia = 1.0 / a, ial = 1.0 / al, log_a = std::log(a), log_al = std::log(al);
  const double lg0 = -lgam(r) - lgam(b) + lgam(a + b);
  const double dr0 = -digamma(r), tr0 = -trigamma(r);
  const double dab = digamma(a + b), tab = trigamma(a + b), db0 = dab - digamma(b), tb0 = tab - trigamma(b);
  double total = 0.0;
  g.setZero();
  H.setZero();
  // log(alpha + t) and 1/(alpha + t) once per distinct time
  std::vector<double> log_at(c.times.size()), inv_at(c.times.size());
  for (std::size_t j = 0; j < c.times.size(); ++j) {
    log_at[j] = std::log(al + c.times[j]);
    inv_at[j] = 1.0 / (al + c.times[j]);
  }
  for (std::size_t k = 0; k + 1 < c.group.size(); ++k) {
    const std::size_t lo = c.group[k], hi = c.group[k + 1];
    const double x = c.x[lo], rx = r + x, bx = b + x + shift;
    const bool drops = x + shift > 0.0;
    const double c1 = bx - 1.0, ic = drops ? 1.0 / c1 : 0.0, lr = drops ? log_a - std::log(c1) : 0.0;
    // weighted sums over the group's rows (E = 1/(alpha+T) - 1/(alpha+t_x),
    // Q = 1/(alpha+t_x)^2 - 1/(alpha+T)^2)
    double w_sum = 0, v = 0, s_lT = 0, s_iT = 0, s_iT2 = 0;
    double s_sig = 0, s_sigD = 0, s_sigE = 0, s_sigQ = 0;
    double s_s2 = 0, s_s2D = 0, s_s2E = 0, s_s2DD = 0, s_s2DE = 0, s_s2EE = 0;
    for (std::size_t i = lo; i < hi; ++i) {
      const double w = c.w[i], iT = inv_at[c.T_id[i]], lT = log_at[c.T_id[i]];
      w_sum += w;
      s_lT += w * lT;
      s_iT += w * iT;
      s_iT2 += w * iT * iT;
      if (!drops) continue;
      const double it = inv_at[c.tx_id[i]];
      const double D = lT - log_at[c.tx_id[i]], E = iT - it, Q = it * it - iT * iT;
      const double u = lr + rx * D;
      // sig and sig (1 - sig) from e = e^-|u| (no overflow, no cancellation)
      const double e = std::exp(-std::abs(u)), inv = 1.0 / (1.0 + e);
      const double sig = u > 0.0 ? inv : e * inv, s2 = e * inv * inv;
      v += w * ((u > 0.0 ? u : 0.0) + std::log(1.0 + e));  // e <= 1: absolute error ~1e-16, cheaper than log1p
      s_sig += w * sig;
      s_sigD += w * sig * D;
      s_sigE += w * sig * E;
      s_sigQ += w * sig * Q;
      s_s2 += w * s2;
      s_s2D += w * s2 * D;
      s_s2E += w * s2 * E;
      s_s2DD += w * s2 * D * D;
      s_s2DE += w * s2 * D * E;
      s_s2EE += w * s2 * E * E;
    }
    // head and its derivatives (the lbeta part vanishes when x + shift == 0)
    const double head = lgam(rx) + lg0 + r * log_al + lgam(bx) - lgam(a + bx);
    const double d_abx = digamma(a + bx), t_abx = trigamma(a + bx);
    total += v - rx * s_lT + w_sum * head;
    g[0] += s_sigD - s_lT + w_sum * (digamma(rx) + dr0 + log_al);
    g[1] += rx * (s_sigE - s_iT) + w_sum * r * ial;
    g[2] += s_sig * ia + w_sum * (dab - d_abx);
    g[3] += -s_sig * ic + w_sum * (digamma(bx) - d_abx + db0);
    H(0, 0) += s_s2DD + w_sum * (trigamma(rx) + tr0);
    H(0, 1) += rx * s_s2DE + s_sigE - s_iT + w_sum * ial;
    H(1, 1) += rx * (s_iT2 + rx * s_s2EE + s_sigQ) - w_sum * r * ial * ial;
    H(0, 2) += s_s2D * ia;
    H(0, 3) -= s_s2D * ic;
    H(1, 2) += rx * s_s2E * ia;
    H(1, 3) -= rx * s_s2E * ic;
    H(2, 2) += (s_s2 - s_sig) * ia * ia + w_sum * (tab - t_abx);
    H(2, 3) += -s_s2 * ia * ic + w_sum * (tab - t_abx);
    H(3, 3) += (s_s2 + s_sig) * ic * ic + w_sum * (trigamma(bx) - t_abx + tb0);
  }
  H = H.selfadjointView<Eigen::Upper>();
  return total;
}
}  // namespace detail

class BgNbdModel {
 public:
  using Params = BgNbdParams;
  using Config = BgNbdConfig;
  static constexpr const char* kind = "bg_nbd";

  explicit BgNbdModel(const BgNbdParams& p, FitInfo info = {}) : p_(p), info_(std::move(info)) {
    detail::check_params("BgNbdModel", {p.r, p.alpha, p.a, p.b});
  }

  /// Maximum-likelihood fit (FHL 2005 eq. 6), weights = customer counts.
  static BgNbdModel fit(const SummaryView& data, const BgNbdConfig& cfg = {}) {
    constexpr const char* where = "BgNbdModel::fit";
    validate(where, data);
    const Compact c = compact(data);
    auto llh = [&c](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
      return detail::nbd_dropout_ll(c, p, 0.0, g, H);
    };
    const auto& s = cfg.initial;
    FitInfo info = detail::fit_newton<4>(
        where, llh, c.total_weight, {s.r, s.alpha, s.a, s.b}, {"r", "alpha", "a", "b"},
        FitOptions{cfg.penalizer_coef, cfg.max_iterations, cfg.tolerance, cfg.confidence_level},
        c.size());
    const auto& e = info.estimates;
    const BgNbdParams fitted{e[0], e[1], e[2], e[3]};
    return BgNbdModel(fitted, std::move(info));
  }

  const BgNbdParams& params() const { return p_; }
  const FitInfo& fit_info() const { return info_; }

  /// Weighted sum of log-likelihoods over the (compacted) data; S = double or Dual.
  template <class S>
  static S log_likelihood_sum(const Compact& c, const S& r, const S& alpha, const S& a, const S& b) {
    using std::log;
    S total(0.0);
    const S lbab = lbeta(a, b), log_alpha = log(alpha), lgr = lgam(r), log_a = log(a);
    for (std::size_t g = 0; g + 1 < c.group.size(); ++g) {
      const std::size_t lo = c.group[g], hi = c.group[g + 1];
      const double x = c.x[lo];
      const S rx = r + x;
      // x-only part: log[Gamma(r+x) alpha^r / Gamma(r)] + log B(a, b+x)/B(a, b)
      const S head = lgam(rx) - lgr + r * log_alpha + lbeta(a, b + x) - lbab;
      S acc(0.0);
      double wsum = 0.0;
      if (x == 0.0) {
        for (std::size_t i = lo; i < hi; ++i) acc += c.w[i] * (-rx * log(alpha + c.T[i]));
      } else {
        const S log_ratio = log_a - log(b + (x - 1.0));  // B(a+1,b+x-1)/B(a,b+x) = a/(b+x-1)
        for (std::size_t i = lo; i < hi; ++i) {
          const S lT = log(alpha + c.T[i]);
          const S ltx = log(alpha + c.tx[i]);
          // log[(alpha+T)^-(r+x) + a/(b+x-1) (alpha+t_x)^-(r+x)]
          acc += c.w[i] * (-rx * lT + log_add_exp(S(0.0), log_ratio + rx * (lT - ltx)));
        }
      }
      for (std::size_t i = lo; i < hi; ++i) wsum += c.w[i];
      total += acc + wsum * head;
    }
    return total;
  }

  /// Log-likelihood of one customer at this model's parameters.
  double log_likelihood(double x, double t_x, double T) const {
    const std::array<double, 1> xs{x}, txs{t_x}, Ts{T};
    validate("BgNbdModel::log_likelihood", xs, txs, Ts);
    const Compact c = compact(xs, txs, Ts, {});
    return log_likelihood_sum(c, p_.r, p_.alpha, p_.a, p_.b);
  }

  // ---------------------------------------------------------------- one row

  /// P(alive | x, t_x, T), FHL 2005 eq. (11) / Fader-Hardie note 021.
  double p_alive(double x, double t_x, double T) const {
    check_row("BgNbdModel::p_alive", x, t_x, T);
    if (x == 0.0) return 1.0;
    const double u = std::log(p_.a / (p_.b + x - 1.0)) +
                     (p_.r + x) * (std::log(p_.alpha + T) - std::log(p_.alpha + t_x));
    return detail::logistic_neg(u);
  }

  /// E[X(t)] for a new customer, FHL 2005 eq. (9).
  double expected_purchases_new(double t) const {
    check_horizon("BgNbdModel::expected_purchases_new", t);
    return conditional_core(0.0, 0.0, t);
  }

  /// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t], FHL 2005 eq. (10).
  double expected_purchases(double t, double x, double t_x, double T) const {
    check_horizon("BgNbdModel::expected_purchases", t);
    return conditional_core(x, T, t) * p_alive(x, t_x, T);
  }

  /// P(X(t) = n) for a new customer, FHL 2005 eq. (8); the bracket
  /// 1 - sum_{j<n} NB(j) is the NBD upper tail = I_{t/(alpha+t)}(n, r).
  double probability_of_n_purchases(double t, double n) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    if (t <= 0.0) return n == 0.0 ? 1.0 : 0.0;
    const double lbab = lbeta(a, b);
    const double log_nb = lgam(r + n) - lgam(r) - lgam(n + 1.0) + r * std::log(al / (al + t)) +
                          n * std::log(t / (al + t));
    double out = std::exp(lbeta(a, b + n) - lbab + log_nb);
    if (n > 0.0)
      out += std::exp(lbeta(a + 1.0, b + n - 1.0) - lbab) * boost::math::ibeta(n, r, t / (al + t));
    return out;
  }

  // ---------------------------------------------------------------- batches

  void p_alive(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
               std::span<double> out) const {
    validate("BgNbdModel::p_alive", x, t_x, T);
    check_out("BgNbdModel::p_alive", x.size(), out.size());
    const double la = std::log(p_.a), r = p_.r, al = p_.alpha, b1 = p_.b - 1.0;
    detail::CountMemo log_odds([&](double xi) { return la - std::log(b1 + (xi > 0.0 ? xi : 1.0)); });
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xi = x[i];
      const double u = log_odds(xi) + (r + xi) * std::log((al + T[i]) / (al + t_x[i]));
      const double pa = 1.0 / (1.0 + std::exp(std::min(u, 700.0)));
      out[i] = xi > 0.0 ? pa : 1.0;
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
    validate("BgNbdModel::expected_purchases", x, t_x, T);
    check_out("BgNbdModel::expected_purchases", x.size(), out.size());
    check_horizon("BgNbdModel::expected_purchases", t);
    // E = conditional_core(x, T, t) * P(alive | x, t_x, T); the core (a 2F1
    // series) is evaluated once per distinct (x, T). As in p_alive, the odds
    // a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x) may overflow to inf, giving 0.
    const double r = p_.r, al = p_.alpha, a = p_.a, b1 = p_.b - 1.0;
    detail::CountMemo odds([&](double xi) { return a / (b1 + xi); });
    detail::memoised_product(
        x, T, out,
        [&](std::size_t n, const double* xs, const double* Ts, double* res) { core_block(t, n, xs, Ts, res); },
        [&](std::size_t i) {
          const double xi = x[i];
          return xi > 0.0 ? 1.0 / (1.0 + odds(xi) * std::exp((r + xi) * std::log((al + T[i]) / (al + t_x[i]))))
                          : 1.0;
        });
  }

 private:
  // res[j] = conditional_core(xs[j], Ts[j], t) for j < n <= kBlock, the lanes
  // sharing one vectorised 2F1 recurrence; blocks with a lane the closed form
  // cannot take go one by one.
  void core_block(double t, std::size_t n, const double* xs, const double* Ts, double* res) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    double C[kBlock], z[kBlock], f[kBlock];
    bool ok = std::abs(a - 1.0) > 1e-7 && t > 0.0;
    for (std::size_t j = 0; j < static_cast<std::size_t>(kBlock); ++j) {
      C[j] = j < n ? a + b + xs[j] - 1.0 : 1.0;
      z[j] = j < n ? t / (al + Ts[j] + t) : 0.0;
      if (!(C[j] > 0.0)) ok = false;
    }
    if (!ok) {
      for (std::size_t j = 0; j < n; ++j) res[j] = conditional_core(xs[j], Ts[j], t);
      return;
    }
    hyp2f1_series_block(a + b - 1.0 - r, a - 1.0, C, z, f);
    // (1-z)^(a-1) with 1-z = (alpha+T)/(alpha+T+t)
    for (std::size_t j = 0; j < n; ++j) {
      const double e = (a - 1.0) * std::log((al + Ts[j]) / (al + Ts[j] + t));
      const double pw = std::exp(e);
      const double one_minus = std::abs(e) < 0.25 ? -std::expm1(e) : 1.0 - pw;
      res[j] = C[j] / (a - 1.0) * (one_minus - pw * (f[j] - 1.0));
    }
  }

  // (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
  // z = t/(alpha+T+t). Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B)
  // 2F1(C-A, C-B; C; z) folds the power in: the bracket becomes
  // 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which cannot overflow at
  // large x or T (the raw 2F1 grows like (1-z)^-(r+x)).
  double conditional_core(double x, double T, double t) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, b = p_.b;
    if (t <= 0.0) return 0.0;
    const double z = t / (al + T + t);
    const double c = a + b + x - 1.0;
    if (c > 0.0 && std::abs(a - 1.0) > 1e-7) {
      const double f = hyp2f1_series(a + b - 1.0 - r, a - 1.0, c, z);
      const double bracket = -std::expm1((a - 1.0) * std::log1p(-z)) -
                             std::exp((a - 1.0) * std::log1p(-z)) * (f - 1.0);
      return c / (a - 1.0) * bracket;
    }
    return conditional_quadrature(x, T, t);
  }

  // Fallback where the closed form is singular (a == 1, or a + b + x <= 1):
  // E = E_p[(1 - (1 + p u)^-(r+x)) / p], p ~ Beta(a, b+x), u = t/(alpha+T)
  // (the posterior of p given alive); composite Gauss-Legendre in
  // p = sin^2(phi), which tames the endpoint powers of the Beta density.
  double conditional_quadrature(double x, double T, double t) const {
    const double r = p_.r, al = p_.alpha, a = p_.a, bx = p_.b + x;
    const double u = t / (al + T), k = r + x;
    const double lb = lbeta(a, bx);
    auto h = [&](double p) {
      return p * u < 1e-8 ? k * u * (1.0 - 0.5 * (k + 1.0) * p * u)
                          : -std::expm1(-k * std::log1p(p * u)) / p;
    };
    // density in phi: 2 sin^(2a-1) cos^(2b-1) / B(a,b)
    const double half_pi = 1.5707963267948966;
    const int panels = 64;
    double acc = 0.0;
    for (int j = 0; j < panels; ++j) {
      const double lo = half_pi * j / panels, hi = half_pi * (j + 1) / panels;
      const double mid = 0.5 * (lo + hi), hw = 0.5 * (hi - lo);
      for (std::size_t i = 0; i < detail::kGlX.size(); ++i)
        for (double sgn : {-1.0, 1.0}) {
          const double ph = mid + sgn * hw * detail::kGlX[i];
          const double s = std::sin(ph), co = std::cos(ph);
          const double dens = 2.0 * std::exp((2 * a - 1) * std::log(s) + (2 * bx - 1) * std::log(co) - lb);
          acc += detail::kGlW[i] * hw * dens * h(s * s);
        }
    }
    return acc;
  }

  BgNbdParams p_;
  FitInfo info_;
};

}  // namespace leadscore::churn
