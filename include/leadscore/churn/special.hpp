#pragma once
// Numerical building blocks shared by the BTYD models:
//  * Dual<N>      forward-mode dual numbers, so every log-likelihood is written
//                 once (templated on the scalar) and yields its exact gradient;
//  * log-space helpers (log-sum-exp, log(e^a - e^b), thread-safe lgamma);
//  * hyp2f1       the Gaussian hypergeometric function 2F1(a,b;c;z), 0 <= z < 1,
//                 with a quadrature switch for the Pareto/NBD case c = a + 1
//                 when z is close to 1 and the power series converges slowly;
//  * memos        for batch predictions over data whose (x, t_x, T) repeat.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

namespace leadscore::churn {

// ---------------------------------------------------------------------------
// Dual numbers: value + N partial derivatives.
// ---------------------------------------------------------------------------

template <int N>
struct Dual {
  double v = 0.0;
  double d[N] = {};

  Dual() = default;
  Dual(double value) : v(value) {}  // NOLINT: implicit by design (constants)
  static Dual variable(double value, int i) {
    Dual x(value);
    x.d[i] = 1.0;
    return x;
  }

  Dual& operator+=(const Dual& o) {
    v += o.v;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  Dual& operator-=(const Dual& o) {
    v -= o.v;
    for (int i = 0; i < N; ++i) d[i] -= o.d[i];
    return *this;
  }
  Dual& operator*=(const Dual& o) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * o.v + v * o.d[i];
    v *= o.v;
    return *this;
  }
  Dual& operator/=(const Dual& o) {
    const double inv = 1.0 / o.v;
    const double q = v * inv;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - q * o.d[i]) * inv;
    v = q;
    return *this;
  }
};

template <int N> Dual<N> operator+(Dual<N> a, const Dual<N>& b) { return a += b; }
template <int N> Dual<N> operator-(Dual<N> a, const Dual<N>& b) { return a -= b; }
template <int N> Dual<N> operator*(Dual<N> a, const Dual<N>& b) { return a *= b; }
template <int N> Dual<N> operator/(Dual<N> a, const Dual<N>& b) { return a /= b; }
template <int N> Dual<N> operator+(Dual<N> a, double b) { a.v += b; return a; }
template <int N> Dual<N> operator+(double b, Dual<N> a) { a.v += b; return a; }
template <int N> Dual<N> operator-(Dual<N> a, double b) { a.v -= b; return a; }
template <int N> Dual<N> operator-(double b, const Dual<N>& a) {
  Dual<N> r;
  r.v = b - a.v;
  for (int i = 0; i < N; ++i) r.d[i] = -a.d[i];
  return r;
}
template <int N> Dual<N> operator-(const Dual<N>& a) { return 0.0 - a; }
template <int N> Dual<N> operator*(Dual<N> a, double b) {
  a.v *= b;
  for (int i = 0; i < N; ++i) a.d[i] *= b;
  return a;
}
template <int N> Dual<N> operator*(double b, Dual<N> a) { return a * b; }
template <int N> Dual<N> operator/(Dual<N> a, double b) { return a * (1.0 / b); }
template <int N> Dual<N> operator/(double b, const Dual<N>& a) { return Dual<N>(b) / a; }
template <int N> bool operator<(const Dual<N>& a, const Dual<N>& b) { return a.v < b.v; }
template <int N> bool operator>(const Dual<N>& a, const Dual<N>& b) { return a.v > b.v; }

namespace detail {
template <int N>
Dual<N> chain(const Dual<N>& x, double fx, double dfx) {
  Dual<N> r;
  r.v = fx;
  for (int i = 0; i < N; ++i) r.d[i] = dfx * x.d[i];
  return r;
}
}  // namespace detail

template <int N> Dual<N> log(const Dual<N>& x) { return detail::chain(x, std::log(x.v), 1.0 / x.v); }
template <int N> Dual<N> log1p(const Dual<N>& x) {
  return detail::chain(x, std::log1p(x.v), 1.0 / (1.0 + x.v));
}
template <int N> Dual<N> exp(const Dual<N>& x) {
  const double e = std::exp(x.v);
  return detail::chain(x, e, e);
}
template <int N> Dual<N> expm1(const Dual<N>& x) {
  return detail::chain(x, std::expm1(x.v), std::exp(x.v));
}
template <int N> Dual<N> sqrt(const Dual<N>& x) {
  const double s = std::sqrt(x.v);
  return detail::chain(x, s, 0.5 / s);
}

/// Plain value of a double or a Dual.
inline double value_of(double x) { return x; }
template <int N> double value_of(const Dual<N>& x) { return x.v; }

// ---------------------------------------------------------------------------
// Log-gamma / log-beta, thread-safe (std::lgamma writes the global signgam).
// ---------------------------------------------------------------------------

inline double lgam(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}
template <int N> Dual<N> lgam(const Dual<N>& x) {
  return detail::chain(x, lgam(x.v), boost::math::digamma(x.v));
}
template <class S> S lbeta(const S& a, const S& b) { return lgam(a) + lgam(b) - lgam(a + b); }

// ---------------------------------------------------------------------------
// Log-space arithmetic.
// ---------------------------------------------------------------------------

/// log(e^a + e^b) without overflow.
template <class S> S log_add_exp(const S& a, const S& b) {
  using std::exp;
  using std::log1p;
  if (value_of(a) < value_of(b)) return b + log1p(exp(a - b));
  if (value_of(a) == -std::numeric_limits<double>::infinity()) return a;
  return a + log1p(exp(b - a));
}

/// log(e^a - e^b) for a >= b (returns -inf when a == b).
template <class S> S log_sub_exp(const S& a, const S& b) {
  using std::exp;
  using std::expm1;
  using std::log;
  if (value_of(a) == value_of(b)) return S(-std::numeric_limits<double>::infinity());
  return a + log(-expm1(b - a));
}

// ---------------------------------------------------------------------------
// Gaussian hypergeometric function.
// ---------------------------------------------------------------------------

/// 2F1(a,b;c;z) by its power series, for 0 <= z < 1 and c > 0 (the only
/// region the models meet). Terms are summed until they stop changing the sum;
/// with a, b, c > 0 every term is positive, so there is no cancellation and
/// the cost is ~ log(eps)/log(z) terms.
template <class S>
S hyp2f1_series(const S& a, const S& b, const S& c, const S& z, int max_terms = 200000) {
  using std::abs;
  S term(1.0);
  S sum(1.0);
  for (int k = 0; k < max_terms; ++k) {
    const double kk = static_cast<double>(k);
    term *= (a + kk) * (b + kk) / ((c + kk) * (kk + 1.0)) * z;
    sum += term;
    if (std::abs(value_of(term)) <= 1e-17 * std::abs(value_of(sum)) && k > 2) break;
  }
  return sum;
}

/// Width of the customer blocks the batch predictions work on.
inline constexpr int kBlock = 8;

/// out[j] = 2F1(A, B; C[j]; z[j]) for j < kBlock, all lanes advanced together
/// so the compiler can vectorise the term recurrence. Terms go four at a
/// time with one division: 1/(c0 c1 c2 c3) times products of the other three
/// factors gives all four reciprocals (divisions are the bottleneck).
/// Same domain as hyp2f1_series (C[j] > 0); unused lanes should carry z = 0.
inline void hyp2f1_series_block(double A, double B, const double* C, const double* z, double* out,
                                int max_terms = 200000) {
  double term[kBlock], sum[kBlock];
  for (int j = 0; j < kBlock; ++j) {
    term[j] = 1.0;
    sum[j] = 1.0;
  }
  for (int k = 0; k < max_terms; k += 4) {
    const double k0 = static_cast<double>(k);
    const double q0 = (A + k0) * (B + k0) / (k0 + 1.0);
    const double q1 = (A + k0 + 1.0) * (B + k0 + 1.0) / (k0 + 2.0);
    const double q2 = (A + k0 + 2.0) * (B + k0 + 2.0) / (k0 + 3.0);
    const double q3 = (A + k0 + 3.0) * (B + k0 + 3.0) / (k0 + 4.0);
    double worst = 0.0;
    for (int j = 0; j < kBlock; ++j) {
      const double c0 = C[j] + k0, c1 = c0 + 1.0, c2 = c0 + 2.0, c3 = c0 + 3.0;
      const double p01 = c0 * c1, p23 = c2 * c3;
      const double d = z[j] / (p01 * p23);
      double t = term[j], s = sum[j];
      t *= q0 * d * c1 * p23;
      s += t;
      t *= q1 * d * c0 * p23;
      s += t;
      t *= q2 * d * p01 * c3;
      s += t;
      t *= q3 * d * p01 * c2;
      s += t;
      term[j] = t;
      sum[j] = s;
      const double rel = std::abs(t) - 1e-16 * std::abs(s);
      worst = rel > worst ? rel : worst;
    }
    if (worst <= 0.0) break;
  }
  for (int j = 0; j < kBlock; ++j) out[j] = sum[j];
}

namespace detail {

/// Memo for batch predictions that depend on K row values (e.g. (x, T)):
/// real and simulated summaries repeat them heavily, so each distinct key is
/// evaluated once per call. Open addressing on the bit patterns, the value
/// in the slot (one cache line per lookup); at most `max_keys` keys are kept.
template <int K>
class KeyMemo {
 public:
  using Key = std::array<double, K>;

  explicit KeyMemo(std::size_t max_keys) : max_keys_(max_keys) {
    std::size_t cap = 16;
    shift_ = 60;
    while (cap < 2 * max_keys) {
      cap *= 2;
      --shift_;
    }
    Slot empty{};
    empty.bits[0] = kEmpty;
    slots_.assign(cap, empty);
  }

  /// The value slot of `key`: `fresh` says it is new and the caller must fill
  /// it. nullptr when the key is new and the memo is full.
  double* find_or_insert(const Key& key, bool& fresh) {
    std::array<std::uint64_t, K> bits;
    for (int k = 0; k < K; ++k) bits[k] = std::bit_cast<std::uint64_t>(key[k]);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t h = home(key);; h = (h + 1) & mask) {
      Slot& s = slots_[h];
      if (s.bits[0] == kEmpty) {
        if (size_ >= max_keys_) return nullptr;
        ++size_;
        s.bits = bits;
        fresh = true;
        return &s.value;
      }
      bool same = true;
      for (int k = 0; k < K; ++k) same &= s.bits[k] == bits[k];
      if (same) {
        fresh = false;
        return &s.value;
      }
    }
  }

  /// Hint that `key` will be looked up soon (hides the cache miss of a large
  /// memo when issued a few rows ahead).
  void prefetch(const Key& key) const { __builtin_prefetch(&slots_[home(key)]); }

 private:
  // doubles of small integers have all-zero low bits: mix every word into
  // the high bits, which index the table
  std::size_t home(const Key& key) const {
    std::uint64_t mixed = 0;
    for (int k = 0; k < K; ++k) {
      const std::uint64_t b = std::bit_cast<std::uint64_t>(key[k]);
      mixed = (mixed + (b ^ (b >> 32))) * 0x9E3779B97F4A7C15ULL;
    }
    return static_cast<std::size_t>(mixed >> shift_);
  }

  struct Slot {
    std::array<std::uint64_t, K> bits;
    double value;
  };
  // marks an empty slot: a NaN pattern, and keys are validated numbers
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  std::size_t max_keys_, size_ = 0;
  int shift_;  // 64 - log2(table size)
  std::vector<Slot> slots_;
};

/// f(x) memoised for counts x < 256 (frequencies are mostly small integers);
/// x must be a validated count.
template <class F>
class CountMemo {
 public:
  explicit CountMemo(F f) : f_(std::move(f)) { v_.fill(kUnset); }
  double operator()(double x) {
    if (x >= 256.0) return f_(x);
    double& v = v_[static_cast<std::size_t>(x)];
    if (v == kUnset) v = f_(x);
    return v;
  }

 private:
  static constexpr double kUnset = -std::numeric_limits<double>::infinity();
  F f_;
  std::array<double, 256> v_;
};

/// Most distinct pairs a batch prediction memoises (a 192 KiB table).
inline constexpr std::size_t kMemoKeys = 4096;

/// out[i] = core(x[i], T[i]) * factor(i), where the expensive core is
/// evaluated once per distinct (x, T) pair, kBlock pairs at a time by
/// core_block(n, xs, Ts, res). `out` holds each row's pair number in
/// between (-1: not memoised).
template <class CoreBlock, class Factor>
void memoised_product(std::span<const double> x, std::span<const double> T, std::span<double> out,
                      const CoreBlock& core_block, const Factor& factor) {
  KeyMemo<2> memo(std::min(x.size(), kMemoKeys));
  std::vector<double> xk, Tk;  // distinct pairs, in order of first appearance
  for (std::size_t i = 0; i < x.size(); ++i) {
    bool fresh = false;
    double* slot = memo.find_or_insert({x[i], T[i]}, fresh);
    if (slot && fresh) {
      *slot = static_cast<double>(xk.size());
      xk.push_back(x[i]);
      Tk.push_back(T[i]);
    }
    out[i] = slot ? *slot : -1.0;
  }
  std::vector<double> core(xk.size());
  double xs[kBlock], Ts[kBlock], res[kBlock];
  for (std::size_t k0 = 0; k0 < xk.size(); k0 += kBlock)
    core_block(std::min<std::size_t>(kBlock, xk.size() - k0), &xk[k0], &Tk[k0], &core[k0]);
  // rows whose pair did not fit in the memo go kBlock at a time
  std::size_t pending[kBlock];
  std::size_t np = 0;
  auto flush = [&] {
    for (std::size_t j = 0; j < np; ++j) {
      xs[j] = x[pending[j]];
      Ts[j] = T[pending[j]];
    }
    core_block(np, xs, Ts, res);
    for (std::size_t j = 0; j < np; ++j) out[pending[j]] = res[j] * factor(pending[j]);
    np = 0;
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double slot = out[i];
    if (slot >= 0.0) {
      out[i] = core[static_cast<std::size_t>(slot)] * factor(i);
    } else {
      pending[np++] = i;
      if (np == static_cast<std::size_t>(kBlock)) flush();
    }
  }
  if (np > 0) flush();
}

}  // namespace detail

namespace detail {
// 8-point Gauss-Legendre nodes/weights on [-1, 1].
inline constexpr std::array<double, 4> kGlX = {0.1834346424956498, 0.5255324099163290,
                                               0.7966664774136267, 0.9602898564975363};
inline constexpr std::array<double, 4> kGlW = {0.3626837833783620, 0.3137066458778873,
                                               0.2223810344533745, 0.1012285362903763};
}  // namespace detail

/// log 2F1(a, b; a+1; z) for a > 0, b > 0, 0 <= z < 1 -- the form in the
/// Pareto/NBD likelihood (Fader & Hardie note 008, eq. for A0).
///
/// z <= 0.9: power series. z > 0.9 the series needs thousands of terms, so
/// use Euler's integral  2F1(a,b;a+1;z) = a * int_0^1 t^(a-1) (1 - z t)^(-b) dt
/// with composite 8-point Gauss-Legendre on panels graded geometrically
/// towards t = 1 (where (1-zt)^-b and, for large a, t^(a-1) peak) and towards
/// t = 0 (where t^(a-1) is singular for a < 1; the last sliver [0, eps]
/// contributes eps^a to first order, added analytically).
template <class S>
S log_hyp2f1_a1(const S& a, const S& b, const S& z) {
  using std::exp;
  using std::log;
  using std::log1p;
  const double zv = value_of(z);
  if (zv <= 0.9) return log(hyp2f1_series(a, b, a + 1.0, z));

  const double av = value_of(a);
  // The integrand is at most (1-z)^(-b) (at t=1); integrate it scaled by that
  // to stay in range, working with log f = log a + (a-1) log t - b log(1-zt).
  const S log_scale = -b * log1p(-z);
  auto integrand = [&](double t) -> S {
    return exp(log(a) + (a - 1.0) * std::log(t) - b * log1p(-z * t) - log_scale);
  };
  auto panel = [&](double lo, double hi) -> S {
    const double mid = 0.5 * (lo + hi);
    const double half = 0.5 * (hi - lo);
    S acc(0.0);
    for (std::size_t i = 0; i < detail::kGlX.size(); ++i) {
      const double dx = half * detail::kGlX[i];
      acc += detail::kGlW[i] * (integrand(mid - dx) + integrand(mid + dx));
    }
    return acc * half;
  };
  // Resolution needed near t = 1.
  const double width = std::min(1.0 - zv, 1.0 / (av + 1.0)) / 8.0;
  S total(0.0);
  double lo = 0.5, hi = 1.0;
  // towards 1: [1/2,3/4], [3/4,7/8], ... until the panel is fine enough
  double h = 0.25;
  while (h > width && h > 1e-15) {
    total += panel(1.0 - 2.0 * h, 1.0 - h);
    h *= 0.5;
  }
  // remaining [1-2h, 1] split into 8 uniform panels
  {
    const double start = 1.0 - 2.0 * h;
    const double step = (1.0 - start) / 8.0;
    for (int i = 0; i < 8; ++i) total += panel(start + i * step, start + (i + 1) * step);
  }
  // towards 0: [1/4,1/2], [1/8,1/4], ...
  hi = 0.5;
  for (int j = 0; j < 45; ++j) {
    lo = hi * 0.5;
    total += panel(lo, hi);
    hi = lo;
  }
  // sliver [0, hi]: int_0^eps a t^(a-1) dt (1 + O(eps)) = eps^a
  total += exp(a * std::log(hi) - log_scale);
  return log(total) + log_scale;
}

}  // namespace leadscore::churn
