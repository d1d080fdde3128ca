#pragma once
// Dense codes for string ids that live elsewhere (a mapped file, Python
// strings): the table keeps views, not copies, so interning millions of rows
// allocates only the table.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace leadscore {

/// Maps each distinct id to 0..n-1 in order of first sight. The viewed
/// characters must outlive the table. Open addressing with linear probing;
/// a slot keeps the hash, so a probe rarely touches the characters.
class ViewIds {
 public:
  ViewIds() { rehash(1 << 12); }

  /// The code of `name`, adding it if new.
  std::uint32_t intern(std::string_view name) {
    if ((names_.size() + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    const std::size_t h = std::hash<std::string_view>{}(name);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id == empty) {
        s = {h, static_cast<std::uint32_t>(names_.size())};
        names_.push_back(name);
        return s.id;
      }
      if (s.hash == h && names_[s.id] == name) return s.id;
    }
  }

  /// The ids, by code.
  const std::vector<std::string_view>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }

 private:
  struct Slot {
    std::size_t hash;
    std::uint32_t id;
  };
  static constexpr std::uint32_t empty = 0xFFFFFFFFu;

  void rehash(std::size_t n) {
    std::vector<Slot> old(n, Slot{0, empty});
    old.swap(slots_);
    mask_ = n - 1;
    for (const Slot& s : old) {
      if (s.id == empty) continue;
      std::size_t i = s.hash & mask_;
      while (slots_[i].id != empty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<std::string_view> names_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

}  // namespace leadscore
