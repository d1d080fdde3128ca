#pragma once
// Private to src/ (and the Python bindings): how the library spreads independent tasks over the cores.
// (k-means keeps its own persistent pool: it runs hundreds of short steps.)

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace leadscore::detail {

inline std::size_t hardware_threads() noexcept {
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Runs task(k) for every k in [0, n) on up to `threads` threads, the calling
/// thread included; tasks are handed out in order as threads free up. Once
/// all have finished, rethrows the exception of the lowest k that threw, so
/// errors do not depend on the thread count.
template <class Task>
void parallel_for(std::size_t n, std::size_t threads, Task&& task) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < n;) {
      try {
        task(k);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  };
  threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(n, 1));
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace leadscore::detail
