#include "leadscore/core/date.hpp"

#include <string>

#include "leadscore/core/error.hpp"

namespace leadscore {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos]; advances pos.
std::optional<int> read_fixed(std::string_view text, std::size_t& pos, int n) noexcept {
  if (pos + static_cast<std::size_t>(n) > text.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return value;
}

// Reads one or two digits; advances pos.
std::optional<int> read_short(std::string_view text, std::size_t& pos) noexcept {
  if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
  int value = text[pos++] - '0';
  if (pos < text.size() && is_digit(text[pos])) value = value * 10 + (text[pos++] - '0');
  return value;
}

std::optional<Timestamp> combine(int year, int month, int day, int hour, int minute, int second,
                                 int offset_seconds) noexcept {
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto d = make_day(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!d) return std::nullopt;
  return static_cast<Timestamp>(*d) * seconds_per_day + hour * 3600 + minute * 60 + second -
         offset_seconds;
}

}  // namespace

DateFormat::DateFormat(std::string pattern) : pattern_(std::move(pattern)) {
  iso_ = pattern_ == "iso" || pattern_ == "ISO" || pattern_ == "iso8601";
  if (iso_) return;
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    if (pattern_[i] != '%') continue;
    if (i + 1 == pattern_.size())
      throw InvalidInput("date format '" + pattern_ + "' ends with a lone '%'");
    switch (pattern_[++i]) {
      case 'Y': year = true; break;
      case 'm': month = true; break;
      case 'd': day = true; break;
      case 'H': case 'M': case 'S': case '%': break;
      default:
        throw InvalidInput("date format '" + pattern_ + "': unsupported directive %" +
                           std::string(1, pattern_[i]) + " (use %Y %m %d %H %M %S %%, or iso)");
    }
  }
  if (!year || !month || !day)
    throw InvalidInput("date format '" + pattern_ + "' must contain %Y, %m and %d");
}

std::optional<Timestamp> DateFormat::parse(std::string_view text) const noexcept {
  return iso_ ? parse_iso(text) : parse_pattern(text);
}

std::optional<Timestamp> DateFormat::parse_iso(std::string_view text) const noexcept {
  std::size_t pos = 0;
  const auto year = read_fixed(text, pos, 4);
  if (!year || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  const auto month = read_fixed(text, pos, 2);
  if (!month || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  const auto day = read_fixed(text, pos, 2);
  if (!day) return std::nullopt;
  int hour = 0, minute = 0, second = 0, offset = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    const auto h = read_fixed(text, pos, 2);
    if (!h || pos >= text.size() || text[pos++] != ':') return std::nullopt;
    const auto m = read_fixed(text, pos, 2);
    if (!m) return std::nullopt;
    hour = *h, minute = *m;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      const auto s = read_fixed(text, pos, 2);
      if (!s) return std::nullopt;
      second = *s;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;  // fractions of a second are dropped: purchases are merged by day
        if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
      }
    }
    if (pos < text.size() && text[pos] == 'Z') {
      ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      const int sign = text[pos++] == '-' ? -1 : 1;
      const auto oh = read_fixed(text, pos, 2);
      if (!oh) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      const auto om = read_fixed(text, pos, 2);
      if (!om) return std::nullopt;
      offset = sign * (*oh * 3600 + *om * 60);
    }
  }
  if (pos != text.size()) return std::nullopt;
  return combine(*year, *month, *day, hour, minute, second, offset);
}

std::optional<Timestamp> DateFormat::parse_pattern(std::string_view text) const noexcept {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::size_t pos = 0;
  bool after_directive = false;
  for (std::size_t i = 0; i < pattern_.size(); ++i) {
    const char p = pattern_[i];
    if (p != '%') {
      after_directive = false;
      if (pos >= text.size() || text[pos++] != p) return std::nullopt;
      continue;
    }
    const char directive = pattern_[++i];
    if (directive == '%') {
      if (pos >= text.size() || text[pos++] != '%') return std::nullopt;
      after_directive = false;
      continue;
    }
    // Without a separator next to it, a field must have its full width.
    const bool packed = after_directive || (i + 1 < pattern_.size() && pattern_[i + 1] == '%');
    after_directive = true;
    std::optional<int> value =
        directive == 'Y' ? read_fixed(text, pos, 4)
                         : (packed ? read_fixed(text, pos, 2) : read_short(text, pos));
    if (!value) return std::nullopt;
    switch (directive) {
      case 'Y': year = *value; break;
      case 'm': month = *value; break;
      case 'd': day = *value; break;
      case 'H': hour = *value; break;
      case 'M': minute = *value; break;
      default: second = *value; break;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return combine(year, month, day, hour, minute, second, 0);
}

Day parse_day_argument(std::string_view text, std::string_view what) {
  for (const char* pattern : {"iso", "%Y%m%d"}) {
    if (const auto t = DateFormat(pattern).parse(text)) return day_of(*t);
  }
  throw InvalidInput(std::string(what) + ": cannot parse '" + std::string(text) +
                     "' as a date (use YYYY-MM-DD or YYYYMMDD)");
}

}  // namespace leadscore
