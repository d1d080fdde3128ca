#pragma once
// Pareto/NBD model: Schmittlein, Morrison & Colombo (1987), "Counting Your
// Customers: Who Are They and What Will They Do Next?", Management Science
// 33(1); likelihood as in Fader & Hardie, "A Note on Deriving the Pareto/NBD
// Model and Related Expressions" (2005) and note 008.
// While alive: Poisson(lambda), lambda ~ Gamma(r, alpha); lifetime
// ~ Exponential(mu), mu ~ Gamma(s, beta).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "leadscore/churn/bg_nbd.hpp"  // detail::check_params, logistic_neg
#include "leadscore/churn/data.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/churn/special.hpp"

namespace leadscore::churn {

struct ParetoNbdParams {
  double r = 1.0, alpha = 1.0, s = 1.0, beta = 1.0;
};

struct ParetoNbdConfig {
  double penalizer_coef = 0.0;
  int max_iterations = 1000;
  double tolerance = 1e-7;
  double confidence_level = 0.95;
  ParetoNbdParams initial{1.0, 1.0, 1.0, 1.0};
};

namespace detail {

/// A log-term of the Pareto/NBD likelihood with its gradient and Hessian in
/// the natural parameters (r, alpha, s, beta).
struct LogTerm {
  double v = 0.0;
  Eigen::Vector4d g = Eigen::Vector4d::Zero();
  Eigen::Matrix4d H = Eigen::Matrix4d::Zero();
};

/// log G(t) and its derivatives, where
///   G(t) = int_t^inf (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau
/// is the tail integral behind the likelihood's 2F1 (s (G(t_x) - G(T)) is
/// the "died between t_x and T" part; F(t) of log_terms is (r+s+x) G(t)).
/// With m = max(alpha, beta), o the other, d = m - o, z = d/(m+t), A = r+s+x
/// and B = s+1 (alpha >= beta) or r+x (alpha < beta), expanding the smaller
/// factor in powers of d/(m+tau) gives
///   G(t) = (m+t)^-A S,   S = sum_k (B)_k/k! z^k / (A+k),
/// a series of positive terms. S is a function of (A, B, z) only, and its
/// derivatives to second order are nine more positive-term power series in
/// z (the terms times 1/(A+k), k/z and the harmonic sums of (B)_k). A and B
/// are fixed for a frequency x, so the ten series' coefficients are built
/// once per x (GSeries) and each t costs one Horner pass over all ten; the
/// chain rule to (r, alpha, s, beta) follows. Declines (returns false) where
/// the series converge slowly (z > 0.9) or overflow: the caller takes another
/// route there.
class GSeries {
 public:
  /// Coefficients for frequency x, enough for every z <= z_max.
  bool init(double x, double r, double al, double s, double be, double z_max) {
    a_ge_b_ = al >= be;
    A_ = r + s + x;
    B_ = a_ge_b_ ? s + 1.0 : r + x;
    m_ = a_ge_b_ ? al : be;
    o_ = a_ge_b_ ? be : al;
    coef_.clear();
    if (!(z_max <= 0.9)) return false;
    // Term k: c = e/(A+k), e = (B)_k/k! (without z^k); accumulated at power
    // k (the plain series), k-1 (the z-derivatives) and k-2 (second in z).
    // Coefficients are stored times z_max^power (log_G evaluates in
    // y = z/z_max <= 1), so they stay near the size of the sums even where
    // (B)_k/k! alone would overflow. Stop when the terms at z_max fall below
    // 1e-17 of each sum's first term (a lower bound of the sum at every z).
    const double A = A_, B = B_;
    z_max_ = z_max;
    grow(0);
    double a = 1.0 / A;
    at(0)[kS] = a;
    at(0)[kSA] = -a * a;
    at(0)[kSAA] = 2.0 * a * a * a;
    double e1 = 1.0, e2 = 0.0, h1 = 0.0, h2 = 0.0;
    const double floor_c = 1e-17 * a, floor_q = 1e-17 * B / (A + 1.0), floor_p = 1e-17 * B * (B + 1.0) / (A + 2.0);
    for (int k = 1; k < 100000; ++k) {
      const double bk = B + (k - 1), ibk = 1.0 / bk;
      h1 += ibk;
      h2 += ibk * ibk;
      a = 1.0 / (A + k);
      // e_k z_max^k, and the terms at z_max
      const double e = e1 * bk / k * z_max;
      const double c = e * a, q = e1 * bk * a, p = k >= 2 ? e2 * (bk - 1.0) * bk * a : 0.0;
      grow(static_cast<std::size_t>(k));
      double* ck = at(static_cast<std::size_t>(k));
      double* ck1 = at(static_cast<std::size_t>(k - 1));
      ck[kS] += c;
      ck[kSA] -= c * a;
      ck[kSB] += c * h1;
      ck[kSAA] += 2.0 * c * a * a;
      ck[kSAB] -= c * a * h1;
      ck[kSBB] += c * (h1 * h1 - h2);
      ck1[kSz] += q;
      ck1[kSAz] -= q * a;
      ck1[kSBz] += q * h1;
      if (k >= 2) at(static_cast<std::size_t>(k - 2))[kSzz] += p;
      e2 = e1;
      e1 = e;
      if (!std::isfinite(c + q + p + h1 * h1)) return false;
      if (k > 2 && c <= floor_c && q <= floor_q && p <= floor_p) return true;
    }
    return false;  // not converged within the term budget
  }

  bool log_G(double t, LogTerm& out) const {
    const double mt = m_ + t, z = (m_ - o_) / mt, y = z_max_ > 0.0 ? z / z_max_ : 0.0;
    // the ten sums side by side (Eigen packs them into SIMD lanes), in
    // increasing powers of y <= 1 until the terms no longer count: the
    // coefficients were sized for y = 1, larger t need fewer terms
    using Row = Eigen::Array<double, kN, 1>;
    const std::size_t n = coef_.size() / kN;
    Row v = Eigen::Map<const Row>(&coef_[0]);
    double yk = 1.0;
    for (std::size_t k = 1; k < n; ++k) {
      yk *= y;
      const Eigen::Map<const Row> ck(&coef_[k * kN]);
      v += yk * ck;
      if (k % 4 == 3 && (yk * ck.abs() <= 1e-17 * v.abs()).all()) break;  // checked every fourth term
    }
    const double S = v[kS];
    const int im = a_ge_b_ ? 1 : 3, io = a_ge_b_ ? 3 : 1, iB = a_ge_b_ ? 2 : 0;
    const double o = o_, A = A_;
    // Jacobian of (A, B, z) in (r, alpha, s, beta)
    Eigen::Matrix<double, 4, 3> J = Eigen::Matrix<double, 4, 3>::Zero();
    J(0, 0) = J(2, 0) = 1.0;
    J(iB, 1) = 1.0;
    J(im, 2) = (o + t) / (mt * mt);
    J(io, 2) = -1.0 / mt;
    Eigen::Matrix3d Suu;
    Suu << v[kSAA], v[kSAB], v[kSAz], v[kSAB], v[kSBB], v[kSBz], v[kSAz], v[kSBz], v[kSzz];
    const Eigen::Vector4d gS = J * Eigen::Vector3d(v[kSA], v[kSB], v[kSz]) / S;
    Eigen::Matrix4d HS = J * Suu * J.transpose() / S - gS * gS.transpose();
    // + S_z/S times the Hessian of z
    const double sz = v[kSz] / S;
    HS(im, im) += sz * -2.0 * (o + t) / (mt * mt * mt);
    HS(im, io) += sz / (mt * mt);
    HS(io, im) += sz / (mt * mt);
    // log G = -A log(m+t) + log S
    const double L = std::log(mt);
    out.v = -A * L + std::log(S);
    out.g = gS;
    out.g[0] -= L;
    out.g[2] -= L;
    out.g[im] -= A / mt;
    out.H = HS;
    for (int i : {0, 2}) {
      out.H(i, im) -= 1.0 / mt;
      out.H(im, i) -= 1.0 / mt;
    }
    out.H(im, im) += A / (mt * mt);
    return std::isfinite(out.v) && out.g.allFinite() && out.H.allFinite();
  }

 private:
  enum : int { kS, kSA, kSB, kSz, kSAA, kSAB, kSAz, kSBB, kSBz, kSzz, kN };
  void grow(std::size_t k) {
    if (coef_.size() < (k + 1) * kN) coef_.resize((k + 1) * kN, 0.0);
  }
  double* at(std::size_t k) { return &coef_[k * kN]; }

  bool a_ge_b_ = true;
  double A_ = 1.0, B_ = 1.0, m_ = 1.0, o_ = 1.0, z_max_ = 0.0;
  std::vector<double> coef_;  // power-major: coef_[k * kN + series]
};

/// Weighted sum of Pareto/NBD log-likelihoods with its exact gradient and
/// Hessian in (r, alpha, s, beta); NaN where GSeries declines. Per row,
///   L = Gamma(r+x) alpha^r beta^s / Gamma(r) [e^P1 + s (G(t_x) - G(T))],
///   P1 = -(r+x) log(alpha+T) - s log(beta+T),
/// the bracket summed relative to its largest term (log-sum-exp), with G(T)
/// and P1 once per distinct T of a frequency group and G(t_x) once per run
/// of equal t_x (rows are sorted by t_x).
inline double pareto_nbd_ll(const Compact& c, const std::array<double, 4>& p, Eigen::Vector4d& grad,
                            Eigen::Matrix4d& hess) {
  using boost::math::digamma;
  using boost::math::trigamma;
  const double r = p[0], al = p[1], s = p[2], be = p[3];
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double lal = std::log(al), lbe = std::log(be), dr0 = digamma(r), tr0 = trigamma(r), lgr = lgam(r);
  double total = 0.0;
  grad.setZero();
  hess.setZero();
  std::vector<double> Ts;
  std::vector<LogTerm> P1, GT;
  LogTerm Gtx, row;
  GSeries series;
  for (std::size_t k = 0; k + 1 < c.group.size(); ++k) {
    const std::size_t lo = c.group[k], hi = c.group[k + 1];
    const double x = c.x[lo], rx = r + x;
    Ts.assign(c.T.begin() + static_cast<std::ptrdiff_t>(lo), c.T.begin() + static_cast<std::ptrdiff_t>(hi));
    std::sort(Ts.begin(), Ts.end());
    Ts.erase(std::unique(Ts.begin(), Ts.end()), Ts.end());
    // the smallest t of the group (rows are sorted by t_x) has the largest z
    const double m = std::max(al, be), z_max = std::abs(al - be) / (m + std::min(c.tx[lo], Ts.front()));
    if (!series.init(x, r, al, s, be, z_max)) return nan;
    P1.assign(Ts.size(), LogTerm{});
    GT.assign(Ts.size(), LogTerm{});
    for (std::size_t j = 0; j < Ts.size(); ++j) {
      const double T = Ts[j], iaT = 1.0 / (al + T), ibT = 1.0 / (be + T);
      LogTerm& f = P1[j];
      f.v = -rx * std::log(al + T) - s * std::log(be + T);
      f.g << -std::log(al + T), -rx * iaT, -std::log(be + T), -s * ibT;
      f.H(0, 1) = f.H(1, 0) = -iaT;
      f.H(1, 1) = rx * iaT * iaT;
      f.H(2, 3) = f.H(3, 2) = -ibT;
      f.H(3, 3) = s * ibT * ibT;
      if (!series.log_G(T, GT[j])) return nan;
    }
    double tx_done = -1.0, wsum = 0.0;
    for (std::size_t i = lo; i < hi; ++i) {
      const double tx = c.tx[i], T = c.T[i], w = c.w[i];
      wsum += w;
      const std::size_t j = static_cast<std::size_t>(std::lower_bound(Ts.begin(), Ts.end(), T) - Ts.begin());
      const LogTerm& f = P1[j];
      if (!(tx < T)) {
        total += w * f.v;
        grad += w * f.g;
        hess += w * f.H;
        continue;
      }
      if (tx != tx_done) {
        if (!series.log_G(tx, Gtx)) return nan;
        tx_done = tx;
      }
      // bracket = e^P1 + s e^{log G(t_x)} - s e^{log G(T)}, scaled by e^-M
      const LogTerm& g2 = GT[j];
      const double lead = std::log(s) + Gtx.v, M = std::max(f.v, lead);
      const double w1 = std::exp(f.v - M), w2 = s * std::exp(Gtx.v - M), w3 = s * std::exp(g2.v - M);
      // d(s G)/dp = s G (g_logG + e_s/s); second: s G (H + g g^T) + e_s g^T G + g e_s^T G
      Eigen::Vector4d g_in = w1 * f.g + w2 * Gtx.g - w3 * g2.g;
      Eigen::Matrix4d H_in = w1 * (f.H + f.g * f.g.transpose()) + w2 * (Gtx.H + Gtx.g * Gtx.g.transpose()) -
                             w3 * (g2.H + g2.g * g2.g.transpose());
      const double G_in = (w2 - w3) / s;  // the unscaled-by-s difference G(t_x) - G(T)
      const Eigen::Vector4d dG = (w2 * Gtx.g - w3 * g2.g) / s;
      g_in[2] += G_in;
      H_in.row(2) += dG.transpose();
      H_in.col(2) += dG;
      const double inner = w1 + w2 - w3;
      if (!(inner > 0.0)) return nan;
      row.v = M + std::log(inner);
      row.g = g_in / inner;
      row.H = H_in / inner - row.g * row.g.transpose();
      total += w * row.v;
      grad += w * row.g;
      hess += w * row.H;
    }
    // head: lgam(r+x) - lgam(r) + r log alpha + s log beta
    total += wsum * (lgam(rx) - lgr + r * lal + s * lbe);
    grad[0] += wsum * (digamma(rx) - dr0 + lal);
    grad[1] += wsum * r / al;
    grad[2] += wsum * lbe;
    grad[3] += wsum * s / be;
    hess(0, 0) += wsum * (trigamma(rx) - tr0);
    hess(0, 1) += wsum / al;
    hess(1, 0) += wsum / al;
    hess(1, 1) -= wsum * r / (al * al);
    hess(2, 3) += wsum / be;
    hess(3, 2) += wsum / be;
    hess(3, 3) -= wsum * s / (be * be);
  }
  return total;
}

}  // namespace detail

class ParetoNbdModel {
 public:
  using Params = ParetoNbdParams;
  using Config = ParetoNbdConfig;
  static constexpr const char* kind = "pareto_nbd";

  explicit ParetoNbdModel(const ParetoNbdParams& p, FitInfo info = {}) : p_(p), info_(std::move(info)) {
    detail::check_params("ParetoNbdModel", {p.r, p.alpha, p.s, p.beta});
  }

  /// Maximum likelihood by damped Newton on the exact gradient and Hessian
  /// (detail::pareto_nbd_ll). Where that route's series would converge
  /// slowly (some |alpha-beta|/(max(alpha,beta)+t) > 0.9 on the way) and
  /// Newton does not converge, the fit falls back to L-BFGS on the log-space
  /// likelihood (2F1 by quadrature there) with dual-number gradients.
  static ParetoNbdModel fit(const SummaryView& data, const ParetoNbdConfig& cfg = {}) {
    constexpr const char* where = "ParetoNbdModel::fit";
    validate(where, data);
    const Compact c = compact(data);
    const auto& s = cfg.initial;
    const std::array<double, 4> start{s.r, s.alpha, s.s, s.beta};
    const FitOptions opt{cfg.penalizer_coef, cfg.max_iterations, cfg.tolerance, cfg.confidence_level};
    auto llh = [&c](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
      return detail::pareto_nbd_ll(c, p, g, H);
    };
    std::optional<FitInfo> info;
    Eigen::Vector4d g0;
    Eigen::Matrix4d H0;
    if (std::isfinite(llh(start, g0, H0))) {
      try {
        info = detail::fit_newton<4>(where, llh, c.total_weight, start, {"r", "alpha", "s", "beta"}, opt, c.size());
      } catch (const NotConverged&) {
      }
    }
    if (!info) {
      auto ll = [&c](const auto& p) { return log_likelihood_sum(c, p[0], p[1], p[2], p[3]); };
      info = detail::fit_log_params<4>(where, ll, c.total_weight, start, {"r", "alpha", "s", "beta"}, opt, c.size());
    }
    const auto& e = info->estimates;
    const ParetoNbdParams fitted{e[0], e[1], e[2], e[3]};
    return ParetoNbdModel(fitted, std::move(*info));
  }

  const ParetoNbdParams& params() const { return p_; }
  const FitInfo& fit_info() const { return info_; }

  /// The two log-terms of the likelihood bracket (note 008):
  ///   first = -(r+x) log(alpha+T) - s log(beta+T)
  ///   second = log(s/(r+s+x)) + log A0,
  /// A0 = F(t_x) - F(T), F(t) = 2F1(r+s+x, B; r+s+x+1; |alpha-beta|/(m+t)) / (m+t)^(r+s+x)
  /// with m = max(alpha, beta) and B = s+1 (alpha >= beta) or r+x (alpha < beta);
  /// choosing the branch keeps the 2F1 argument in [0, 1).
  template <class S>
  static void log_terms(double x, double tx, double T, const S& r, const S& alpha, const S& s,
                        const S& beta, S& first, S& second) {
    using std::abs;
    using std::log;
    const S rsx = r + s + x;
    first = -(r + x) * log(alpha + T) - s * log(beta + T);
    if (tx >= T) {
      second = S(-std::numeric_limits<double>::infinity());
      return;
    }
    second = log(s) - log(rsx) + log_sub_exp(log_F(x, tx, r, alpha, s, beta), log_F(x, T, r, alpha, s, beta));
  }

  /// log F(t) of log_terms.
  template <class S>
  static S log_F(double x, double t, const S& r, const S& alpha, const S& s, const S& beta) {
    using std::log;
    const S rsx = r + s + x;
    const bool a_ge_b = value_of(alpha) >= value_of(beta);
    const S m = a_ge_b ? alpha : beta;
    const S diff = a_ge_b ? alpha - beta : beta - alpha;
    const S B = a_ge_b ? s + 1.0 : r + x;
    return log_hyp2f1_a1(rsx, B, diff / (m + t)) - rsx * log(m + t);
  }

  template <class S>
  static S log_likelihood_sum(const Compact& c, const S& r, const S& alpha, const S& s, const S& beta) {
    using std::log;
    S total(0.0);
    const S base = r * log(alpha) + s * log(beta) - lgam(r);
    // log_terms row by row, but with the T-only parts (first, log F(T)) once
    // per distinct T of the group and log F(t_x) once per run of equal t_x
    // (rows are sorted by t_x): half the 2F1 evaluations on CDNOW.
    std::vector<double> Ts;
    std::vector<S> firsts, lF_T;
    for (std::size_t g = 0; g + 1 < c.group.size(); ++g) {
      const std::size_t lo = c.group[g], hi = c.group[g + 1];
      const double x = c.x[lo];
      const S head = lgam(r + x) + base;
      Ts.assign(c.T.begin() + static_cast<std::ptrdiff_t>(lo), c.T.begin() + static_cast<std::ptrdiff_t>(hi));
      std::sort(Ts.begin(), Ts.end());
      Ts.erase(std::unique(Ts.begin(), Ts.end()), Ts.end());
      firsts.resize(Ts.size());
      lF_T.resize(Ts.size());
      for (std::size_t j = 0; j < Ts.size(); ++j) {
        firsts[j] = -(r + x) * log(alpha + Ts[j]) - s * log(beta + Ts[j]);
        lF_T[j] = log_F(x, Ts[j], r, alpha, s, beta);
      }
      const S lead = log(s) - log(r + s + x);
      S lF_tx(0.0);
      double tx_done = -1.0;
      S acc(0.0);
      double wsum = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        const double tx = c.tx[i], T = c.T[i];
        const std::size_t j = static_cast<std::size_t>(std::lower_bound(Ts.begin(), Ts.end(), T) - Ts.begin());
        S second(-std::numeric_limits<double>::infinity());
        if (tx < T) {
          if (tx != tx_done) {
            lF_tx = log_F(x, tx, r, alpha, s, beta);
            tx_done = tx;
          }
          second = lead + log_sub_exp(lF_tx, lF_T[j]);
        }
        acc += c.w[i] * log_add_exp(firsts[j], second);
        wsum += c.w[i];
      }
      total += acc + wsum * head;
    }
    return total;
  }

  double log_likelihood(double x, double t_x, double T) const {
    const std::array<double, 1> xs{x}, txs{t_x}, Ts{T};
    validate("ParetoNbdModel::log_likelihood", xs, txs, Ts);
    return log_likelihood_sum(compact(xs, txs, Ts, {}), p_.r, p_.alpha, p_.s, p_.beta);
  }

  /// P(alive | x, t_x, T) = first-term / likelihood bracket (note 008 eq. 9).
  double p_alive(double x, double t_x, double T) const {
    check_row("ParetoNbdModel::p_alive", x, t_x, T);
    return alive(x, t_x, T, series(x, t_x), series(x, T));
  }

  /// E[X(t)] for a new customer: r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
  double expected_purchases_new(double t) const {
    check_horizon("ParetoNbdModel::expected_purchases_new", t);
    return p_.r / p_.alpha * lifetime_integral(p_.beta, t);
  }

  /// E[Y(t) | x, t_x, T] (SMC 1987 eq. 22):
  /// (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
  double expected_purchases(double t, double x, double t_x, double T) const {
    check_horizon("ParetoNbdModel::expected_purchases", t);
    return (p_.r + x) / (p_.alpha + T) * lifetime_integral(p_.beta + T, t) * p_alive(x, t_x, T);
  }

  /// P(X(t) = n) for a new customer. Conditioning on the lifetime tau
  /// (Pareto II: density s beta^s / (beta+tau)^(s+1)) and mixing the Poisson
  /// count over lambda ~ Gamma(r, alpha) gives
  ///   P = (beta/(beta+t))^s NB_t(n) + int_0^t f(tau) NB_tau(n) dtau,
  /// NB_tau(n) = Gamma(r+n)/(Gamma(r) n!) (alpha/(alpha+tau))^r (tau/(alpha+tau))^n.
  /// The integral is taken in u with tau = beta((1+t/beta)^u - 1), where the
  /// lifetime density becomes s (beta/(beta+tau))^s log(1+t/beta) (smooth),
  /// by composite Gauss-Legendre (accurate to ~1e-12). This avoids the
  /// closed form's sum of 2F1 terms with cancelling signs (Fader & Hardie 2006).
  double probability_of_n_purchases(double t, double n) const {
    const double r = p_.r, al = p_.alpha, s = p_.s, be = p_.beta;
    if (!(n >= 0.0) || n != std::floor(n) || !(t >= 0.0) || !std::isfinite(t))
      throw InvalidInput("ParetoNbdModel::probability_of_n_purchases: need integer n >= 0 and finite t >= 0");
    if (t == 0.0) return n == 0.0 ? 1.0 : 0.0;
    const double head = lgam(r + n) - lgam(r) - lgam(n + 1.0);
    auto nb = [&](double tau) {
      if (tau <= 0.0) return n == 0.0 ? 1.0 : 0.0;
      return std::exp(head + r * std::log(al / (al + tau)) + n * std::log(tau / (al + tau)));
    };
    const double L = std::log1p(t / be);
    double integral = 0.0;
    const int panels = 64;
    for (int k = 0; k < panels; ++k) {
      const double lo = static_cast<double>(k) / panels, hi = static_cast<double>(k + 1) / panels;
      const double mid = 0.5 * (lo + hi), hw = 0.5 * (hi - lo);
      for (std::size_t i = 0; i < detail::kGlX.size(); ++i)
        for (double sg : {-1.0, 1.0}) {
          const double u = mid + sg * hw * detail::kGlX[i];
          const double tau = be * std::expm1(u * L);
          integral += detail::kGlW[i] * hw * s * std::exp(-s * u * L) * L * nb(tau);
        }
    }
    return std::exp(-s * L) * nb(t) + integral;
  }

  void p_alive(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
               std::span<double> out) const {
    validate("ParetoNbdModel::p_alive", x, t_x, T);
    check_out("ParetoNbdModel::p_alive", x.size(), out.size());
    memoised(x, t_x, T, out, [](std::size_t) { return 1.0; });
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
    validate("ParetoNbdModel::expected_purchases", x, t_x, T);
    check_out("ParetoNbdModel::expected_purchases", x.size(), out.size());
    if (!(t >= 0.0) || !std::isfinite(t)) throw InvalidInput("ParetoNbdModel::expected_purchases: bad t");
    // E = (r+x)/(alpha+T) * lifetime_integral(beta+T, t) * P(alive), once
    // per distinct (x, t_x, T)
    memoised(x, t_x, T, out, [&](std::size_t i) {
      return (p_.r + x[i]) / (p_.alpha + T[i]) * lifetime_integral(p_.beta + T[i], t);
    });
  }

 private:
  // 2F1(r+s+x, B; r+s+x+1; |alpha-beta|/(m+t)) of log_terms' F(t).
  double series(double x, double t) const {
    const double r = p_.r, al = p_.alpha, s = p_.s, be = p_.beta, rsx = r + x + s;
    return al >= be ? hyp2f1_series(rsx, s + 1.0, rsx + 1.0, (al - be) / (al + t))
                    : hyp2f1_series(rsx, r + x, rsx + 1.0, (be - al) / (be + t));
  }

  // p_alive without the row check, given F1 = series(x, t_x) and
  // F2 = series(x, T).
  double alive(double x, double t_x, double T, double F1, double F2) const {
    // P = 1 / (1 + s/(r+s+x) A0 (alpha+T)^(r+x) (beta+T)^s). The scaled A0 is
    // a difference of two terms, each a 2F1 times a ratio power with
    // exponent <= 0 or one that overflows only when P underflows anyway
    // (inf gives P = 0, never NaN). Five transcendental calls instead of the
    // log-likelihood route's eleven.
    const double r = p_.r, al = p_.alpha, s = p_.s, be = p_.beta;
    if (t_x >= T) return 1.0;
    const double rx = r + x, rsx = rx + s;
    double first, second;
    if (al >= be) {
      first = F1 * std::exp(rx * std::log((al + T) / (al + t_x)) + s * std::log((be + T) / (al + t_x)));
      second = F2 * std::exp(s * std::log((be + T) / (al + T)));
    } else {
      first = F1 * std::exp(rx * std::log((al + T) / (be + t_x)) + s * std::log((be + T) / (be + t_x)));
      second = F2 * std::exp(rx * std::log((al + T) / (be + T)));
    }
    const double odds = s / rsx * (first - second);
    if (!(odds >= 0.0) || std::abs(al - be) / (std::max(al, be) + t_x) > 0.9) {
      // slow-series region or rounding trouble: take the log-space route
      double lf, ls;
      log_terms(x, t_x, T, r, al, s, be, lf, ls);
      return std::exp(lf - log_add_exp(lf, ls));
    }
    return 1.0 / (1.0 + odds);
  }

  // out[i] = factor(i) * P(alive | x[i], t_x[i], T[i]) with each distinct
  // (x, t_x, T) evaluated once (factor must depend on them only), and each
  // of the two series of P(alive) once per distinct (x, t); summaries on a
  // daily or weekly grid repeat both heavily.
  template <class Factor>
  void memoised(std::span<const double> x, std::span<const double> t_x, std::span<const double> T,
                std::span<double> out, const Factor& factor) const {
    detail::KeyMemo<2> series_memo(std::min(2 * x.size(), kSeriesKeys));
    auto series_at = [&](double xx, double t) {
      bool fresh = false;
      double* F = series_memo.find_or_insert({xx, t}, fresh);
      if (F && fresh) *F = series(xx, t);
      return F ? *F : series(xx, t);
    };
    auto row = [&](std::size_t i) {
      return factor(i) * alive(x[i], t_x[i], T[i], series_at(x[i], t_x[i]), series_at(x[i], T[i]));
    };
    detail::KeyMemo<3> memo(std::min(x.size(), kAliveKeys));
    constexpr std::size_t ahead = 16;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (i + ahead < x.size()) memo.prefetch({x[i + ahead], t_x[i + ahead], T[i + ahead]});
      bool fresh = false;
      double* v = memo.find_or_insert({x[i], t_x[i], T[i]}, fresh);
      if (v && fresh) *v = row(i);
      out[i] = v ? *v : row(i);
    }
  }
  static constexpr std::size_t kAliveKeys = std::size_t{1} << 17, kSeriesKeys = std::size_t{1} << 14;

  // E_mu[ int_0^t e^{-mu u} du ] for mu ~ Gamma(s, b): b/(s-1) [1 - (b/(b+t))^(s-1)],
  // written with expm1/log1p so s -> 1 gives b log(1 + t/b) without cancellation.
  double lifetime_integral(double b, double t) const {
    const double s1 = p_.s - 1.0, l = std::log1p(t / b);
    if (std::abs(s1 * l) < 1e-10) return b * l * (1.0 - 0.5 * s1 * l);
    return b * (-std::expm1(-s1 * l)) / s1;
  }

  ParetoNbdParams p_;
  FitInfo info_;
};

}  // namespace leadscore::churn
