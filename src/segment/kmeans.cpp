// k-means: k-means++ seeding, Hamerly's exact iterations, block-parallel;
// see leadscore/segment/kmeans.hpp.
#include "leadscore/segment/kmeans.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {
namespace {

constexpr std::size_t kBlock = 8192;  // rows per unit of parallel work

int thread_count(int wanted) {
  if (wanted > 0) return wanted;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Threads kept for a whole fit: run(n, fn) calls fn(block) for blocks
// 0..n-1 on every thread (the caller's included) and returns when all are
// done, rethrowing the first exception. Starting threads once matters: on a
// busy machine each thread start costs milliseconds, and a fit has hundreds
// of parallel steps.
class BlockPool {
 public:
  explicit BlockPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~BlockPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  void run(std::size_t n_blocks, const std::function<void(std::size_t)>& fn) {
    if (workers_.empty() || n_blocks < 2) {
      for (std::size_t b = 0; b < n_blocks; ++b) fn(b);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      job_ = &fn;
      n_blocks_ = n_blocks;
      next_ = 0;
      busy_ = workers_.size();
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return busy_ == 0; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void drain() {
    try {
      for (std::size_t b = next_++; b < n_blocks_; b = next_++) (*job_)(b);
    } catch (...) {
      std::lock_guard lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
      next_ = n_blocks_;
    }
  }
  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
      }
      drain();
      std::lock_guard lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_, error_mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t n_blocks_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t busy_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

inline double sq_dist(const double* a, const double* b, int d) noexcept {
  double s = 0;
  for (int j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

// Two doubles in one register (SSE2 on x86-64's baseline, NEON on arm64):
// the distance kernels below work on eight centers at a time, two per lane
// pair, with the same operations in the same order as sq_dist, so every
// distance equals sq_dist's to the last bit.
using V2 = double __attribute__((vector_size(16)));
constexpr int kLanes = 8;  // centers per pack chunk

inline V2 vmin(V2 a, V2 b) noexcept { return b < a ? b : a; }

// Points (centers or seeding candidates) stored feature-major in chunks of
// kLanes: chunk q, feature j, lane l = point q * kLanes + l. Lanes past the
// last point are zero, and `pad` adds +inf to their distances.
struct Pack {
  int d = 0, chunks = 0;
  std::vector<V2> v;    // chunks * d * kLanes / 2
  std::vector<V2> pad;  // chunks * kLanes / 2: 0 or +inf
  Pack(const double* points, int count, int d_) : d(d_), chunks((count + kLanes - 1) / kLanes) {
    constexpr std::size_t H = kLanes / 2;
    const auto D = static_cast<std::size_t>(d);
    v.assign(static_cast<std::size_t>(chunks) * D * H, V2{0, 0});
    pad.assign(static_cast<std::size_t>(chunks) * H, V2{0, 0});
    for (std::size_t p = 0; p < static_cast<std::size_t>(chunks) * kLanes; ++p) {
      const std::size_t q = p / kLanes, pair = p % kLanes / 2, lane = p % 2;
      if (p >= static_cast<std::size_t>(count)) {
        pad[q * H + pair][lane] = std::numeric_limits<double>::infinity();
        continue;
      }
      for (std::size_t j = 0; j < D; ++j) v[(q * D + j) * H + pair][lane] = points[p * D + j];
    }
  }
};

// Squared distances from x to the first 2 * USED points of chunk q, as
// USED pairs (USED = 2 when a pack holds at most four points).
template <int DIM, int USED = kLanes / 2>
inline void chunk_dists(const double* x, const Pack& pack, int q, V2* out) noexcept {
  const int d = DIM > 0 ? DIM : pack.d;
  constexpr int H = kLanes / 2;
  const V2* c = pack.v.data() + static_cast<std::size_t>(q) * static_cast<std::size_t>(d) * H;
  V2 a[USED] = {};
  for (int j = 0; j < d; ++j, c += H) {
    const V2 xj = {x[j], x[j]};
    for (int l = 0; l < USED; ++l) {
      const V2 t = xj - c[l];
      a[l] += t * t;
    }
  }
  const V2* pad = pack.pad.data() + static_cast<std::size_t>(q) * H;
  for (int l = 0; l < USED; ++l) out[l] = a[l] + pad[l];
}

// The nearest center (lowest index among equals), its squared distance and
// the second smallest squared distance (+inf with one center). Branch-free
// (the comparisons are as good as random, so branches would mispredict): a
// tournament within each chunk, per lane, then the two lanes merged.
template <int DIM>
inline std::int32_t nearest(const double* x, const Pack& pack, double& d1, double& d2) noexcept {
  V2 m{}, s{}, idx{};
  for (int q = 0; q < pack.chunks; ++q) {
    V2 a[kLanes / 2];
    chunk_dists<DIM>(x, pack, q, a);
    const double b = static_cast<double>(q * kLanes);
    const auto l01 = a[1] < a[0], l23 = a[3] < a[2];
    const V2 m01 = l01 ? a[1] : a[0], s01 = l01 ? a[0] : a[1], i01 = l01 ? V2{b + 2, b + 3} : V2{b, b + 1};
    const V2 m23 = l23 ? a[3] : a[2], s23 = l23 ? a[2] : a[3], i23 = l23 ? V2{b + 6, b + 7} : V2{b + 4, b + 5};
    const auto lt = m23 < m01;
    const V2 cm = lt ? m23 : m01, ci = lt ? i23 : i01, cs = vmin(lt ? m01 : m23, vmin(s01, s23));
    if (q == 0) {
      m = cm, s = cs, idx = ci;
      continue;
    }
    const auto lq = cm < m;
    s = vmin(s, vmin(cs, lq ? m : cm));
    idx = lq ? ci : idx;
    m = lq ? cm : m;
  }
  using I2 = std::int64_t __attribute__((vector_size(16)));
  const V2 m_sw = __builtin_shuffle(m, I2{1, 0}), i_sw = __builtin_shuffle(idx, I2{1, 0}),
           s_sw = __builtin_shuffle(s, I2{1, 0});
  const auto take = (m_sw < m) | ((m_sw == m) & (i_sw < idx));
  const V2 first = take ? m_sw : m, second = vmin(take ? m : m_sw, vmin(s, s_sw)), which = take ? i_sw : idx;
  d1 = first[0];
  d2 = second[0];
  return static_cast<std::int32_t>(which[0]);
}

std::uint64_t splitmix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The data every run works on: transformed rows, contiguous.
struct Data {
  const double* x;
  std::size_t n;
  int d;
  std::size_t n_blocks() const noexcept { return (n + kBlock - 1) / kBlock; }
  std::size_t begin(std::size_t b) const noexcept { return b * kBlock; }
  std::size_t end(std::size_t b) const noexcept { return std::min(n, (b + 1) * kBlock); }
  const double* row(std::size_t i) const noexcept { return x + i * static_cast<std::size_t>(d); }
};

// The rows a pass lists are scattered: ask for them kAhead rows early.
constexpr std::size_t kAhead = 8;
inline void prefetch_row(const Data& data, std::size_t i) noexcept {
  const auto* p = reinterpret_cast<const char*>(data.row(i));
  __builtin_prefetch(p);
  __builtin_prefetch(p + static_cast<std::ptrdiff_t>(sizeof(double)) * (data.d - 1));
}

// Greedy k-means++, as scikit-learn: each new center is the best (least
// potential) of 2 + floor(ln k) rows drawn with probability proportional to
// their squared distance to the nearest center so far. The draws walk
// per-block totals, then one block, rather than a prefix sum of every row.
// DIM > 0 fixes the number of features at compile time; 0 reads it from the
// data.
template <int DIM>
std::vector<double> seed_centers(const Data& data, int k, std::mt19937_64& rng, BlockPool& pool) {
  const int d = DIM > 0 ? DIM : data.d;
  const auto D = static_cast<std::size_t>(d);
  std::vector<double> centers(static_cast<std::size_t>(k) * D);
  std::vector<double> closest(data.n);
  std::uniform_int_distribution<std::size_t> pick(0, data.n - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::copy_n(data.row(pick(rng)), d, centers.begin());
  const std::size_t nb = data.n_blocks();
  std::vector<double> block_total(nb);
  // closest = min(closest, distance to center c), with block totals.
  const auto update = [&](int c, bool first) {
    const double* cx = &centers[static_cast<std::size_t>(c) * D];
    pool.run(nb, [&](std::size_t b) {
      double sum = 0;
      for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
        const double s = sq_dist(data.row(i), cx, d);
        closest[i] = first ? s : std::min(closest[i], s);
        sum += closest[i];
      }
      block_total[b] = sum;
    });
  };
  update(0, true);
  // The first row at which the running sum of `closest` exceeds target.
  const auto draw = [&](double target) {
    double before = 0;
    for (std::size_t b = 0; b < nb; ++b) {
      if (before + block_total[b] <= target && b + 1 < nb) {
        before += block_total[b];
        continue;
      }
      double run = before;
      for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
        run += closest[i];
        if (run > target) return i;
      }
      return data.end(b) - 1;
    }
    return data.n - 1;
  };
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  std::vector<double> cand(static_cast<std::size_t>(trials) * D);
  std::vector<std::size_t> cand_row(static_cast<std::size_t>(trials));
  for (int c = 1; c < k; ++c) {
    const double total = std::accumulate(block_total.begin(), block_total.end(), 0.0);
    for (int t = 0; t < trials; ++t) {
      cand_row[static_cast<std::size_t>(t)] = draw(unit(rng) * total);
      std::copy_n(data.row(cand_row[static_cast<std::size_t>(t)]), d, &cand[static_cast<std::size_t>(t) * D]);
    }
    // Potential of each candidate: sum of min(closest, distance to it),
    // summed per block and lane, then over blocks in order.
    const Pack pack(cand.data(), trials, d);
    const std::size_t per_block = static_cast<std::size_t>(pack.chunks) * kLanes / 2;
    std::vector<V2> cand_block(nb * per_block);
    pool.run(nb, [&](std::size_t b) {
      V2* acc = &cand_block[b * per_block];
      for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
        const V2 ci = {closest[i], closest[i]};
        if (trials <= kLanes / 2) {  // k < e^3: one half chunk
          V2 a[2];
          chunk_dists<DIM, 2>(data.row(i), pack, 0, a);
          for (int l = 0; l < 2; ++l) acc[l] += vmin(a[l], ci);
          continue;
        }
        for (int q = 0; q < pack.chunks; ++q) {
          V2 a[kLanes / 2];
          chunk_dists<DIM>(data.row(i), pack, q, a);
          for (int l = 0; l < kLanes / 2; ++l) acc[q * kLanes / 2 + l] += vmin(a[l], ci);
        }
      }
    });
    int best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      double pot = 0;
      for (std::size_t b = 0; b < nb; ++b) pot += cand_block[b * per_block + static_cast<std::size_t>(t / 2)][t % 2];
      if (pot < best_pot) best_pot = pot, best = t;
    }
    std::copy_n(&cand[static_cast<std::size_t>(best) * D], d, &centers[static_cast<std::size_t>(c) * D]);
    update(c, false);
  }
  return centers;
}

struct RunResult {
  std::vector<double> centers;
  std::vector<std::int32_t> labels;
  double inertia = 0;
  int iterations = 0;
  bool converged = false;
};

// Hamerly's algorithm from the given centers. One pass over the rows per
// iteration: it first moves each row's bounds by how far the centers moved,
// then reassigns the rows the bounds cannot rule out, keeping per-block
// center sums up to date by moving a row's values when its label changes.
template <int DIM>
RunResult hamerly(const Data& data, int k, std::vector<double> centers, int max_iter, double tol_abs,
                  BlockPool& pool) {
  const int d = DIM > 0 ? DIM : data.d;
  const std::size_t n = data.n;
  const auto K = static_cast<std::size_t>(k);
  const auto D = static_cast<std::size_t>(d);
  const std::size_t nb = data.n_blocks();
  std::vector<std::int32_t> label(n, -1);
  std::vector<double> upper(n, std::numeric_limits<double>::infinity()), lower(n, 0.0);
  std::vector<double> half_gap(K), move(K, 0.0), new_centers(K * D);
  double move_max1 = 0, move_max2 = 0;  // largest and second largest move
  std::size_t move_arg1 = 0;
  std::vector<double> block_sums(nb * K * D, 0.0);
  std::vector<std::int64_t> block_counts(nb * K, 0);
  std::vector<std::size_t> block_changed(nb);
  std::vector<std::uint32_t> listed(n);  // rows still in question, within each block's range

  const auto assign = [&] {
    for (std::size_t a = 0; a < K; ++a) {
      double m = std::numeric_limits<double>::infinity();
      for (std::size_t b = 0; b < K; ++b)
        if (a != b) m = std::min(m, sq_dist(&centers[a * D], &centers[b * D], d));
      half_gap[a] = k > 1 ? 0.5 * std::sqrt(m) : std::numeric_limits<double>::infinity();
    }
    const Pack pack(centers.data(), k, d);
    // Per block, three passes, each over the rows the one before could not
    // rule out (listed without branching: the bound tests are as good as
    // random): move the bounds, tighten the upper bound, find the nearest.
    pool.run(nb, [&](std::size_t b) {
      std::size_t changed = 0;
      double* bs = &block_sums[b * K * D];
      std::int64_t* bc = &block_counts[b * K];
      const std::size_t lo = data.begin(b), hi = data.end(b);
      std::uint32_t* list = &listed[lo];
      std::size_t m = 0;
      if (label[lo] < 0) {  // the first assignment: every row
        for (std::size_t i = lo; i < hi; ++i) list[m++] = static_cast<std::uint32_t>(i - lo);
      } else {
        for (std::size_t i = lo; i < hi; ++i) {
          const auto a = static_cast<std::size_t>(label[i]);
          const double u = upper[i] + move[a];
          const double l = lower[i] - (a == move_arg1 ? move_max2 : move_max1);
          upper[i] = u;
          lower[i] = l;
          list[m] = static_cast<std::uint32_t>(i - lo);
          m += u > std::max(half_gap[a], l);
        }
        std::size_t kept = 0;
        for (std::size_t t = 0; t < m; ++t) {
          if (t + kAhead < m) prefetch_row(data, lo + list[t + kAhead]);
          const std::size_t i = lo + list[t];
          const auto a = static_cast<std::size_t>(label[i]);
          const double u = std::sqrt(sq_dist(data.row(i), &centers[a * D], d));
          upper[i] = u;
          list[kept] = list[t];
          kept += u > std::max(half_gap[a], lower[i]);
        }
        m = kept;
      }
      for (std::size_t t = 0; t < m; ++t) {
        if (t + kAhead < m) prefetch_row(data, lo + list[t + kAhead]);
        const std::size_t i = lo + list[t];
        const double* x = data.row(i);
        const std::int32_t a = label[i];
        double d1 = 0, d2 = 0;
        const std::int32_t best = nearest<DIM>(x, pack, d1, d2);
        upper[i] = std::sqrt(d1);
        lower[i] = std::sqrt(d2);
        if (best == a) continue;
        ++changed;
        if (a >= 0) {
          for (std::size_t j = 0; j < D; ++j) bs[static_cast<std::size_t>(a) * D + j] -= x[j];
          --bc[a];
        }
        for (std::size_t j = 0; j < D; ++j) bs[static_cast<std::size_t>(best) * D + j] += x[j];
        ++bc[best];
        label[i] = best;
      }
      block_changed[b] = changed;
    });
    std::fill(move.begin(), move.end(), 0.0);  // applied to every row's bounds
    move_max1 = move_max2 = 0;
    return std::accumulate(block_changed.begin(), block_changed.end(), std::size_t{0});
  };

  RunResult r;
  for (int it = 0; it < max_iter; ++it) {
    const std::size_t changed = assign();
    r.iterations = it + 1;
    if (it > 0 && changed == 0) {
      r.converged = true;
      break;
    }
    // New centers from block sums, combined in block order.
    std::fill(new_centers.begin(), new_centers.end(), 0.0);
    std::vector<std::int64_t> count(K, 0);
    for (std::size_t b = 0; b < nb; ++b)
      for (std::size_t c = 0; c < K; ++c) {
        count[c] += block_counts[b * K + c];
        for (std::size_t j = 0; j < D; ++j) new_centers[c * D + j] += block_sums[(b * K + c) * D + j];
      }
    for (std::size_t c = 0; c < K; ++c) {
      if (count[c] > 0) {
        for (std::size_t j = 0; j < D; ++j) new_centers[c * D + j] /= static_cast<double>(count[c]);
        continue;
      }
      // An empty cluster takes the row farthest from its own center.
      std::size_t far = 0;
      double far_d = -1;
      for (std::size_t i = 0; i < n; ++i) {
        const double s = sq_dist(data.row(i), &centers[static_cast<std::size_t>(label[i]) * D], d);
        if (s > far_d) far_d = s, far = i;
      }
      std::copy_n(data.row(far), d, &new_centers[c * D]);
    }
    double shift = 0;
    for (std::size_t c = 0; c < K; ++c) {
      const double s = sq_dist(&centers[c * D], &new_centers[c * D], d);
      shift += s;
      move[c] = std::sqrt(s);
      if (move[c] > move_max1) {
        move_max2 = move_max1;
        move_max1 = move[c];
        move_arg1 = c;
      } else if (move[c] > move_max2) {
        move_max2 = move[c];
      }
    }
    centers.swap(new_centers);
    if (shift <= tol_abs) {
      r.converged = true;
      break;
    }
  }
  assign();  // labels for the final centers (cheap: the bounds skip most rows)
  // Exact inertia of the final partition.
  std::vector<double> block_inertia(nb);
  pool.run(nb, [&](std::size_t b) {
    double s = 0;
    for (std::size_t i = data.begin(b); i < data.end(b); ++i)
      s += sq_dist(data.row(i), &centers[static_cast<std::size_t>(label[i]) * D], d);
    block_inertia[b] = s;
  });
  r.inertia = std::accumulate(block_inertia.begin(), block_inertia.end(), 0.0);
  r.centers = std::move(centers);
  r.labels = std::move(label);
  return r;
}

template <int DIM>
RunResult seeded_run(const Data& data, int k, std::mt19937_64& rng, int max_iter, double tol_abs, BlockPool& pool) {
  return hamerly<DIM>(data, k, seed_centers<DIM>(data, k, rng, pool), max_iter, tol_abs, pool);
}

// One seeded run, with the feature count fixed at compile time for 1..8.
RunResult run_once(const Data& data, int k, std::mt19937_64& rng, int max_iter, double tol_abs, BlockPool& pool) {
  switch (data.d) {
    case 1: return seeded_run<1>(data, k, rng, max_iter, tol_abs, pool);
    case 2: return seeded_run<2>(data, k, rng, max_iter, tol_abs, pool);
    case 3: return seeded_run<3>(data, k, rng, max_iter, tol_abs, pool);
    case 4: return seeded_run<4>(data, k, rng, max_iter, tol_abs, pool);
    case 5: return seeded_run<5>(data, k, rng, max_iter, tol_abs, pool);
    case 6: return seeded_run<6>(data, k, rng, max_iter, tol_abs, pool);
    case 7: return seeded_run<7>(data, k, rng, max_iter, tol_abs, pool);
    case 8: return seeded_run<8>(data, k, rng, max_iter, tol_abs, pool);
    default: return seeded_run<0>(data, k, rng, max_iter, tol_abs, pool);
  }
}

void check_finite(RowsView X, const char* who) {
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (!std::isfinite(X(i, j)))
        throw InvalidInput(std::string(who) + ": row " + std::to_string(i) + ", feature " + std::to_string(j) +
                           " is not finite");
}

}  // namespace

void KMeansModel::transform_row(const double* in, double* out) const {
  const int d = n_features();
  for (int j = 0; j < d; ++j) {
    double v = in[j];
    if (config_.log1p) {
      if (!(v > -1)) throw InvalidInput("KMeansModel: log1p of a value <= -1 (feature " + std::to_string(j) + ")");
      v = std::log1p(v);
    }
    out[j] = (v - shift_[static_cast<std::size_t>(j)]) / scale_[static_cast<std::size_t>(j)];
  }
}

RowMatrix KMeansModel::transform(RowsView X) const {
  if (X.cols() != n_features())
    throw InvalidInput("KMeansModel: expected " + std::to_string(n_features()) + " features, got " +
                       std::to_string(X.cols()));
  check_finite(X, "KMeansModel::transform");
  RowMatrix Y(X.rows(), X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) transform_row(X.data() + i * X.cols(), &Y(i, 0));
  return Y;
}

KMeansModel KMeansModel::fit(RowsView X, const KMeansConfig& config, std::vector<std::string> names) {
  const auto start = std::chrono::steady_clock::now();
  const auto n = static_cast<std::size_t>(X.rows());
  const int d = static_cast<int>(X.cols());
  if (d < 1) throw InvalidInput("KMeansModel::fit: no features");
  if (config.k < 1) throw InvalidInput("KMeansModel::fit: k must be at least 1");
  if (n < static_cast<std::size_t>(config.k))
    throw InvalidInput("KMeansModel::fit: k = " + std::to_string(config.k) + " is more than the " +
                       std::to_string(n) + " rows");
  if (config.n_init < 1) throw InvalidInput("KMeansModel::fit: n_init must be at least 1");
  if (config.max_iter < 1) throw InvalidInput("KMeansModel::fit: max_iter must be at least 1");
  if (!(config.tol >= 0)) throw InvalidInput("KMeansModel::fit: tol must be >= 0");
  if (!names.empty() && names.size() != static_cast<std::size_t>(d))
    throw InvalidInput("KMeansModel::fit: " + std::to_string(names.size()) + " feature names for " +
                       std::to_string(d) + " features");
  check_finite(X, "KMeansModel::fit");
  if (names.empty())
    for (int j = 0; j < d; ++j) names.push_back("x" + std::to_string(j));

  KMeansModel model;
  model.config_ = config;
  model.feature_names_ = std::move(names);
  const auto D = static_cast<std::size_t>(d);
  // Transform into Y: log1p, then mean / population standard deviation. Row
  // blocks on every thread; per-block sums are added in block order.
  RowMatrix Y(static_cast<Eigen::Index>(n), d);
  const Data data{Y.data(), n, d};
  const std::size_t nb = data.n_blocks();
  BlockPool pool(nb > 1 ? thread_count(config.threads) : 1);
  std::vector<std::size_t> bad(nb, n);  // first row with a value <= -1 under log1p
  pool.run(nb, [&](std::size_t b) {
    for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
      const double* x = X.data() + i * D;
      double* y = Y.data() + i * D;
      for (std::size_t j = 0; j < D; ++j) {
        if (config.log1p && !(x[j] > -1) && bad[b] == n) bad[b] = i;
        y[j] = config.log1p ? std::log1p(x[j]) : x[j];
      }
    }
  });
  for (std::size_t b = 0; b < nb; ++b)
    if (bad[b] < n) {
      const double* x = X.data() + bad[b] * D;
      const auto j = static_cast<std::size_t>(std::find_if(x, x + D, [](double v) { return !(v > -1); }) - x);
      throw InvalidInput("KMeansModel::fit: log1p of a value <= -1 at row " + std::to_string(bad[b]) + ", feature " +
                         model.feature_names_[j]);
    }
  std::vector<double> part(nb * D);
  const auto column_sums = [&](const std::vector<double>& center) {
    pool.run(nb, [&](std::size_t b) {
      double* p = &part[b * D];
      std::fill_n(p, D, 0.0);
      for (std::size_t i = data.begin(b); i < data.end(b); ++i)
        for (std::size_t j = 0; j < D; ++j) {
          if (center.empty()) {
            p[j] += data.row(i)[j];
          } else {
            const double t = data.row(i)[j] - center[j];
            p[j] += t * t;
          }
        }
    });
    std::vector<double> total(D, 0.0);
    for (std::size_t b = 0; b < nb; ++b)
      for (std::size_t j = 0; j < D; ++j) total[j] += part[b * D + j];
    for (auto& t : total) t /= static_cast<double>(n);
    return total;
  };
  const std::vector<double> mean = column_sums({});
  const std::vector<double> var = column_sums(mean);
  model.shift_.assign(D, 0.0);
  model.scale_.assign(D, 1.0);
  double mean_var = 0;
  for (std::size_t j = 0; j < D; ++j) {
    if (config.standardize) {
      model.shift_[j] = mean[j];
      model.scale_[j] = var[j] > 0 ? std::sqrt(var[j]) : 1.0;
    }
    mean_var += var[j] / (model.scale_[j] * model.scale_[j]) / d;
  }
  if (config.standardize)
    pool.run(nb, [&](std::size_t b) {
      for (std::size_t i = data.begin(b); i < data.end(b); ++i)
        for (std::size_t j = 0; j < D; ++j) Y.data()[i * D + j] = (data.row(i)[j] - model.shift_[j]) / model.scale_[j];
    });
  const double tol_abs = config.tol * mean_var;

  RunResult best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int run = 0; run < config.n_init; ++run) {
    std::mt19937_64 rng(splitmix(config.seed * 0x100000001B3ull + static_cast<std::uint64_t>(run)));
    RunResult r = run_once(data, config.k, rng, config.max_iter, tol_abs, pool);
    model.info_.total_iterations += r.iterations;
    if (r.inertia < best.inertia) {
      best = std::move(r);
      model.info_.best_init = run;
    }
  }
  const auto K = static_cast<std::size_t>(config.k);
  model.centers_ = Eigen::Map<const RowMatrix>(best.centers.data(), config.k, d);
  // Cluster means in the original units: per-block sums, added in order.
  std::vector<double> sums(nb * K * D, 0.0);
  std::vector<std::size_t> counts(nb * K, 0);
  pool.run(nb, [&](std::size_t b) {
    for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
      const auto c = static_cast<std::size_t>(best.labels[i]);
      const double* x = X.data() + i * D;
      for (std::size_t j = 0; j < D; ++j) sums[(b * K + c) * D + j] += x[j];
      ++counts[b * K + c];
    }
  });
  model.cluster_means_ = RowMatrix::Zero(config.k, d);
  model.sizes_.assign(K, 0);
  for (std::size_t b = 0; b < nb; ++b)
    for (std::size_t c = 0; c < K; ++c) {
      model.sizes_[c] += counts[b * K + c];
      for (std::size_t j = 0; j < D; ++j) model.cluster_means_.data()[c * D + j] += sums[(b * K + c) * D + j];
    }
  for (std::size_t c = 0; c < K; ++c)
    if (model.sizes_[c] > 0) model.cluster_means_.row(static_cast<Eigen::Index>(c)) /= static_cast<double>(model.sizes_[c]);
  model.labels_ = std::move(best.labels);
  model.info_.converged = best.converged;
  model.info_.iterations = best.iterations;
  model.info_.inertia = best.inertia;
  model.info_.n_rows = n;
  model.info_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return model;
}

KMeansModel::KMeansModel(KMeansConfig config, std::vector<std::string> feature_names, std::vector<double> shift,
                         std::vector<double> scale, RowMatrix centers, RowMatrix cluster_means,
                         std::vector<std::size_t> sizes, KMeansFitInfo info)
    : config_(config),
      feature_names_(std::move(feature_names)),
      shift_(std::move(shift)),
      scale_(std::move(scale)),
      centers_(std::move(centers)),
      cluster_means_(std::move(cluster_means)),
      sizes_(std::move(sizes)),
      info_(info) {
  const auto k = static_cast<std::size_t>(centers_.rows());
  const auto d = static_cast<std::size_t>(centers_.cols());
  if (k < 1 || d < 1 || feature_names_.size() != d || shift_.size() != d || scale_.size() != d ||
      static_cast<std::size_t>(cluster_means_.rows()) != k || static_cast<std::size_t>(cluster_means_.cols()) != d ||
      sizes_.size() != k)
    throw InvalidInput("KMeansModel: inconsistent sizes");
  config_.k = static_cast<int>(k);
  for (std::size_t j = 0; j < d; ++j)
    if (!std::isfinite(shift_[j]) || !(scale_[j] > 0) || !std::isfinite(scale_[j]))
      throw InvalidInput("KMeansModel: invalid transform");
  if (!centers_.allFinite()) throw InvalidInput("KMeansModel: centers are not finite");
}

void KMeansModel::predict(RowsView X, std::span<std::int32_t> labels) const {
  if (labels.size() != static_cast<std::size_t>(X.rows()))
    throw InvalidInput("KMeansModel::predict: labels and rows differ in length");
  if (X.cols() != n_features())
    throw InvalidInput("KMeansModel::predict: expected " + std::to_string(n_features()) + " features, got " +
                       std::to_string(X.cols()));
  check_finite(X, "KMeansModel::predict");
  const int d = n_features();
  const Data data{X.data(), static_cast<std::size_t>(X.rows()), d};
  BlockPool pool(data.n_blocks() > 1 ? thread_count(config_.threads) : 1);
  pool.run(data.n_blocks(), [&](std::size_t b) {
    std::vector<double> y(static_cast<std::size_t>(d));
    for (std::size_t i = data.begin(b); i < data.end(b); ++i) {
      transform_row(data.row(i), y.data());
      std::int32_t best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (Eigen::Index c = 0; c < centers_.rows(); ++c) {
        const double s = sq_dist(y.data(), &centers_(c, 0), d);
        if (s < best_d) best_d = s, best = static_cast<std::int32_t>(c);
      }
      labels[i] = best;
    }
  });
}

std::vector<std::int32_t> KMeansModel::predict(RowsView X) const {
  std::vector<std::int32_t> out(static_cast<std::size_t>(X.rows()));
  predict(X, out);
  return out;
}

int KMeansModel::predict_one(std::span<const double> row) const {
  std::int32_t label = 0;
  predict(RowsView(row.data(), 1, static_cast<Eigen::Index>(row.size())), {&label, 1});
  return label;
}

double silhouette(const KMeansModel& model, RowsView X, std::size_t sample_size, std::uint64_t seed, int threads) {
  if (model.k() < 2) throw InvalidInput("silhouette: needs at least 2 clusters");
  if (sample_size < 2) throw InvalidInput("silhouette: sample_size must be at least 2");
  const RowMatrix Y = model.transform(X);
  const auto n = static_cast<std::size_t>(Y.rows());
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  if (sample_size < n) {
    std::mt19937_64 rng(splitmix(seed));
    for (std::size_t i = 0; i < sample_size; ++i) {
      std::uniform_int_distribution<std::size_t> u(i, n - 1);
      std::swap(idx[i], idx[u(rng)]);
    }
    idx.resize(sample_size);
  }
  const std::size_t s = idx.size();
  std::vector<std::int32_t> lab(s);
  RowMatrix S(static_cast<Eigen::Index>(s), Y.cols());
  for (std::size_t i = 0; i < s; ++i) S.row(static_cast<Eigen::Index>(i)) = Y.row(static_cast<Eigen::Index>(idx[i]));
  const int k = model.k();
  const int d = model.n_features();
  for (std::size_t i = 0; i < s; ++i) {
    std::int32_t best = 0;
    double bd = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c) {
      const double v = sq_dist(&S(static_cast<Eigen::Index>(i), 0), &model.centers()(c, 0), d);
      if (v < bd) bd = v, best = c;
    }
    lab[i] = best;
  }
  std::vector<std::size_t> count(static_cast<std::size_t>(k), 0);
  for (auto l : lab) ++count[static_cast<std::size_t>(l)];
  std::vector<double> score(s);
  const std::size_t rows_per_block = 64;
  BlockPool pool(thread_count(threads));
  pool.run((s + rows_per_block - 1) / rows_per_block, [&](std::size_t b) {
    std::vector<double> sum(static_cast<std::size_t>(k));
    for (std::size_t i = b * rows_per_block; i < std::min(s, (b + 1) * rows_per_block); ++i) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (std::size_t j = 0; j < s; ++j)
        sum[static_cast<std::size_t>(lab[j])] +=
            std::sqrt(sq_dist(&S(static_cast<Eigen::Index>(i), 0), &S(static_cast<Eigen::Index>(j), 0), d));
      const auto own = static_cast<std::size_t>(lab[i]);
      if (count[own] <= 1) {
        score[i] = 0;
        continue;
      }
      const double a = sum[own] / static_cast<double>(count[own] - 1);
      double bmin = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c)
        if (c != own && count[c] > 0) bmin = std::min(bmin, sum[c] / static_cast<double>(count[c]));
      const double m = std::max(a, bmin);
      score[i] = std::isfinite(bmin) && m > 0 ? (bmin - a) / m : 0.0;
    }
  });
  return std::accumulate(score.begin(), score.end(), 0.0) / static_cast<double>(s);
}

KChoice choose_k(RowsView X, int k_min, int k_max, const KMeansConfig& config, std::size_t silhouette_sample) {
  if (k_min < 2 || k_max < k_min) throw InvalidInput("choose_k: need 2 <= k_min <= k_max");
  KChoice out;
  for (int k = k_min; k <= k_max; ++k) {
    KMeansConfig c = config;
    c.k = k;
    const KMeansModel m = KMeansModel::fit(X, c);
    out.k.push_back(k);
    out.inertia.push_back(m.inertia());
    out.silhouette.push_back(silhouette(m, X, silhouette_sample, config.seed, config.threads));
  }
  const auto best = std::max_element(out.silhouette.begin(), out.silhouette.end()) - out.silhouette.begin();
  out.best_silhouette_k = out.k[static_cast<std::size_t>(best)];
  // Elbow: farthest below the chord, on axes scaled to 0..1.
  const std::size_t m = out.k.size();
  out.elbow_k = out.k.front();
  if (m >= 3) {
    const double i0 = out.inertia.front(), i1 = out.inertia.back();
    const double span = i0 - i1;
    double best_gap = -1;
    for (std::size_t i = 0; i < m; ++i) {
      const double x = static_cast<double>(i) / static_cast<double>(m - 1);
      const double y = span > 0 ? (out.inertia[i] - i1) / span : 0.0;
      const double gap = (1.0 - x) - y;  // chord from (0, 1) to (1, 0)
      if (gap > best_gap) best_gap = gap, out.elbow_k = out.k[i];
    }
  }
  return out;
}

}  // namespace leadscore::segment
