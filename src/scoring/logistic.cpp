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
#include <random>
#include <thread>
#include <vector>

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {

using Eigen::Index;
using Eigen::VectorXd;
using Matrix = Eigen::Ref<const Eigen::MatrixXd>;

// Rows are processed in fixed chunks whose partial sums are added in chunk
// order, so that the result does not depend on how many threads ran them.
// (Hessians, p times more work per row, use smaller chunks so that a
// sample's also runs on all cores.)
constexpr Index kChunk = 1 << 16, kHessianChunk = 1 << 13;

Index chunk_count(Index n, Index chunk = kChunk) {
  return std::max<Index>(1, (n + chunk - 1) / chunk);
}

// Runs fn(chunk, first row, rows) for every chunk, on up to as many threads
// as there are cores (the calling thread included).
template <class Fn>
void for_each_chunk(Index n, Index chunk, Fn&& fn) {
  const auto chunks = static_cast<std::size_t>(chunk_count(n, chunk));
  leadscore::detail::parallel_for(chunks, leadscore::detail::hardware_threads(),
                                  [&](std::size_t k) {
                                    const Index s = static_cast<Index>(k) * chunk;
                                    fn(static_cast<Index>(k), s, std::min(chunk, n - s));
                                  });
}

// z[i] += sum over k < G of beta[k] x[i + k * stride]: G columns of a block
// added in one sweep over z.
template <int G>
void add_columns(const double* x, Index stride, const double* beta, Index m, double* z) {
  double bk[G];
  for (int k = 0; k < G; ++k) bk[k] = beta[k];
  for (Index i = 0; i < m; ++i) {
    double acc = z[i];
    for (int k = 0; k < G; ++k) acc += bk[k] * x[i + k * stride];
    z[i] = acc;
  }
}

using AddColumns = void (*)(const double*, Index, const double*, Index, double*);
constexpr AddColumns kAddColumns[] = {
    nullptr,        add_columns<1>, add_columns<2>, add_columns<3>, add_columns<4>, add_columns<5>,
    add_columns<6>, add_columns<7>, add_columns<8>, add_columns<9>, add_columns<10>};

// z[i] = b + x_i . beta for rows [s, s + m) of a column-major x. The columns
// are added in near-equal groups of at most 10, each in one sweep over z
// (which stays in the cache), so that x is read from memory once, in order,
// and z swept as few times as possible (Eigen's matrix-vector product runs at
// a third of the memory bandwidth here).
void linear_predictor(const Matrix& x, const VectorXd& beta, double b, Index s, Index m,
                      double* z) {
  constexpr Index kGroup = 10;
  const Index p = x.cols(), stride = x.outerStride();
  std::fill(z, z + m, b);
  const Index groups = (p + kGroup - 1) / kGroup;
  for (Index g = 0, j = 0; g < groups; ++g) {
    const Index size = p / groups + (g < p % groups ? 1 : 0);
    const double* c = x.data() + s + j * stride;
    const double* bj = beta.data() + j;
    kAddColumns[size](c, stride, bj, m, z);
    j += size;
  }
}

// Rows per block inside a chunk: a block of every column (about 256 KB) stays
// in the core's cache between the two products of one evaluation, so an
// evaluation reads the matrix from memory once.
Index block_rows(Index p) { return std::max<Index>(8, (32768 / std::max<Index>(p, 1)) / 8 * 8); }

// Throws for the first non-finite value of x, column by column.
void check_finite(const Matrix& x) {
  for (Index j = 0; j < x.cols(); ++j)
    for (Index i = 0; i < x.rows(); ++i)
      if (!std::isfinite(x(i, j)))
        throw InvalidInput("LogisticModel::fit: feature " + std::to_string(j) + " of row " +
                           std::to_string(i + 1) + " is not finite");
}

// The weighted data term and its pieces at (b, beta): fills z = X beta + b,
// r = w (p - y); returns sum w (log(1 + e^z) - y z). The values of x are
// checked on the way: a non-finite value makes z non-finite, and then x is
// searched for it (once).
struct Problem {
  const Matrix& x;
  const VectorXd& y;
  const VectorXd& w;
  double l2;
  bool intercept;
  mutable VectorXd z, r;
  mutable int passes = 0;  // evaluations over all rows
  mutable bool checked = false;

  // Objective and gradient over theta = (b, beta), in one pass over the rows.
  double objective(const VectorXd& theta, VectorXd& grad) const {
    const Index n = x.rows(), p = theta.size() - 1;
    const double b = intercept ? theta[0] : 0.0;
    const VectorXd beta = theta.tail(p);
    z.resize(n);
    r.resize(n);
    const Index chunks = chunk_count(n), rows = block_rows(p);
    Eigen::MatrixXd part(p + 2, chunks);  // per chunk: gradient, then loss
    std::vector<char> finite(static_cast<std::size_t>(chunks), 1);
    for_each_chunk(n, kChunk, [&](Index k, Index s, Index len) {
      auto pk = part.col(k);
      pk.setZero();
      double loss = 0;
      Eigen::ArrayXd e(rows);
      for (Index t = s; t < s + len; t += rows) {
        const Index m = std::min(rows, s + len - t);
        const auto xb = x.middleRows(t, m);
        auto zs = z.segment(t, m);
        auto rs = r.segment(t, m);
        linear_predictor(x, beta, b, t, m, zs.data());
        if (!zs.allFinite()) finite[static_cast<std::size_t>(k)] = 0;
        // Vectorized: e = exp(-|z|) gives log(1 + e^z) = max(z, 0) + log(1 + e)
        // and the sigmoid, with one exp and one log per row.
        const auto za = zs.array();
        const auto ys = y.segment(t, m).array(), ws = w.segment(t, m).array();
        e.head(m) = (-za.abs()).exp();
        loss += (ws * (za.max(0.0) + (1.0 + e.head(m)).log() - ys * za)).sum();
        rs.array() = ws * ((za >= 0).select(1.0, e.head(m)) / (1.0 + e.head(m)) - ys);
        pk[0] += rs.sum();
        pk.segment(1, p).noalias() += xb.transpose() * rs;
      }
      pk[p + 1] = loss;
    });
    ++passes;
    if (!checked && beta.allFinite() && std::isfinite(b)) {
      if (std::find(finite.begin(), finite.end(), 0) != finite.end()) check_finite(x);
      checked = true;
    }
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
  // The values of x are checked by the first pass over them (Problem).
}

// The data term's Hessian X^T diag(w q (1 - q)) X at the problem's last
// evaluation (pr.z), over theta = (b, beta): lower triangle, no penalty.
// Summed per chunk in sub-blocks of rows, so that no n x p temporary is made.
Eigen::MatrixXd data_hessian(const Problem& pr) {
  const Index n = pr.x.rows(), p = pr.x.cols();
  VectorXd d(n), root(n);
  // At most about 16 chunks: each holds a (p + 1)^2 matrix.
  const Index chunk = std::max(kHessianChunk, n / 16);
  std::vector<Eigen::MatrixXd> parts(static_cast<std::size_t>(chunk_count(n, chunk)));
  for_each_chunk(n, chunk, [&](Index k, Index s, Index len) {
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
      hk(0, 0) += d.segment(t, m).sum();
    }
  });
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(p + 1, p + 1);
  for (const auto& hk : parts) h += hk;
  return h;
}

// The factorized Hessian of the penalized objective, from the data term's
// Hessian h (lower triangle) times `scale`.
using Factor = Eigen::LDLT<Eigen::MatrixXd, Eigen::Lower>;
Factor penalized_hessian(const Problem& pr, Eigen::MatrixXd h, double scale) {
  const Index p = pr.x.cols();
  h *= scale;
  if (!pr.intercept) {
    h(0, 0) = 1.0;
    h.block(1, 0, p, 1).setZero();
  }
  h.bottomRightCorner(p, p).diagonal().array() += pr.l2 + 1e-12;
  return Factor(h);
}

// The Newton step for gradient g.
VectorXd newton_step(const Problem& pr, const Factor& h, VectorXd g) {
  if (!pr.intercept) g[0] = 0;
  return h.solve(g);
}

// A backtracking line search from theta along -step: each trial is one pass
// over the rows. Accepts sufficient decrease, or, once the objective no longer
// changes in floating point, a smaller gradient. Returns false when no trial
// is accepted (theta, f and grad are then left as they were).
bool line_search(const Problem& pr, const VectorXd& step, VectorXd& theta, double& f,
                 VectorXd& grad) {
  const double slope = -grad.dot(step), gmax = grad.cwiseAbs().maxCoeff();
  VectorXd trial, gnew;
  double t = 1.0;
  for (int k = 0; k < 50; ++k, t *= 0.5) {
    trial = theta - t * step;
    const double fnew = pr.objective(trial, gnew);
    const bool decrease = fnew <= f + 1e-4 * t * slope;
    const bool flat =
        std::abs(fnew - f) <= 1e-13 * std::abs(f) && gnew.cwiseAbs().maxCoeff() < gmax;
    if (decrease || flat) {
      theta = trial;
      f = fnew;
      grad = gnew;
      return true;
    }
  }
  return false;
}

// Newton's method with a backtracking line search; each iteration makes one
// Hessian (a pass over the rows) and one or more objective passes.
void newton(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
            double gtol) {
  VectorXd grad;
  double f = pr.objective(theta, grad);
  const int start = rep.iterations;
  for (; rep.iterations - start < c.max_iterations; ++rep.iterations) {
    rep.gradient_norm = grad.cwiseAbs().maxCoeff();
    if (rep.gradient_norm <= gtol) break;
    // pr.z holds the evaluation at theta here (a failed search returns early).
    const VectorXd step = newton_step(pr, penalized_hessian(pr, data_hessian(pr), 1.0), grad);
    // The accepted trial is the last evaluation: pr.z then belongs to theta.
    if (!line_search(pr, step, theta, f, grad)) break;  // no progress in floating point
  }
  rep.loss = f;
  rep.gradient_norm = grad.cwiseAbs().maxCoeff();
  rep.converged = rep.gradient_norm <= gtol * 10;
}

// Rows at or above which newton_sampled() is used, for p features.
Index sample_rows(Index p) { return std::max<Index>(16384, 256 * p); }

// Newton's method for many rows. A seeded sample of the rows (runs of 8
// adjacent rows: one cache line of each column) is fitted first, by newton()
// with the penalty scaled to the sample's share of the weight. Then each
// iteration on all rows takes the exact gradient in one pass and steps with
// the sample's Hessian at the sample's optimum, scaled up to all rows and
// factorized once; the line search checks each step on all rows. This
// converges (linearly, at a rate about the relative error of the sample's
// Hessian) to the same optimum and stops on the same gradient test as
// newton(), which takes over should a step fail or a class be missing from
// the sample.
void newton_sampled(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
                    double gtol) {
  const Index n = pr.x.rows(), p = pr.x.cols();
  std::mt19937_64 gen(20261124);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double share_of_rows = static_cast<double>(sample_rows(p)) / static_cast<double>(n);
  std::vector<Index> rows;
  for (Index k = 0; k + 8 <= n; k += 8)
    if (uniform(gen) < share_of_rows)
      for (Index i = k; i < k + 8; ++i) rows.push_back(i);
  const auto m = static_cast<Index>(rows.size());
  Eigen::MatrixXd xs(m, p);
  VectorXd ys(m), ws(m);
  for (Index j = 0; j < p; ++j)
    for (Index k = 0; k < m; ++k) xs(k, j) = pr.x(rows[static_cast<std::size_t>(k)], j);
  for (Index k = 0; k < m; ++k) {
    ys[k] = pr.y[rows[static_cast<std::size_t>(k)]];
    ws[k] = pr.w[rows[static_cast<std::size_t>(k)]];
  }
  const double wpos = (ws.array() * ys.array()).sum();
  if (!xs.allFinite()) check_finite(pr.x);  // throws with the row in x
  const VectorXd start = theta;
  if (wpos > 0 && wpos < ws.sum()) {
    const double share = ws.sum() / pr.w.sum();
    const Problem sample{xs, ys, ws, pr.l2 * share, pr.intercept, {}, {}};
    FitReport ignored;
    newton(sample, c, theta, ignored, gtol * share);
    if (!theta.allFinite()) theta = start;
    // The sample's Hessian at its optimum: theta moves too little from here
    // on for the Hessian to change more than the sample's error.
    VectorXd grad;
    (void)sample.objective(theta, grad);
    const Factor h = penalized_hessian(pr, data_hessian(sample), 1.0 / share);
    double f = pr.objective(theta, grad);
    for (rep.iterations = 0; rep.iterations < c.max_iterations; ++rep.iterations) {
      rep.gradient_norm = grad.cwiseAbs().maxCoeff();
      if (rep.gradient_norm <= gtol) break;
      if (!line_search(pr, newton_step(pr, h, grad), theta, f, grad)) break;
    }
    rep.gradient_norm = grad.cwiseAbs().maxCoeff();
    if (rep.gradient_norm <= gtol) {
      rep.loss = f;
      rep.converged = true;
      return;
    }
  }
  newton(pr, c, theta, rep, gtol);
}

// The stopping rule both L-BFGS variants share: an absolute gradient
// tolerance (already scaled by the weight total) or no progress in a step.
template <class Param>
Param solver_param(double epsilon, int max_iterations) {
  Param param;
  param.epsilon = epsilon;
  param.epsilon_rel = 0;
  param.past = 1;
  param.delta = 1e-14;
  param.max_iterations = max_iterations;
  param.max_linesearch = 60;
  return param;
}

void lbfgs(const Problem& pr, const LogisticConfig& c, VectorXd& theta, FitReport& rep,
           double gtol) {
  const double scale = 1.0 / std::max(1.0, pr.w.sum());
  auto f = [&](const VectorXd& th, VectorXd& g) {
    const double v = pr.objective(th, g);
    g *= scale;
    return v * scale;
  };
  const auto param = solver_param<LBFGSpp::LBFGSParam<double>>(gtol * scale, c.max_iterations);
  LBFGSpp::LBFGSSolver<double> solver(param);
  double fx = 0;
  try {
    rep.iterations = solver.minimize(f, theta, fx);
  } catch (const Error&) {
    throw;  // a non-finite feature
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
  const auto param =
      solver_param<LBFGSpp::LBFGSBParam<double>>(gtol * scale, std::max(c.max_iterations, 500));
  LBFGSpp::LBFGSBSolver<double> solver(param);
  double fx = 0;
  try {
    rep.iterations = solver.minimize(f, uv, fx, lb, ub);
  } catch (const Error&) {
    throw;
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

// Scoring's input checks: as many features as coefficients, one output per row.
void check_shape(Index rows, Index cols, Index features, std::size_t outputs) {
  if (cols != features)
    throw InvalidInput("LogisticModel: " + std::to_string(cols) + " features, the model has " +
                       std::to_string(features));
  if (outputs != static_cast<std::size_t>(rows))
    throw InvalidInput("LogisticModel: output has " + std::to_string(outputs) + " entries for " +
                       std::to_string(rows) + " rows");
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
    if (n >= 8 * sample_rows(p))
      newton_sampled(problem, config, theta, rep, gtol);
    else
      newton(problem, config, theta, rep, gtol);
  }
  rep.passes = problem.passes;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!theta.allFinite())
    throw NotConverged(
        "LogisticModel::fit: the fit diverged (are the classes separable? raise l2)");
  return LogisticModel(theta.tail(p), theta[0], rep);
}

void LogisticModel::decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                      std::span<double> out) const {
  check_shape(x.rows(), x.cols(), coefficients_.size(), out.size());
  // Row blocks whose log-odds (512 KB) stay in the cache while the columns
  // are added in: the matrix is read from memory once.
  constexpr Index kRows = 65536;
  for (Index s = 0; s < x.rows(); s += kRows)
    linear_predictor(x, coefficients_, intercept_, s, std::min(kRows, x.rows() - s),
                     out.data() + s);
}

void LogisticModel::decision_function(const Eigen::Map<const RowMajorMatrix>& x,
                                      std::span<double> out) const {
  check_shape(x.rows(), x.cols(), coefficients_.size(), out.size());
  // A dot product per row, in order, with four sums (Eigen's row-major
  // matrix-vector product runs at half the memory bandwidth here).
  const Index p = x.cols(), stride = x.outerStride();
  const double* beta = coefficients_.data();
  for (Index i = 0; i < x.rows(); ++i) {
    const double* row = x.data() + i * stride;
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    Index j = 0;
    for (; j + 4 <= p; j += 4) {
      a0 += row[j] * beta[j];
      a1 += row[j + 1] * beta[j + 1];
      a2 += row[j + 2] * beta[j + 2];
      a3 += row[j + 3] * beta[j + 3];
    }
    for (; j < p; ++j) a0 += row[j] * beta[j];
    out[static_cast<std::size_t>(i)] = intercept_ + ((a0 + a1) + (a2 + a3));
  }
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
