#pragma once
// Private to src/: large working memory on transparent huge pages (Linux),
// so that filling a few hundred megabytes costs a few hundred page faults
// instead of a hundred thousand. Both are hints: where the kernel declines,
// only speed is lost.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace leadscore {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

/// Asks the kernel to back the whole huge pages inside [p, p + bytes) with
/// huge pages; call it before they are first touched (on a std::vector's
/// reserved capacity, say).
inline void hint_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge_page_bytes - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

/// An uninitialized array, for memory that is written before it is read:
/// no zeroing pass (beyond the kernel's), aligned to huge pages when large.
template <class T>
class ScratchArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  explicit ScratchArray(std::size_t n = 0) : size_(n) {
    if (n == 0) return;
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= huge_page_bytes) {
      const std::size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
      data_.reset(static_cast<T*>(std::aligned_alloc(huge_page_bytes, rounded)));
      if (data_) hint_huge_pages(data_.get(), rounded);
    } else {
      data_.reset(static_cast<T*>(std::malloc(bytes)));
    }
    if (!data_) throw std::bad_alloc();
  }

  T* data() noexcept { return data_.get(); }
  const T* data() const noexcept { return data_.get(); }
  T& operator[](std::size_t i) noexcept { return data_.get()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_.get()[i]; }
  std::size_t size() const noexcept { return size_; }

 private:
  struct Free {
    void operator()(T* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  std::size_t size_ = 0;
};

}  // namespace leadscore
