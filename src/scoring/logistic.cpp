// Logistic regression by Newton / IRLS or L-BFGS; see leadscore/scoring/logistic.hpp.
#include "leadscore/scoring/logistic.hpp"

#include <LBFGS.h>
#include <LBFGSB.h>
#include <Eigen/Cholesky>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "leadscore/core/error.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {

using Eigen::Index;
using Eigen::VectorXd;
using Matrix = Eigen::Ref<const Eigen::MatrixXd>;

// log(1 + e^z), without overflow.
double log1pexp(double z) noexcept {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Rows are processed in fixed chunks whose partial sums are added in chunk
// order, so that the result does not depend on how many threads ran them.
constexpr Index kChunk = 1 << 16;

Index chunk_count(Index n) { return std::max<Index>(1, (n + kChunk - 1) / kChunk); }

// Runs fn(chunk, first row, rows) for every chunk, on up to as many threads
// as there are cores (the calling thread included).
template <class Fn>
void for_each_chunk(Index n, Fn&& fn) {
  const Index chunks = chunk_count(n);
  const auto threads = static_cast<Index>(
      std::min<Index>(chunks, std::max(1u, std::thread::hardware_concurrency())));
  std::atomic<Index> next{0};
  auto work = [&] {
    for (Index k; (k = next.fetch_add(1)) < chunks;) {
      const Index s = k * kChunk;
      fn(k, s, std::min(kChunk, n - s));
    }
  };
  std::vector<std::thread> pool;
  for (Index t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// The weighted data term and its pieces at (b, beta): fills z = X beta + b,
// r = w (p - y); returns sum w (log(1 + e^z) - y z).
struct Problem {
  const Matrix& x;
  const VectorXd& y;
  const VectorXd& w;
  double l2;
  bool intercept;
  mutable VectorXd z, r;

  // Objective and gradient over theta = (b, beta), in one pass over the rows.
  double objective(const VectorXd& theta, VectorXd& grad) const {
    const Index n = x.rows(), p = theta.size() - 1;
    const double b = intercept ? theta[0] : 0.0;
    const VectorXd beta = theta.tail(p);
    z.resize(n);
    r.resize(n);
    const Index chunks = chunk_count(n);
    Eigen::MatrixXd part(p + 2, chunks);  // per chunk: gradient, then loss
    for_each_chunk(n, [&](Index k, Index s, Index len) {
      auto zs = z.segment(s, len);
      auto rs = r.segment(s, len);
      zs.noalias() = x.middleRows(s, len) * beta;
      double loss = 0;
      for (Index i = s; i < s + len; ++i) {
        z[i] += b;
        loss += w[i] * (log1pexp(z[i]) - y[i] * z[i]);
        r[i] = w[i] * (sigmoid(z[i]) - y[i]);
      }
      auto pk = part.col(k);
      pk[0] = rs.sum();
      pk.segment(1, p).noalias() = x.middleRows(s, len).transpose() * rs;
      pk[p + 1] = loss;
    });
    grad = part.topRows(p + 1).rowwise().sum();
    if (!intercept) grad[0] = 0.0;
    grad.tail(p) += l2 * beta;
    return part.row(p + 1).sum() + 0.5 * l2 * beta.squaredNorm();
  }
};

void check_inputs(const Matrix& x, std::span<const double> y, std::span<const double> weights,
                  const LogisticConfig& c) {
  const auto n = static_cast<std::size_t>(x.rows());
  if (n == 0) throw InvalidInput("LogisticModel::fit: no rows");
  detail::check_targets(y, n, "LogisticModel::fit");
  if (!weights.empty() && weights.size() != n)
    throw InvalidInput("LogisticModel::fit: " + std::to_string(weights.size()) + " weights for " +
                       std::to_string(n) + " rows");
  for (std::size_t i = 0; i < weights.size(); ++i)
    if (!(weights[i] >= 0) || std::isinf(weights[i]))
      throw InvalidInput("LogisticModel::fit: weight of row " + std::to_string(i + 1) +
                         " is not a finite number >= 0");
  if (!(c.l2 >= 0) || std::isinf(c.l2))
    throw InvalidInput("LogisticModel::fit: l2 must be a finite number >= 0");
  if (!(c.l1 >= 0) || std::isinf(c.l1))
    throw InvalidInput("LogisticModel::fit: l1 must be a finite number >= 0");
  if (!(c.positive_weight > 0) || !(c.negative_weight > 0))
    throw InvalidInput("LogisticModel::fit: class weights must be > 0");
  if (c.max_iterations < 1) throw InvalidInput("LogisticModel::fit: max_iterations must be >= 1");
  if (!(c.tolerance > 0)) throw InvalidInput("LogisticModel::fit: tolerance must be > 0");
  if (x.allFinite()) return;
  for (Index j = 0; j < x.cols(); ++j)
    for (Index i = 0; i < x.rows(); ++i)
      if (!std::isfinite(x(i, j)))
        throw InvalidInput("LogisticModel::fit: feature " + std::to_string(j) + " of row " +
                           std::to_string(i + 1) + " is not finite");
}

// Newton's method with a backtracking line search; the Hessian is summed
// over blocks of rows so that no n x p temporary is made.
void newton(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
            double gtol) {
  const Index n = pr.x.rows(), p = pr.x.cols();
  VectorXd grad;
  double f = pr.objective(theta, grad);
  Eigen::MatrixXd h(p + 1, p + 1);
  VectorXd d(n), root(n);
  for (rep.iterations = 0; rep.iterations < c.max_iterations; ++rep.iterations) {
    rep.gradient_norm = grad.cwiseAbs().maxCoeff();
    if (rep.gradient_norm <= gtol) break;
    // H = X^T diag(d) X, summed per chunk (lower triangle) in sub-blocks of
    // rows so that no n x p temporary is made.
    std::vector<Eigen::MatrixXd> parts(static_cast<std::size_t>(chunk_count(n)));
    for_each_chunk(n, [&](Index k, Index s, Index len) {
      Eigen::MatrixXd& hk = parts[static_cast<std::size_t>(k)];
      hk.setZero(p + 1, p + 1);
      Eigen::MatrixXd block;
      constexpr Index kBlock = 4096;
      for (Index t = s; t < s + len; t += kBlock) {
        const Index m = std::min(kBlock, s + len - t);
        for (Index i = t; i < t + m; ++i) {
          const double q = sigmoid(pr.z[i]);
          d[i] = pr.w[i] * q * (1 - q);
          root[i] = std::sqrt(d[i]);
        }
        const auto xb = pr.x.middleRows(t, m);
        block = xb.array().colwise() * root.segment(t, m).array();
        hk.bottomRightCorner(p, p).selfadjointView<Eigen::Lower>().rankUpdate(block.transpose());
        hk.block(1, 0, p, 1).noalias() += xb.transpose() * d.segment(t, m);
      }
    });
    h.setZero();
    for (const auto& hk : parts) h += hk;
    h(0, 0) = pr.intercept ? d.sum() : 1.0;
    if (!pr.intercept) h.block(1, 0, p, 1).setZero();
    h.bottomRightCorner(p, p).diagonal().array() += pr.l2 + 1e-12;
    VectorXd g = grad;
    if (!pr.intercept) g[0] = 0;
    const VectorXd step = h.selfadjointView<Eigen::Lower>().ldlt().solve(g);
    double t = 1.0, fnew = f;
    VectorXd trial, gnew;
    const double slope = -g.dot(step);
    for (int k = 0; k < 50; ++k, t *= 0.5) {
      trial = theta - t * step;
      fnew = pr.objective(trial, gnew);
      if (fnew <= f + 1e-4 * t * slope) break;
    }
    if (!(fnew <= f)) break;  // no progress is possible in floating point
    const bool stalled = f - fnew <= 1e-15 * std::abs(f);
    theta = trial;
    grad = gnew;
    f = fnew;
    if (stalled) {
      ++rep.iterations;
      rep.gradient_norm = grad.cwiseAbs().maxCoeff();
      break;
    }
  }
  // The last objective() call may have been a rejected trial: recompute.
  rep.loss = pr.objective(theta, grad);
  rep.gradient_norm = grad.cwiseAbs().maxCoeff();
  rep.converged = rep.gradient_norm <= gtol * 10;
}

void lbfgs(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
           double gtol) {
  const double scale = 1.0 / std::max(1.0, pr.w.sum());
  auto f = [&](const VectorXd& th, VectorXd& g) {
    const double v = pr.objective(th, g);
    g *= scale;
    return v * scale;
  };
  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = gtol * scale;
  param.epsilon_rel = 0;
  param.past = 1;
  param.delta = 1e-14;
  param.max_iterations = c.max_iterations;
  param.max_linesearch = 60;
  LBFGSpp::LBFGSSolver<double> solver(param);
  double fx = 0;
  try {
    rep.iterations = solver.minimize(f, theta, fx);
  } catch (const std::exception&) {
    rep.iterations = c.max_iterations;  // line search failed: keep the best point, report below
  }
  VectorXd grad;
  rep.loss = pr.objective(theta, grad);
  rep.gradient_norm = grad.cwiseAbs().maxCoeff();
  rep.converged = rep.gradient_norm <= gtol * 10;
}

// L1: beta = u - v with u, v >= 0, by L-BFGS-B.
void lbfgsb_l1(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
               double gtol) {
  const Index p = theta.size() - 1;
  const double scale = 1.0 / std::max(1.0, pr.w.sum());
  VectorXd uv = VectorXd::Zero(1 + 2 * p), lb = VectorXd::Zero(1 + 2 * p),
           ub = VectorXd::Constant(1 + 2 * p, std::numeric_limits<double>::infinity());
  uv[0] = theta[0];
  lb[0] = -std::numeric_limits<double>::infinity();
  uv.segment(1, p) = theta.tail(p).cwiseMax(0.0);
  uv.tail(p) = (-theta.tail(p)).cwiseMax(0.0);
  VectorXd th(p + 1), g;
  auto f = [&](const VectorXd& z, VectorXd& grad) {
    th[0] = z[0];
    th.tail(p) = z.segment(1, p) - z.tail(p);
    double v = pr.objective(th, g) + c.l1 * z.tail(2 * p).sum();
    grad.resize(z.size());
    grad[0] = g[0];
    grad.segment(1, p) = g.tail(p).array() + c.l1;
    grad.tail(p) = -g.tail(p).array() + c.l1;
    grad *= scale;
    return v * scale;
  };
  LBFGSpp::LBFGSBParam<double> param;
  param.epsilon = gtol * scale;
  param.epsilon_rel = 0;
  param.past = 1;
  param.delta = 1e-14;
  param.max_iterations = std::max(c.max_iterations, 500);
  param.max_linesearch = 60;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  double fx = 0;
  try {
    rep.iterations = solver.minimize(f, uv, fx, lb, ub);
  } catch (const std::exception&) {
    rep.iterations = param.max_iterations;
  }
  theta[0] = uv[0];
  theta.tail(p) = uv.segment(1, p) - uv.tail(p);
  // Projected gradient of the L1 problem: 0 at the optimum.
  rep.loss = pr.objective(theta, g) + c.l1 * theta.tail(p).lpNorm<1>();
  double worst = std::abs(g[0]);
  for (Index j = 0; j < p; ++j) {
    const double b = theta[j + 1], gj = g[j + 1];
    const double pg = b > 0 ? gj + c.l1 : b < 0 ? gj - c.l1 : std::max(0.0, std::abs(gj) - c.l1);
    worst = std::max(worst, std::abs(pg));
  }
  rep.gradient_norm = worst;
  rep.converged = worst <= std::max(gtol * 10, 1e-5 / scale);
}

}  // namespace

double sigmoid(double z) noexcept {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

LogisticModel::LogisticModel(Eigen::VectorXd coefficients, double intercept, FitReport report)
    : coefficients_(std::move(coefficients)), intercept_(intercept), report_(std::move(report)) {
  if (!std::isfinite(intercept_) || !coefficients_.allFinite())
    throw InvalidInput("LogisticModel: coefficients must be finite");
}

LogisticModel LogisticModel::fit(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                 std::span<const double> y, const LogisticConfig& config,
                                 std::span<const double> weights) {
  const auto start = std::chrono::steady_clock::now();
  check_inputs(x, y, weights, config);
  const Index n = x.rows(), p = x.cols();
  VectorXd yv = Eigen::Map<const VectorXd>(y.data(), n);
  double pos = yv.sum(), neg = static_cast<double>(n) - pos;
  double wp = config.positive_weight, wn = config.negative_weight;
  if (config.balanced) {
    wp *= static_cast<double>(n) / (2 * pos);
    wn *= static_cast<double>(n) / (2 * neg);
  }
  VectorXd w(n);
  for (Index i = 0; i < n; ++i)
    w[i] =
        (yv[i] == 1.0 ? wp : wn) * (weights.empty() ? 1.0 : weights[static_cast<std::size_t>(i)]);
  if (!(w.sum() > 0)) throw InvalidInput("LogisticModel::fit: all weights are 0");

  const Problem problem{x, yv, w, config.l2, config.fit_intercept, {}, {}};
  VectorXd theta = VectorXd::Zero(p + 1);
  if (config.fit_intercept) {
    const double wpos = (w.array() * yv.array()).sum();
    theta[0] = std::log(wpos / (w.sum() - wpos));
  }
  const double gtol = config.tolerance * std::max(1.0, w.sum());
  FitReport rep;
  rep.rows = static_cast<std::size_t>(n);
  if (config.l1 > 0) {
    rep.solver = "lbfgsb";
    lbfgsb_l1(problem, config, theta, rep, gtol);
  } else if (config.solver == Solver::lbfgs) {
    rep.solver = "lbfgs";
    lbfgs(problem, config, theta, rep, gtol);
  } else {
    rep.solver = "newton";
    newton(problem, config, theta, rep, gtol);
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!theta.allFinite())
    throw NotConverged(
        "LogisticModel::fit: the fit diverged (are the classes separable? raise l2)");
  return LogisticModel(theta.tail(p), theta[0], rep);
}

void LogisticModel::decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                      std::span<double> out) const {
  if (x.cols() != coefficients_.size())
    throw InvalidInput("LogisticModel: " + std::to_string(x.cols()) + " features, the model has " +
                       std::to_string(coefficients_.size()));
  if (out.size() != static_cast<std::size_t>(x.rows()))
    throw InvalidInput("LogisticModel: output has " + std::to_string(out.size()) + " entries for " +
                       std::to_string(x.rows()) + " rows");
  Eigen::Map<VectorXd> z(out.data(), x.rows());
  z.noalias() = x * coefficients_;
  z.array() += intercept_;
}

void LogisticModel::predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                  std::span<double> out) const {
  decision_function(x, out);
  for (double& v : out) v = sigmoid(v);
}

double LogisticModel::predict_proba(std::span<const double> row) const {
  if (row.size() != static_cast<std::size_t>(coefficients_.size()))
    throw InvalidInput("LogisticModel: " + std::to_string(row.size()) +
                       " features, the model has " + std::to_string(coefficients_.size()));
  return sigmoid(intercept_ +
                 Eigen::Map<const VectorXd>(row.data(), coefficients_.size()).dot(coefficients_));
}

}  // namespace leadscore::scoring
