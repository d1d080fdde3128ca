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
    auto ll = [&c](const auto& p) { return log_likelihood_sum(c, p[0], p[1], p[2]); };
    const auto& s = cfg.initial;
    FitInfo info = churn::detail::fit_log_params<3>(
        where, ll, c.total_weight, {s.p, s.q, s.gamma}, {"p", "q", "gamma"},
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
