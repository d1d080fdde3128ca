// Platt scaling and isotonic regression; see leadscore/scoring/calibration.hpp.
#include "leadscore/scoring/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/logistic.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {
void check(std::span<const double> score, std::span<const double> y, const char* who) {
  detail::check_targets(y, score.size(), who);
  for (std::size_t i = 0; i < score.size(); ++i)
    if (!std::isfinite(score[i]))
      throw InvalidInput(std::string(who) + ": score of row " + std::to_string(i + 1) +
                         " is not finite");
}
}  // namespace

PlattCalibrator PlattCalibrator::fit(std::span<const double> score, std::span<const double> y) {
  check(score, y, "PlattCalibrator::fit");
  // Platt (1999): targets (n+ + 1)/(n+ + 2) and 1/(n- + 2) against overfitting.
  double pos = 0;
  for (double v : y) pos += v;
  const double neg = static_cast<double>(y.size()) - pos;
  const double hi = (pos + 1) / (pos + 2), lo = 1 / (neg + 2);
  double a = 0, b = std::log((pos + 1) / (neg + 1));
  auto loss = [&](double a_, double b_) {
    double f = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double z = a_ * score[i] + b_, t = y[i] == 1.0 ? hi : lo;
      f += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - t * z;
    }
    return f;
  };
  double f = loss(a, b);
  for (int it = 0; it < 100; ++it) {
    double g1 = 0, g2 = 0, h11 = 1e-12, h12 = 0, h22 = 1e-12;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double p = sigmoid(a * score[i] + b), t = y[i] == 1.0 ? hi : lo, d = p * (1 - p);
      g1 += (p - t) * score[i];
      g2 += p - t;
      h11 += d * score[i] * score[i];
      h12 += d * score[i];
      h22 += d;
    }
    const double det = h11 * h22 - h12 * h12;
    if (std::max(std::abs(g1), std::abs(g2)) < 1e-10 * static_cast<double>(y.size()) || det <= 0)
      break;
    const double da = (h22 * g1 - h12 * g2) / det, db = (h11 * g2 - h12 * g1) / det;
    double t = 1, fn = f;
    for (int k = 0; k < 40; ++k, t *= 0.5) {
      fn = loss(a - t * da, b - t * db);
      if (fn <= f) break;
    }
    if (!(fn <= f)) break;
    a -= t * da;
    b -= t * db;
    const bool done = f - fn < 1e-14 * std::abs(f);
    f = fn;
    if (done) break;
  }
  return {a, b};
}

double PlattCalibrator::apply(double score) const noexcept { return sigmoid(a_ * score + b_); }

void PlattCalibrator::apply(std::span<const double> score, std::span<double> out) const {
  if (out.size() != score.size())
    throw InvalidInput("PlattCalibrator::apply: output size differs from input");
  for (std::size_t i = 0; i < score.size(); ++i) out[i] = apply(score[i]);
}

IsotonicCalibrator::IsotonicCalibrator(std::vector<double> x, std::vector<double> y)
    : x_(std::move(x)), y_(std::move(y)) {
  if (x_.empty() || x_.size() != y_.size())
    throw InvalidInput("IsotonicCalibrator: x and y must be non-empty and of equal size");
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (!std::isfinite(x_[i]) || !(y_[i] >= 0 && y_[i] <= 1))
      throw InvalidInput("IsotonicCalibrator: bad point");
    if (i > 0 && (x_[i] <= x_[i - 1] || y_[i] < y_[i - 1]))
      throw InvalidInput("IsotonicCalibrator: points must increase in x and not decrease in y");
  }
}

IsotonicCalibrator IsotonicCalibrator::fit(std::span<const double> score,
                                           std::span<const double> y) {
  check(score, y, "IsotonicCalibrator::fit");
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // Pool adjacent violators over the distinct scores: blocks of (sum y, weight, x).
  struct Block {
    double sum, weight, x_first, x_last;
  };
  std::vector<Block> blocks;
  for (std::size_t k = 0; k < order.size();) {
    const double s = score[order[k]];
    Block b{0, 0, s, s};
    for (; k < order.size() && score[order[k]] == s; ++k) {
      b.sum += y[order[k]];
      b.weight += 1;
    }
    blocks.push_back(b);
    while (blocks.size() > 1) {
      Block& prev = blocks[blocks.size() - 2];
      const Block& last = blocks.back();
      if (prev.sum / prev.weight < last.sum / last.weight) break;
      prev.sum += last.sum;
      prev.weight += last.weight;
      prev.x_last = last.x_last;
      blocks.pop_back();
    }
  }
  // Each block is flat from its first to its last score.
  std::vector<double> xs, ys;
  for (const Block& b : blocks) {
    const double v = b.sum / b.weight;
    xs.push_back(b.x_first);
    ys.push_back(v);
    if (b.x_last > b.x_first) {
      xs.push_back(b.x_last);
      ys.push_back(v);
    }
  }
  return {std::move(xs), std::move(ys)};
}

double IsotonicCalibrator::apply(double s) const noexcept {
  if (!(s > x_.front())) return y_.front();
  if (s >= x_.back()) return y_.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), s) - x_.begin());
  const std::size_t lo = hi - 1;
  return y_[lo] + (y_[hi] - y_[lo]) * (s - x_[lo]) / (x_[hi] - x_[lo]);
}

void IsotonicCalibrator::apply(std::span<const double> score, std::span<double> out) const {
  if (out.size() != score.size())
    throw InvalidInput("IsotonicCalibrator::apply: output size differs from input");
  for (std::size_t i = 0; i < score.size(); ++i) out[i] = apply(score[i]);
}

}  // namespace leadscore::scoring
