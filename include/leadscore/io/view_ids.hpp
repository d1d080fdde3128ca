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

namespace detail {
// The first and last sizeof(Word) bytes of a and b (n of them each, n at
// least sizeof(Word)) are equal: two overlapping words cover all n.
template <class Word>
bool same_ends(const char* a, const char* b, std::size_t n) noexcept {
  Word x[2], y[2];
  std::memcpy(&x[0], a, sizeof(Word));
  std::memcpy(&x[1], a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&y[0], b, sizeof(Word));
  std::memcpy(&y[1], b + n - sizeof(Word), sizeof(Word));
  return x[0] == y[0] && x[1] == y[1];
}
}  // namespace detail

/// a == b, without a call for ids of up to 16 bytes (two overlapping
/// words, or bytes under 4).
inline bool same_id(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n > 16) return a == b;
  if (n >= 8) return detail::same_ends<std::uint64_t>(a.data(), b.data(), n);
  if (n >= 4) return detail::same_ends<std::uint32_t>(a.data(), b.data(), n);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

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
  std::uint32_t intern(std::string_view name) { return intern(name, hash(name)); }
  /// The same with `h` = hash(name), computed ahead (see prefetch).
  std::uint32_t intern(std::string_view name, std::size_t h) {
    if ((names_.size() + 1) * 4 > (mask_ + 1) * 3) rehash((mask_ + 1) * 2);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id1 == 0) {
        s.hash = h;
        s.id1 = static_cast<std::uint32_t>(names_.size()) + 1;
        s.size = static_cast<std::uint32_t>(name.size());
        if (name.size() <= kInline) std::memcpy(s.key, name.data(), name.size());
        names_.push_back(name);
        return s.id1 - 1;
      }
      if (matches(s, h, name)) return s.id1 - 1;
    }
  }

  /// The code of `name`, or `npos` when it is not in the table.
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;
  std::uint32_t find(std::string_view name) const noexcept { return find(name, hash(name)); }
  std::uint32_t find(std::string_view name, std::size_t h) const noexcept {
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id1 == 0) return npos;
      if (matches(s, h, name)) return s.id1 - 1;
    }
  }

  /// A hash for short ids, inline (no call per row): the id's first and
  /// last eight bytes (fewer for shorter ids) and its length, mixed; longer
  /// ids also mix std::hash of the whole.
  static std::size_t hash(std::string_view name) noexcept {
    const std::size_t n = name.size();
    std::uint64_t a = 0, b = 0;
    if (n >= 8) {
      std::memcpy(&a, name.data(), 8);
      std::memcpy(&b, name.data() + n - 8, 8);
    } else {
      std::memcpy(&a, name.data(), n);
    }
    if (n > kInline) b ^= std::hash<std::string_view>{}(name);
    std::uint64_t h = (a ^ n) * 0x9E3779B97F4A7C15u;
    h = (h ^ (h >> 29) ^ b) * 0xBF58476D1CE4E5B9u;
    h = (h ^ (h >> 32)) * 0x94D049BB133111EBu;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
  /// Starts loading the slot where a name of hash `h` goes: in a table of
  /// millions that is a cache miss, which work done meanwhile then hides.
  void prefetch(std::size_t h) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(&slots_[h & mask_]);
#endif
  }

  /// The ids, by code.
  const std::vector<std::string_view>& names() const noexcept { return names_; }
  std::size_t size() const noexcept { return names_.size(); }
  /// Makes room for `n` ids without rehashing.
  void reserve(std::size_t n);

 private:
  static constexpr std::size_t kInline = 16;
  // A slot's id1 is its code + 1: 0 marks an empty slot, so a fresh table
  // (zero pages from mmap) needs no filling.
  struct Slot {
    std::size_t hash;
    std::uint32_t id1;
    std::uint32_t size;
    char key[kInline];
  };

  bool matches(const Slot& s, std::size_t h, std::string_view name) const noexcept {
    if (s.hash != h || s.size != name.size()) return false;
    if (name.size() > kInline) return names_[s.id1 - 1] == name;
    return same_id(std::string_view(s.key, name.size()), name);
  }
  void rehash(std::size_t n_slots);
  void release() noexcept;

  std::vector<std::string_view> names_;
  Slot* slots_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t bytes_ = 0;  // of the slot allocation
};

}  // namespace leadscore
