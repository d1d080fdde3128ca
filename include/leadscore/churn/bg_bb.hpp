#pragma once
// BG/BB model for discrete transaction opportunities: Fader, Hardie & Shang
// (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
// Setting", Marketing Science 29(6). While alive a customer transacts at each
// opportunity with probability p ~ Beta(alpha, beta); before each opportunity
// she becomes inactive with probability theta ~ Beta(gamma, delta).

#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <boost/math/special_functions/trigamma.hpp>

#include "leadscore/churn/bg_nbd.hpp"  // detail::check_params
#include "leadscore/churn/data.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/churn/special.hpp"

namespace leadscore::churn {

struct BgBbParams {
  double alpha = 1.0, beta = 1.0, gamma = 1.0, delta = 1.0;
};

struct BgBbConfig {
  double penalizer_coef = 0.0;
  int max_iterations = 1000;
  double tolerance = 1e-7;
  double confidence_level = 0.95;
  BgBbParams initial{1.0, 1.0, 1.0, 1.0};
};

class BgBbModel {
 public:
  using Params = BgBbParams;
  using Config = BgBbConfig;
  static constexpr const char* kind = "bg_bb";

  explicit BgBbModel(const BgBbParams& p, FitInfo info = {}) : p_(p), info_(std::move(info)) {
    detail::check_params("BgBbModel", {p.alpha, p.beta, p.gamma, p.delta});
  }

  static BgBbModel fit(const DiscreteView& data, const BgBbConfig& cfg = {}) {
    constexpr const char* where = "BgBbModel::fit";
    validate(where, data);
    const Compact c = compact(data);
    auto llh = [&c](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
      return log_likelihood_derivatives(c, p, g, H);
    };
    const auto& s = cfg.initial;
    FitInfo info = detail::fit_newton<4>(
        where, llh, c.total_weight, {s.alpha, s.beta, s.gamma, s.delta},
        {"alpha", "beta", "gamma", "delta"},
        FitOptions{cfg.penalizer_coef, cfg.max_iterations, cfg.tolerance, cfg.confidence_level},
        c.size());
    const auto& e = info.estimates;
    const BgBbParams fitted{e[0], e[1], e[2], e[3]};
    return BgBbModel(fitted, std::move(info));
  }

  const BgBbParams& params() const { return p_; }
  const FitInfo& fit_info() const { return info_; }

  /// log L(x, t_x, n), FHS 2010 eq. (5):
  /// B(al+x, be+n-x)/B(al,be) B(ga, de+n)/B(ga,de)
  ///   + sum_{i=0}^{n-t_x-1} B(al+x, be+t_x-x+i)/B(al,be) B(ga+1, de+t_x+i)/B(ga,de)
  template <class S>
  static S log_lik_row(double x, double tx, double n, const S& al, const S& be, const S& ga,
                       const S& de, const S& lb_ab, const S& lb_gd) {
    S acc = lbeta(al + x, be + (n - x)) - lb_ab + lbeta(ga, de + n) - lb_gd;
    const S lg_ax = lgam(al + x);
    const S lg_g1 = lgam(ga + 1.0);
    for (double i = 0; i < n - tx; i += 1.0) {
      const S term = lg_ax + lgam(be + (tx - x + i)) - lgam(al + be + (tx + i)) - lb_ab + lg_g1 +
                     lgam(de + (tx + i)) - lgam(ga + de + (tx + i + 1.0)) - lb_gd;
      acc = log_add_exp(acc, term);
    }
    return acc;
  }

  template <class S>
  static S log_likelihood_sum(const Compact& c, const S& al, const S& be, const S& ga, const S& de) {
    const S lb_ab = lbeta(al, be), lb_gd = lbeta(ga, de);
    S total(0.0);
    for (std::size_t i = 0; i < c.size(); ++i)
      total += c.w[i] * log_lik_row(c.x[i], c.tx[i], c.T[i], al, be, ga, de, lb_ab, lb_gd);
    return total;
  }

  /// log_likelihood_sum with its exact gradient and Hessian in (alpha, beta,
  /// gamma, delta), derived by hand for the Newton fit. Every term of eq. (5)
  /// is lbeta(al+p, be+q) - lbeta(al, be) + lbeta(ga+u, de+v) - lbeta(ga, de)
  /// with integer offsets, so lgamma, digamma and trigamma are tabulated once
  /// per offset; a row is log(sum of e^term), whose Hessian is the weighted
  /// mean of (term Hessian + term gradient outer product) minus the outer
  /// product of the mean gradient.
  static double log_likelihood_derivatives(const Compact& c, const std::array<double, 4>& par,
                                           Eigen::Vector4d& g, Eigen::Matrix4d& H) {
    std::size_t top = 0;
    for (double n : c.T) top = std::max(top, static_cast<std::size_t>(n));
    top += 2;
    // lgamma, digamma, trigamma at v + j for j < top
    struct Tab {
      std::vector<double> l, d, t;
      Tab(double v, std::size_t m) : l(m), d(m), t(m) {
        for (std::size_t j = 0; j < m; ++j) {
          const double z = v + static_cast<double>(j);
          l[j] = lgam(z);
          d[j] = boost::math::digamma(z);
          t[j] = boost::math::trigamma(z);
        }
      }
    };
    const double al = par[0], be = par[1], ga = par[2], de = par[3];
    const Tab A(al, top), B(be, top), AB(al + be, top), G(ga, 2), D(de, top), GD(ga + de, top);
    // value, gradient and Hessian block of lbeta(v+p, w+q) - lbeta(v, w)
    struct Part {
      double v, g0, g1, h00, h01, h11;
    };
    auto part = [](const Tab& V, const Tab& W, const Tab& VW, std::size_t p, std::size_t q) {
      return Part{V.l[p] + W.l[q] - VW.l[p + q] - (V.l[0] + W.l[0] - VW.l[0]),
                  V.d[p] - VW.d[p + q] - (V.d[0] - VW.d[0]),
                  W.d[q] - VW.d[p + q] - (W.d[0] - VW.d[0]),
                  V.t[p] - VW.t[p + q] - (V.t[0] - VW.t[0]),
                  -VW.t[p + q] + VW.t[0],
                  W.t[q] - VW.t[p + q] - (W.t[0] - VW.t[0])};
    };
    double total = 0.0;
    g.setZero();
    H.setZero();
    std::vector<Part> pa, pg;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const auto x = static_cast<std::size_t>(c.x[i]), tx = static_cast<std::size_t>(c.tx[i]),
                 n = static_cast<std::size_t>(c.T[i]);
      pa.assign(1, part(A, B, AB, x, n - x));
      pg.assign(1, part(G, D, GD, 0, n));
      for (std::size_t k = 0; k + tx < n; ++k) {
        pa.push_back(part(A, B, AB, x, tx - x + k));
        pg.push_back(part(G, D, GD, 1, tx + k));
      }
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < pa.size(); ++k) m = std::max(m, pa[k].v + pg[k].v);
      double sum = 0.0;
      Eigen::Vector4d mean = Eigen::Vector4d::Zero();
      Eigen::Matrix4d second = Eigen::Matrix4d::Zero();
      for (std::size_t k = 0; k < pa.size(); ++k) {
        const double wk = std::exp(pa[k].v + pg[k].v - m);
        const Eigen::Vector4d d(pa[k].g0, pa[k].g1, pg[k].g0, pg[k].g1);
        sum += wk;
        mean += wk * d;
        second += wk * d * d.transpose();
        second(0, 0) += wk * pa[k].h00;
        second(0, 1) += wk * pa[k].h01;
        second(1, 0) += wk * pa[k].h01;
        second(1, 1) += wk * pa[k].h11;
        second(2, 2) += wk * pg[k].h00;
        second(2, 3) += wk * pg[k].h01;
        second(3, 2) += wk * pg[k].h01;
        second(3, 3) += wk * pg[k].h11;
      }
      mean /= sum;
      const double w = c.w[i];
      total += w * (m + std::log(sum));
      g += w * mean;
      H += w * (second / sum - mean * mean.transpose());
    }
    return total;
  }

  double log_likelihood(double x, double t_x, double n) const {
    check_row("BgBbModel::log_likelihood", x, t_x, n);
    return log_lik_row(x, t_x, n, p_.alpha, p_.beta, p_.gamma, p_.delta, lbeta(p_.alpha, p_.beta),
                       lbeta(p_.gamma, p_.delta));
  }

  /// P(alive at opportunity n + m | x, t_x, n), FHS 2010 eq. (11) with
  /// B(gamma, delta + n + m); m = 1 is "alive in the next period" (Table 6).
  double p_alive(double x, double t_x, double n, double m = 1.0) const {
    const double ll = log_likelihood(x, t_x, n);
    return std::exp(lbeta(p_.alpha + x, p_.beta + n - x) - lbeta(p_.alpha, p_.beta) +
                    lbeta(p_.gamma, p_.delta + n + m) - lbeta(p_.gamma, p_.delta) - ll);
  }

  /// E[X(n, n + n_star) | x, t_x, n], FHS 2010 eq. (13).
  double expected_purchases(double n_star, double x, double t_x, double n) const {
    check_horizon("BgBbModel::expected_purchases", n_star);
    const double al = p_.alpha, be = p_.beta, ga = p_.gamma, de = p_.delta;
    const double ll = log_likelihood(x, t_x, n);
    const double lead = std::exp(lbeta(al + x + 1.0, be + n - x) - lbeta(al, be) - ll +
                                 lgam(ga + de) - lgam(1.0 + de));
    return lead * delta_gamma_bracket(n, n + n_star);
  }

  /// E[X(n)] for a new customer, FHS 2010 eq. (7):
  /// al/(al+be) de/(ga-1) [1 - Gamma(ga+de) Gamma(1+de+n) / (Gamma(ga+de+n) Gamma(1+de))].
  double expected_purchases_new(double n) const {
    const double ga = p_.gamma, de = p_.delta;
    return p_.alpha / (p_.alpha + p_.beta) * std::exp(lgam(ga + de) - lgam(1.0 + de)) *
           delta_gamma_bracket(0.0, n);
  }

  /// P(X(n) = x) for a new customer, FHS 2010 eq. (8).
  double probability_of_n_purchases(double n, double x) const {
    const double al = p_.alpha, be = p_.beta, ga = p_.gamma, de = p_.delta;
    if (x > n || x < 0) return 0.0;
    const double lab = lbeta(al, be), lgd = lbeta(ga, de);
    auto lchoose = [](double nn, double k) { return lgam(nn + 1) - lgam(k + 1) - lgam(nn - k + 1); };
    double out = std::exp(lchoose(n, x) + lbeta(al + x, be + n - x) - lab + lbeta(ga, de + n) - lgd);
    for (double i = x; i < n; i += 1.0)
      out += std::exp(lchoose(i, x) + lbeta(al + x, be + i - x) - lab + lbeta(ga + 1, de + i) - lgd);
    return out;
  }

  void p_alive(std::span<const double> x, std::span<const double> t_x, std::span<const double> n,
               std::span<double> out, double m = 1.0) const {
    validate("BgBbModel::p_alive", DiscreteView{x, t_x, n, {}, {}});
    check_out("BgBbModel::p_alive", x.size(), out.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = p_alive(x[i], t_x[i], n[i], m);
  }
  /// 1 - P(alive at opportunity n + m).
  double churn_risk(double x, double t_x, double n, double m = 1.0) const { return 1.0 - p_alive(x, t_x, n, m); }

  void churn_risk(std::span<const double> x, std::span<const double> t_x, std::span<const double> n,
                  std::span<double> out, double m = 1.0) const {
    p_alive(x, t_x, n, out, m);
    for (double& v : out) v = 1.0 - v;
  }
  void expected_purchases(double n_star, std::span<const double> x, std::span<const double> t_x,
                          std::span<const double> n, std::span<double> out) const {
    validate("BgBbModel::expected_purchases", DiscreteView{x, t_x, n, {}, {}});
    check_out("BgBbModel::expected_purchases", x.size(), out.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = expected_purchases(n_star, x[i], t_x[i], n[i]);
  }

 private:
  static void check_row(const char* where, double x, double tx, double n) {
    const std::array<double, 1> xs{x}, txs{tx}, ns{n};
    validate(where, DiscreteView{xs, txs, ns, {}, {}});
  }

  // de/(ga-1) [Gamma(1+de+n0)/Gamma(ga+de+n0) - Gamma(1+de+n1)/Gamma(ga+de+n1)];
  // as ga -> 1 the bracket vanishes, and the ratio tends to
  // de [digamma(1+de+n1) - digamma(1+de+n0)].
  double delta_gamma_bracket(double n0, double n1) const {
    const double ga = p_.gamma, de = p_.delta;
    if (std::abs(ga - 1.0) < 1e-8)
      return de * (boost::math::digamma(1.0 + de + n1) - boost::math::digamma(1.0 + de + n0));
    const double g0 = lgam(1.0 + de + n0) - lgam(ga + de + n0);
    const double g1 = lgam(1.0 + de + n1) - lgam(ga + de + n1);
    // e^g0 - e^g1 = e^g0 (1 - e^(g1-g0)), no cancellation loss in the difference
    return de / (ga - 1.0) * std::exp(g0) * -std::expm1(g1 - g0);
  }

  BgBbParams p_;
  FitInfo info_;
};

}  // namespace leadscore::churn
