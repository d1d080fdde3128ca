#pragma once
// String ids interned once to dense integers 0..n-1, so engines index plain
// arrays instead of hashing strings on every row.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore {

/// Maps each distinct string id to a dense id, in order of first sight.
/// Open addressing with linear probing: one probe sequence per lookup and no
/// node allocations, which matters when a file has millions of rows.
class IdInterner {
 public:
  IdInterner() { rehash(64); }

  /// The dense id of `name`, adding it if new.
  std::uint32_t intern(std::string_view name) {
    if ((names_.size() + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    const std::size_t h = std::hash<std::string_view>{}(name);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == empty) {
        const auto id = static_cast<std::uint32_t>(names_.size());
        names_.emplace_back(name);
        hashes_.push_back(h);
        slots_[i] = id;
        return id;
      }
      if (hashes_[slot] == h && names_[slot] == name) return slot;
    }
  }

  /// The dense id of `name`, or -1 if it was never interned.
  std::int64_t find(std::string_view name) const {
    const std::size_t h = std::hash<std::string_view>{}(name);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == empty) return -1;
      if (hashes_[slot] == h && names_[slot] == name) return slot;
    }
  }

  const std::string& name(std::uint32_t id) const { return names_.at(id); }
  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }

  void reserve(std::size_t n) {
    names_.reserve(n);
    hashes_.reserve(n);
    std::size_t want = 64;
    while (want * 3 < n * 4) want *= 2;
    if (want > slots_.size()) rehash(want);
  }

 private:
  static constexpr std::uint32_t empty = 0xFFFFFFFFu;

  void rehash(std::size_t n_slots) {
    slots_.assign(n_slots, empty);
    mask_ = n_slots - 1;
    for (std::uint32_t id = 0; id < names_.size(); ++id) {
      std::size_t i = hashes_[id] & mask_;
      while (slots_[i] != empty) i = (i + 1) & mask_;
      slots_[i] = id;
    }
  }

  std::vector<std::string> names_;
  std::vector<std::size_t> hashes_;
  std::vector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
};

}  // namespace leadscore
