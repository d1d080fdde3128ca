// The slot table of ViewIds; see leadscore/io/view_ids.hpp.
#include "leadscore/io/view_ids.hpp"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace leadscore {

ViewIds& ViewIds::operator=(ViewIds&& other) noexcept {
  if (this != &other) {
    release();
    names_ = std::move(other.names_);
    slots_ = std::exchange(other.slots_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void ViewIds::reserve(std::size_t n) {
  names_.reserve(n);
  std::size_t want = mask_ + 1;
  while (n * 4 > want * 3) want *= 2;
  if (want > mask_ + 1) rehash(want);
}

void ViewIds::release() noexcept {
  if (slots_) ::munmap(slots_, bytes_);
  slots_ = nullptr;
}

void ViewIds::rehash(std::size_t n_slots) {
  const std::size_t bytes = n_slots * sizeof(Slot);
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (bytes >= (std::size_t{2} << 20)) ::madvise(p, bytes, MADV_HUGEPAGE);  // fewer faults
#endif
  auto* fresh = static_cast<Slot*>(p);  // zero pages: every slot empty
  const std::size_t mask = n_slots - 1;
  for (std::size_t j = 0; slots_ && j <= mask_; ++j) {
    const Slot& s = slots_[j];
    if (s.id1 == 0) continue;
    std::size_t i = s.hash & mask;
    while (fresh[i].id1 != 0) i = (i + 1) & mask;
    fresh[i] = s;
  }
  release();
  slots_ = fresh;
  mask_ = mask;
  bytes_ = bytes;
}

}  // namespace leadscore
