#pragma once
// Dense codes for string ids that live elsewhere (a mapped file, Python
// strings): the table keeps views, not copies, so interning millions of rows
// allocates only the table.

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

namespace leadscore {

/// Maps each distinct id to 0..n-1 in order of first sight. The viewed
/// characters must outlive the table. Open addressing with linear probing;
/// a slot keeps the hash and ids of up to 16 bytes inline, so a lookup in a
/// table of millions costs one cache miss, not two.
class ViewIds {
 public:
  ViewIds() { rehash(1 << 12); }
  ~ViewIds() { release(); }
  ViewIds(const ViewIds&) = delete;
  ViewIds& operator=(const ViewIds&) = delete;
  ViewIds(ViewIds&& other) noexcept { *this = std::move(other); }
  ViewIds& operator=(ViewIds&& other) noexcept;

  /// The code of `name`, adding it if new.
  std::uint32_t intern(std::string_view name) {
    if ((names_.size() + 1) * 4 > (mask_ + 1) * 3) rehash((mask_ + 1) * 2);
    const std::size_t h = std::hash<std::string_view>{}(name);
    const bool inline_key = name.size() <= kInline;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s.hash = h;
        s.id = static_cast<std::uint32_t>(names_.size());
        s.size = static_cast<std::uint32_t>(name.size());
        if (inline_key) std::memcpy(s.key, name.data(), name.size());
        names_.push_back(name);
        return s.id;
      }
      if (s.hash == h && s.size == name.size() &&
          (inline_key ? std::memcmp(s.key, name.data(), name.size()) == 0 : names_[s.id] == name))
        return s.id;
    }
  }

  /// The code of `name`, or `npos` when it is not in the table.
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;
  std::uint32_t find(std::string_view name) const noexcept {
    const std::size_t h = std::hash<std::string_view>{}(name);
    const bool inline_key = name.size() <= kInline;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kEmpty) return npos;
      if (s.hash == h && s.size == name.size() &&
          (inline_key ? std::memcmp(s.key, name.data(), name.size()) == 0 : names_[s.id] == name))
        return s.id;
    }
  }

  /// The ids, by code.
  const std::vector<std::string_view>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }
  /// Makes room for `n` ids without rehashing.
  void reserve(std::size_t n);

 private:
  static constexpr std::size_t kInline = 16;
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::size_t hash;
    std::uint32_t id;
    std::uint32_t size;
    char key[kInline];
  };

  void rehash(std::size_t n_slots);
  void release() noexcept;

  std::vector<std::string_view> names_;
  Slot* slots_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t bytes_ = 0;  // of the slot allocation
};

}  // namespace leadscore
