#pragma once
// A large, uninitialized array for working memory that is written before it
// is read (staging in bulk scoring): no zeroing pass, and on Linux backed by
// transparent huge pages where the kernel allows them, so that filling a few
// hundred megabytes costs a few hundred page faults instead of a hundred
// thousand.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace leadscore {

/// Asks the kernel to back the 2 MiB pages inside [p, p + bytes) with huge
/// pages, before they are first touched: for large buffers the library
/// fills once (a std::vector's reserved capacity, say). Only a hint.
inline void hint_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge_page = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge_page - 1) & ~(huge_page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge_page - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}

/// Resizes an empty vector to n value-initialized elements, its storage
/// hinted to huge pages first.
template <class T>
void resize_on_huge_pages(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  hint_huge_pages(v.data(), v.capacity() * sizeof(T));
  v.resize(n);
}

template <class T>
class ScratchArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  explicit ScratchArray(std::size_t n) : size_(n) {
    if (n == 0) return;
    constexpr std::size_t huge_page = std::size_t{2} << 20;
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= huge_page) {
      const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
      data_.reset(static_cast<T*>(std::aligned_alloc(huge_page, rounded)));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (data_) ::madvise(data_.get(), rounded, MADV_HUGEPAGE);  // a hint: failure only costs speed
#endif
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
