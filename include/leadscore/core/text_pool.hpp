#pragma once
// A pool of distinct texts with dense codes, for columns whose values repeat.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "leadscore/io/view_ids.hpp"

namespace leadscore {

/// Distinct texts, each stored once and known by a dense code (in order of
/// first sight): an event batch's property keys and values, a text column
/// of profiles. A million page views of "pricing" hold one string, and a
/// test on a text runs once per distinct text, not once per row.
class TextPool {
 public:
  static constexpr std::uint32_t npos = ViewIds::npos;

  TextPool() = default;
  TextPool(TextPool&&) noexcept = default;
  TextPool& operator=(TextPool&&) noexcept = default;
  // A copy re-indexes its own strings (the index holds views of them).
  TextPool(const TextPool& other) : texts_(other.texts_) {
    for (const std::string& t : texts_) codes_.intern(t);
  }
  TextPool& operator=(const TextPool& other) {
    if (this != &other) *this = TextPool(other);
    return *this;
  }

  /// The code of `text`, storing it if new.
  std::uint32_t intern(std::string_view text) {
    const std::size_t h = ViewIds::hash(text);
    if (const std::uint32_t code = codes_.size() == 0 ? npos : codes_.find(text, h); code != npos) return code;
    texts_.emplace_back(text);  // a deque: earlier strings (and views of them) stay put
    return codes_.intern(texts_.back(), h);
  }
  /// The code of `text`, or npos when the pool does not hold it.
  std::uint32_t find(std::string_view text) const noexcept {
    return codes_.size() == 0 ? npos : codes_.find(text);  // a moved-from pool has no table
  }
  std::string_view operator[](std::uint32_t code) const noexcept { return codes_.names()[code]; }
  std::size_t size() const noexcept { return codes_.size(); }

 private:
  std::deque<std::string> texts_;  // the strings; read through codes_' views of them
  ViewIds codes_;
};

}  // namespace leadscore
