#pragma once
// Shared maximum-likelihood machinery: minimise the weighted negative mean
// log-likelihood over log-parameters (so every parameter stays positive),
// either by damped Newton on a hand-derived gradient and Hessian
// (fit_newton), or with L-BFGS (LBFGS++), exact gradients from forward-mode
// dual numbers and a few Newton polishing steps on a numeric Hessian of that
// gradient (fit_log_params); standard errors / confidence intervals from the
// observed information.

#include <Eigen/Dense>
#include <LBFGS.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "leadscore/churn/special.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::churn {

/// What a fit did. Parameter-indexed vectors follow the order of the model's
/// params struct (e.g. r, alpha, a, b) and are on the natural scale.
struct FitInfo {
  bool converged = false;
  /// Newton fits (fit_newton: every model; Pareto/NBD where its series
  /// converge fast): Newton iterations (<= max_iterations). L-BFGS fits
  /// (Pareto/NBD's fallback): L-BFGS
  /// iterations (at most max_iterations; when the line search stops early, the
  /// objective evaluations so far) + Newton polishing steps (<= 20).
  int iterations = 0;
  double log_likelihood = 0.0;   ///< SUM over customers (weights applied), as the papers print
  double objective = 0.0;        ///< minimised: -mean LL + penalizer * sum(params^2)
  double gradient_norm = 0.0;    ///< max-norm of the objective's gradient (log-params) at the end
  double seconds = 0.0;
  double n_customers = 0.0;      ///< total weight
  std::size_t n_unique = 0;      ///< rows after de-duplication
  std::vector<std::string> names;
  std::vector<double> estimates;
  /// Observed-information standard errors (delta method from the log scale).
  /// A fit whose Hessian is not positive definite throws NotConverged, so
  /// these are always usable for a fitted model; `standard_errors_ok` is false
  /// only for models built from given parameters.
  std::vector<double> standard_errors;
  double confidence_level = 0.95;
  /// exp(log(theta) -/+ z * se(log theta)): always positive.
  std::vector<double> ci_lower, ci_upper;
  bool standard_errors_ok = false;
};

/// Options every fit shares (each model's config carries them).
struct FitOptions {
  double penalizer_coef = 0.0;   ///< L2 on the natural-scale parameters, as lifetimes
  int max_iterations = 1000;     ///< Newton or L-BFGS iterations
  double tolerance = 1e-7;       ///< max-norm of the gradient of the objective (log-params)
  double confidence_level = 0.95;
};

namespace detail {

template <int P>
void check_fit_input(const char* where, double total_weight, const std::array<double, P>& start,
                     const FitOptions& opt) {
  if (!(total_weight > 0.0)) throw InvalidInput(std::string(where) + ": no customers to fit");
  for (int i = 0; i < P; ++i)
    if (!(start[i] > 0.0) || !std::isfinite(start[i]))
      throw InvalidInput(std::string(where) + ": initial parameters must be finite and > 0");
  if (!(opt.penalizer_coef >= 0.0) || opt.max_iterations <= 0 || !(opt.tolerance > 0.0) ||
      !(opt.confidence_level > 0.0 && opt.confidence_level < 1.0))
    throw InvalidInput(std::string(where) + ": invalid fit options");
}

/// Shared end of every fit, from the end point x (log-parameters), the
/// objective f, its gradient max-norm and Hessian (log scale, per unit
/// weight) there: the convergence verdict (gradient or last Newton step below
/// `tolerance`), log-likelihood, standard errors and confidence intervals.
template <int P>
FitInfo finish_fit(const char* where, const Eigen::Matrix<double, Eigen::Dynamic, 1>& x, double f,
                   double gradient_norm, double newton_step, const Eigen::Matrix<double, P, P>& H_mean,
                   int iterations, double total_weight, const std::array<const char*, P>& names,
                   const FitOptions& opt, std::size_t n_unique, std::chrono::steady_clock::time_point t0) {
  FitInfo info;
  info.iterations = iterations;
  info.objective = f;
  info.gradient_norm = gradient_norm;
  info.converged = std::isfinite(f) && (info.gradient_norm <= opt.tolerance || newton_step <= opt.tolerance);
  if (!info.converged) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  ": no convergence after %d iterations (gradient max-norm %.3g, Newton step %.3g, "
                  "tolerance %.3g)",
                  iterations, info.gradient_norm, newton_step, opt.tolerance);
    throw NotConverged(std::string(where) + buf);
  }

  std::array<double, P> p;
  double pen = 0.0;
  for (int i = 0; i < P; ++i) {
    p[i] = std::exp(x[i]);
    pen += p[i] * p[i];
  }
  info.log_likelihood = -(f - opt.penalizer_coef * pen) * total_weight;
  info.n_customers = total_weight;
  info.n_unique = n_unique;
  info.confidence_level = opt.confidence_level;
  const double z =
      boost::math::quantile(boost::math::normal(), 0.5 + 0.5 * opt.confidence_level);
  const Eigen::Matrix<double, P, P> H = H_mean * total_weight;
  Eigen::LLT<Eigen::Matrix<double, P, P>> llt(H);
  info.standard_errors_ok = llt.info() == Eigen::Success;
  if (!info.standard_errors_ok)
    throw NotConverged(std::string(where) +
                       ": the Hessian at the end point is not positive definite (no interior optimum; "
                       "the data do not identify the parameters)");
  const Eigen::Matrix<double, P, P> cov = llt.solve(Eigen::Matrix<double, P, P>::Identity());
  for (int i = 0; i < P; ++i) {
    info.names.emplace_back(names[i]);
    info.estimates.push_back(p[i]);
    const double se_log = std::sqrt(cov(i, i));
    info.standard_errors.push_back(p[i] * se_log);
    info.ci_lower.push_back(std::exp(x[i] - z * se_log));
    info.ci_upper.push_back(std::exp(x[i] + z * se_log));
  }
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return info;
}

/// Minimise -LL/W + pen*sum(p^2) over theta = log p. `ll` is a generic
/// callable: given std::array<S, P> natural parameters (S = double or
/// Dual<P>) it returns the weighted SUM of per-customer log-likelihoods.
template <int P, class LL>
FitInfo fit_log_params(const char* where, const LL& ll, double total_weight,
                       const std::array<double, P>& start, const std::array<const char*, P>& names,
                       const FitOptions& opt, std::size_t n_unique) {
  using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1>;
  using D = Dual<P>;
  const auto t0 = std::chrono::steady_clock::now();
  check_fit_input<P>(where, total_weight, start, opt);

  const double inf = std::numeric_limits<double>::infinity();
  double best_f = inf;
  Vec best_x(P);

  // objective and gradient at theta
  auto eval = [&](const Vec& th, Vec& g) -> double {
    std::array<D, P> p;
    for (int i = 0; i < P; ++i) {
      if (!std::isfinite(th[i]) || std::abs(th[i]) > 300.0) {
        g.setZero();
        return inf;
      }
      p[i] = exp(D::variable(th[i], i));
    }
    const D l = ll(p);
    double f = -l.v / total_weight;
    for (int i = 0; i < P; ++i) {
      f += opt.penalizer_coef * p[i].v * p[i].v;
      g[i] = -l.d[i] / total_weight + 2.0 * opt.penalizer_coef * p[i].v * p[i].v;
    }
    if (!std::isfinite(f) || !g.allFinite()) {
      g.setZero();
      return inf;
    }
    if (f < best_f) {
      best_f = f;
      best_x = th;
    }
    return f;
  };

  Vec x(P);
  for (int i = 0; i < P; ++i) x[i] = std::log(start[i]);
  Vec g(P);
  if (!std::isfinite(eval(x, g)))
    throw InvalidInput(std::string(where) + ": log-likelihood is not finite at the initial parameters");

  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = opt.tolerance * 0.1;
  param.epsilon_rel = 0.0;
  param.max_iterations = opt.max_iterations;
  param.max_linesearch = 60;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  LBFGSpp::LBFGSSolver<double> solver(param);
  int iterations = 0;
  int evaluations = 0;
  auto counted = [&](const Vec& th, Vec& grad) {
    ++evaluations;
    return eval(th, grad);
  };
  double fx = 0.0;
  bool budget_spent = false;
  try {
    iterations = solver.minimize(counted, x, fx);
    budget_spent = iterations >= opt.max_iterations;
  } catch (const std::exception&) {
    // Line search gave up, typically at the floating-point floor near the
    // optimum; the Newton polish below and the convergence test decide.
    iterations = std::min(evaluations, opt.max_iterations);
  }
  x = best_x;

  // Numeric Hessian of the exact gradient (central differences).
  auto hessian = [&](const Vec& at) {
    Eigen::Matrix<double, P, P> H;
    Vec gp(P), gm(P), xx = at;
    for (int j = 0; j < P; ++j) {
      const double h = 1e-5 * std::max(1.0, std::abs(at[j]));
      xx[j] = at[j] + h;
      eval(xx, gp);
      xx[j] = at[j] - h;
      eval(xx, gm);
      xx[j] = at[j];
      H.col(j) = (gp - gm) / (2.0 * h);
    }
    return Eigen::Matrix<double, P, P>(0.5 * (H + H.transpose()));
  };

  // Newton polishing: cheap (P is 2..4) and takes the optimum to the
  // floating-point floor, so published digits are reproducible. The Newton
  // step is also the convergence measure when the gradient cannot get below
  // `tolerance` because of rounding in a sum over many customers: a step of
  // at most `tolerance` in log-parameters means relative parameter error
  // below `tolerance`.
  double f = eval(x, g);
  double newton_step = std::numeric_limits<double>::infinity();
  // (Skipped when L-BFGS used up max_iterations: the caller's cap is honoured
  // and the convergence test below decides.)
  for (int k = 0; k < 20 && !budget_spent && std::isfinite(f); ++k) {
    if (g.template lpNorm<Eigen::Infinity>() <= 1e-2 * opt.tolerance) {
      newton_step = 0.0;
      break;
    }
    const auto H = hessian(x);
    Eigen::LLT<Eigen::Matrix<double, P, P>> llt(H);
    if (llt.info() != Eigen::Success) break;
    Vec step = -llt.solve(g);
    newton_step = step.template lpNorm<Eigen::Infinity>();
    if (newton_step <= 1e-3 * opt.tolerance) break;
    double t = 1.0;
    bool moved = false;
    Vec gn(P);
    for (int ls = 0; ls < 30; ++ls, t *= 0.5) {
      Vec xn = x + t * step;
      const double fn = eval(xn, gn);
      // Near the optimum f is flat to rounding; then a smaller gradient is
      // the better test of progress.
      const bool flat = fn <= f + 1e-13 * std::max(1.0, std::abs(f)) &&
                        gn.template lpNorm<Eigen::Infinity>() < g.template lpNorm<Eigen::Infinity>();
      if (fn < f || flat) {
        x = xn;
        f = fn;
        g = gn;
        moved = true;
        break;
      }
    }
    ++iterations;
    if (!moved) break;
  }
  f = eval(x, g);

  return finish_fit<P>(where, x, f, g.template lpNorm<Eigen::Infinity>(), newton_step, hessian(x),
                       iterations, total_weight, names, opt, n_unique, t0);
}

/// Minimise the same objective as fit_log_params by damped Newton's method on
/// an exact Hessian: `llh(p, g, H)` returns the weighted SUM of
/// log-likelihoods at natural parameters p and sets g, H to its gradient and
/// Hessian in p. Newton converges quadratically, so a fit takes a handful of
/// evaluations, and the Hessian at the optimum gives the standard errors
/// without finite differences. Where the Hessian is not positive definite
/// (far from the optimum) the step is Levenberg-damped towards steepest
/// descent; steps are capped at kMaxStep in log-parameters.
template <int P, class LLH>
FitInfo fit_newton(const char* where, const LLH& llh, double total_weight,
                   const std::array<double, P>& start, const std::array<const char*, P>& names,
                   const FitOptions& opt, std::size_t n_unique) {
  using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1>;
  using VecP = Eigen::Matrix<double, P, 1>;
  using Mat = Eigen::Matrix<double, P, P>;
  constexpr double kMaxStep = 2.0;
  const auto t0 = std::chrono::steady_clock::now();
  check_fit_input<P>(where, total_weight, start, opt);
  const double inf = std::numeric_limits<double>::infinity();

  // objective, its gradient and Hessian in theta = log p
  auto eval = [&](const Vec& th, VecP& G, Mat& Hh) -> double {
    std::array<double, P> p;
    for (int i = 0; i < P; ++i) {
      if (!std::isfinite(th[i]) || std::abs(th[i]) > 300.0) return inf;
      p[i] = std::exp(th[i]);
    }
    VecP g;
    Mat H;
    const double l = llh(p, g, H);
    double f = -l / total_weight;
    for (int i = 0; i < P; ++i) {
      f += opt.penalizer_coef * p[i] * p[i];
      G[i] = -p[i] * g[i] / total_weight + 2.0 * opt.penalizer_coef * p[i] * p[i];
      for (int j = 0; j < P; ++j) Hh(i, j) = -p[i] * p[j] * H(i, j) / total_weight;
      Hh(i, i) += -p[i] * g[i] / total_weight + 4.0 * opt.penalizer_coef * p[i] * p[i];
    }
    if (!std::isfinite(f) || !G.allFinite() || !Hh.allFinite()) return inf;
    return f;
  };

  Vec x(P);
  for (int i = 0; i < P; ++i) x[i] = std::log(start[i]);
  VecP G, Gn;
  Mat Hh, Hn;
  double f = eval(x, G, Hh);
  if (!std::isfinite(f))
    throw InvalidInput(std::string(where) + ": log-likelihood is not finite at the initial parameters");

  int iterations = 0;
  double newton_step = inf;
  while (iterations < opt.max_iterations) {
    if (G.template lpNorm<Eigen::Infinity>() <= 1e-2 * opt.tolerance) {
      newton_step = 0.0;
      break;
    }
    // Newton step, or the Levenberg-damped one while H is indefinite
    VecP step = VecP::Zero();
    double lambda = 0.0;
    bool solved = false;
    const double scale = std::max(1.0, Hh.diagonal().cwiseAbs().maxCoeff());
    for (int k = 0; k < 40 && !solved; ++k) {
      Eigen::LLT<Mat> llt(Hh + lambda * Mat::Identity());
      if (llt.info() == Eigen::Success) {
        step = -llt.solve(G);
        solved = step.allFinite();
      }
      if (!solved) lambda = lambda == 0.0 ? 1e-6 * scale : 10.0 * lambda;
    }
    if (!solved) break;
    const double norm = step.template lpNorm<Eigen::Infinity>();
    newton_step = lambda == 0.0 ? norm : inf;
    if (newton_step <= 1e-3 * opt.tolerance) break;
    if (norm > kMaxStep) step *= kMaxStep / norm;
    double t = 1.0;
    bool moved = false;
    for (int ls = 0; ls < 40; ++ls, t *= 0.5) {
      const Vec xn = x + t * step;
      const double fn = eval(xn, Gn, Hn);
      // Near the optimum f is flat to rounding; then a smaller gradient is
      // the better test of progress.
      const bool flat = fn <= f + 1e-13 * std::max(1.0, std::abs(f)) &&
                        Gn.template lpNorm<Eigen::Infinity>() < G.template lpNorm<Eigen::Infinity>();
      if (fn < f || flat) {
        x = xn;
        f = fn;
        G = Gn;
        Hh = Hn;
        moved = true;
        break;
      }
    }
    ++iterations;
    if (!moved) break;
  }
  return finish_fit<P>(where, x, f, G.template lpNorm<Eigen::Infinity>(), newton_step, Hh, iterations,
                       total_weight, names, opt, n_unique, t0);
}

}  // namespace detail
}  // namespace leadscore::churn
