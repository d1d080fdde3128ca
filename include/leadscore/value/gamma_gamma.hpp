#pragma once
// Gamma-Gamma model of spend per transaction: Fader, Hardie & Lee (2005),
// "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR
// 42(4); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
// (note 025). Each transaction value z ~ Gamma(p, nu), nu ~ Gamma(q, gamma)
// across customers; the observed mean zbar of x transactions is sufficient.

#include <array>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "leadscore/churn/data.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/churn/special.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::value {

using churn::FitInfo;

/// Per-customer spend summary: frequency = number of repeat transactions x,
/// monetary = their mean value zbar. Rows with frequency 0 are ignored by the
/// fit (they carry no spend information; lifetimes expects them removed).
struct SpendView {
  std::span<const double> frequency;
  std::span<const double> monetary;
  std::span<const double> weight;  ///< empty: 1 each
  std::span<const std::string> id;
};

struct GammaGammaParams {
  double p = 1.0, q = 1.0, gamma = 1.0;
};

struct GammaGammaConfig {
  double penalizer_coef = 0.0;
  int max_iterations = 1000;
  double tolerance = 1e-7;
  double confidence_level = 0.95;
  GammaGammaParams initial{1.0, 1.0, 1.0};
};

/// Throws InvalidInput (naming the customer) unless frequency is a
/// non-negative integer and monetary is finite, with monetary > 0 when
/// frequency > 0.
inline void validate_spend(const char* where, std::span<const double> x, std::span<const double> m,
                           std::span<const double> w = {}, std::span<const std::string> id = {}) {
  namespace d = churn::detail;
  d::check_sizes(where, x.size(), m.size(), "monetary");
  if (!w.empty()) d::check_sizes(where, x.size(), w.size(), "weight");
  if (!id.empty()) d::check_sizes(where, x.size(), id.size(), "id");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!d::is_count(x[i])) d::bad_row(where, id, i, "frequency must be a non-negative integer");
    if (!std::isfinite(m[i]) || m[i] < 0.0) d::bad_row(where, id, i, "monetary must be finite and >= 0");
    if (x[i] > 0.0 && !(m[i] > 0.0)) d::bad_row(where, id, i, "monetary must be > 0 when frequency > 0");
    if (!w.empty() && (!std::isfinite(w[i]) || w[i] < 0.0)) d::bad_row(where, id, i, "weight must be finite and >= 0");
  }
}

class GammaGammaModel {
 public:
  using Params = GammaGammaParams;
  using Config = GammaGammaConfig;
  static constexpr const char* kind = "gamma_gamma";

  explicit GammaGammaModel(const GammaGammaParams& p, FitInfo info = {}) : p_(p), info_(std::move(info)) {
    for (double v : {p.p, p.q, p.gamma})
      if (!(v > 0.0) || !std::isfinite(v))
        throw InvalidInput("GammaGammaModel: parameters must be finite and > 0");
  }

  static GammaGammaModel fit(const SpendView& data, const GammaGammaConfig& cfg = {}) {
    constexpr const char* where = "GammaGammaModel::fit";
    validate_spend(where, data.frequency, data.monetary, data.weight, data.id);
    // keep repeaters only; compact on (x, zbar)
    std::vector<double> x, m, w, zero;
    for (std::size_t i = 0; i < data.frequency.size(); ++i)
      if (data.frequency[i] > 0.0) {
        x.push_back(data.frequency[i]);
        m.push_back(data.monetary[i]);
        w.push_back(data.weight.empty() ? 1.0 : data.weight[i]);
      }
    zero.assign(x.size(), 0.0);
    const churn::Compact c = churn::compact(x, m, zero, w);
    // sum of w log(zbar) per group: the only parameter-free part of the rows
    std::vector<double> sum_log_z(c.group.size() - 1, 0.0);
    for (std::size_t k = 0; k + 1 < c.group.size(); ++k)
      for (std::size_t i = c.group[k]; i < c.group[k + 1]; ++i) sum_log_z[k] += c.w[i] * std::log(c.tx[i]);
    auto llh = [&](const std::array<double, 3>& p, Eigen::Vector3d& g, Eigen::Matrix3d& H) {
      return log_likelihood_derivatives(c, sum_log_z, p, g, H);
    };
    const auto& s = cfg.initial;
    FitInfo info = churn::detail::fit_newton<3>(
        where, llh, c.total_weight, {s.p, s.q, s.gamma}, {"p", "q", "gamma"},
        churn::FitOptions{cfg.penalizer_coef, cfg.max_iterations, cfg.tolerance, cfg.confidence_level},
        c.size());
    const auto& e = info.estimates;
    const GammaGammaParams fitted{e[0], e[1], e[2]};
    return GammaGammaModel(fitted, std::move(info));
  }

  const GammaGammaParams& params() const { return p_; }
  const FitInfo& fit_info() const { return info_; }

  /// Density of zbar given x (note 025 eq. 3), summed with weights; rows of
  /// `c` hold x in c.x and zbar in c.tx.
  template <class S>
  static S log_likelihood_sum(const churn::Compact& c, const S& p, const S& q, const S& g) {
    using churn::lgam;
    using std::log;
    S total(0.0);
    const S base = q * log(g) - lgam(q);
    for (std::size_t k = 0; k + 1 < c.group.size(); ++k) {
      const std::size_t lo = c.group[k], hi = c.group[k + 1];
      const double x = c.x[lo];
      const S px = p * x;
      const S head = lgam(px + q) - lgam(px) + base + px * std::log(x);
      S acc(0.0);
      double wsum = 0.0;
      for (std::size_t i = lo; i < hi; ++i) {
        const double z = c.tx[i];
        acc += c.w[i] * ((px - 1.0) * std::log(z) - (px + q) * log(g + x * z));
        wsum += c.w[i];
      }
      total += acc + wsum * head;
    }
    return total;
  }

  /// log_likelihood_sum with its exact gradient and Hessian in (p, q, gamma)
  /// (derived by hand for the Newton fit); sum_log_z[k] = sum of w log zbar
  /// over group k. Per row, with s = gamma + x zbar, the parameter-dependent
  /// part is -(px+q) log s; per group of equal x the head is
  /// lgam(px+q) - lgam(px) + q log(gamma) - lgam(q) + px log x.
  static double log_likelihood_derivatives(const churn::Compact& c, const std::vector<double>& sum_log_z,
                                           const std::array<double, 3>& par, Eigen::Vector3d& g,
                                           Eigen::Matrix3d& H) {
    using boost::math::digamma;
    using boost::math::trigamma;
    using churn::lgam;
    const double p = par[0], q = par[1], ga = par[2], log_g = std::log(ga), ig = 1.0 / ga;
    const double base = q * log_g - lgam(q), dq0 = log_g - digamma(q), tq0 = -trigamma(q);
    double total = 0.0;
    g.setZero();
    H.setZero();
    for (std::size_t k = 0; k + 1 < c.group.size(); ++k) {
      const std::size_t lo = c.group[k], hi = c.group[k + 1];
      const double x = c.x[lo], px = p * x, pxq = px + q, lx = std::log(x);
      double w_sum = 0, s_log = 0, s_inv = 0, s_inv2 = 0;
      for (std::size_t i = lo; i < hi; ++i) {
        const double w = c.w[i], sv = ga + x * c.tx[i], is = 1.0 / sv;
        w_sum += w;
        s_log += w * std::log(sv);
        s_inv += w * is;
        s_inv2 += w * is * is;
      }
      const double d1 = digamma(pxq), d0 = digamma(px), t1 = trigamma(pxq), t0 = trigamma(px);
      total += (px - 1.0) * sum_log_z[k] - pxq * s_log + w_sum * (lgam(pxq) - lgam(px) + base + px * lx);
      g[0] += x * (sum_log_z[k] - s_log + w_sum * (d1 - d0 + lx));
      g[1] += -s_log + w_sum * (d1 + dq0);
      g[2] += -pxq * s_inv + w_sum * q * ig;
      H(0, 0) += w_sum * x * x * (t1 - t0);
      H(0, 1) += w_sum * x * t1;
      H(0, 2) -= x * s_inv;
      H(1, 1) += w_sum * (t1 + tq0);
      H(1, 2) += -s_inv + w_sum * ig;
      H(2, 2) += pxq * s_inv2 - w_sum * q * ig * ig;
    }
    H = H.selfadjointView<Eigen::Upper>();
    return total;
  }

  double log_likelihood(double x, double zbar) const {
    const std::array<double, 1> xs{x}, ms{zbar}, zs{0.0};
    validate_spend("GammaGammaModel::log_likelihood", xs, ms);
    if (x == 0.0) throw InvalidInput("GammaGammaModel::log_likelihood: frequency must be > 0");
    return log_likelihood_sum(churn::compact(xs, ms, zs, {}), p_.p, p_.q, p_.gamma);
  }

  /// E[Z | x, zbar] = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * zbar
  /// (note 025 eq. 5): a weighted mean of the population mean and zbar.
  /// Needs q > 1 (otherwise the population mean spend is infinite).
  double conditional_expected_average_spend(double x, double zbar) const {
    require_finite_mean("GammaGammaModel::conditional_expected_average_spend");
    const double px = p_.p * x;
    return p_.p * (p_.gamma + x * zbar) / (px + p_.q - 1.0);
  }

  /// p gamma / (q - 1): expected spend of a customer with no repeat history.
  double expected_average_spend() const {
    require_finite_mean("GammaGammaModel::expected_average_spend");
    return p_.p * p_.gamma / (p_.q - 1.0);
  }

  void conditional_expected_average_spend(std::span<const double> x, std::span<const double> zbar,
                                          std::span<double> out) const {
    constexpr const char* where = "GammaGammaModel::conditional_expected_average_spend";
    validate_spend(where, x, zbar);
    churn::check_out(where, x.size(), out.size());
    require_finite_mean(where);
    const double p = p_.p, q1 = p_.q - 1.0, g = p_.gamma;
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = p * (g + x[i] * zbar[i]) / (p * x[i] + q1);
  }

 private:
  void require_finite_mean(const char* where) const {
    if (!(p_.q > 1.0)) throw InvalidInput(std::string(where) + ": q <= 1, mean spend is infinite");
  }

  GammaGammaParams p_;
  FitInfo info_;
};

}  // namespace leadscore::value

#include <cstdint>
#include <random>
#include <vector>

namespace leadscore::value {

/// Seeded Gamma-Gamma simulator: for each customer with frequency x > 0 draw
/// nu ~ Gamma(q, gamma) and the mean of x values z ~ Gamma(p, nu) (the sum of
/// x such values is Gamma(p x, nu)); 0 where x == 0.
inline std::vector<double> simulate_spend(const GammaGammaParams& par, std::span<const double> frequency,
                                          std::uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<double> zbar;
  zbar.reserve(frequency.size());
  for (double x : frequency) {
    if (!(x >= 0.0) || !std::isfinite(x)) throw InvalidInput("simulate_spend: bad frequency");
    if (x == 0.0) {
      zbar.push_back(0.0);
      continue;
    }
    const double nu = std::gamma_distribution<double>(par.q, 1.0 / par.gamma)(g);
    zbar.push_back(std::gamma_distribution<double>(par.p * x, 1.0 / nu)(g) / x);
  }
  return zbar;
}

}  // namespace leadscore::value
