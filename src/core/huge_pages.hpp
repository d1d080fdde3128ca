#pragma once
// Private to src/: large arrays written once, front to back, in 2 MB pages.

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace leadscore::detail {

/// Asks the kernel to back the whole 2 MB pages of [p, p + bytes) with huge
/// pages, before they are first written: a fresh array of hundreds of MB
/// then takes one page fault per 2 MB instead of one per 4 KB (which cost
/// bulk rule scoring a tenth of its time). Advice only: a no-op where the
/// kernel does not take it.
inline void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto first = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
  const auto last = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

/// The same for a vector's room, then `n` value-initialized elements.
template <class Vector>
void resize_in_huge_pages(Vector& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(typename Vector::value_type));
  v.resize(n);
}

}  // namespace leadscore::detail
