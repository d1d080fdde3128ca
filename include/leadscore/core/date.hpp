#pragma once
// Calendar dates as days since 1970-01-01 (UTC), and parsing of the date
// formats CRM exports use: strftime-style patterns and ISO 8601.

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadscore {

/// Days since 1970-01-01; negative before it.
using Day = std::int32_t;
/// Seconds since 1970-01-01T00:00:00Z.
using Timestamp = std::int64_t;

inline constexpr std::int64_t seconds_per_day = 86400;

/// Floor division, so that times before 1970 fall on the right day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr Day day_of(Timestamp t) noexcept {
  return static_cast<Day>(floor_div(t, seconds_per_day));
}

/// The day of a valid civil date, or nullopt (for example 1997-02-30).
inline std::optional<Day> make_day(int year, unsigned month, unsigned day) noexcept {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{day}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Day>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

/// YYYY-MM-DD of a day.
inline std::string format_day(Day d) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d}}};
  char buf[16];
  const int y = static_cast<int>(ymd.year());
  const auto m = static_cast<unsigned>(ymd.month());
  const auto dd = static_cast<unsigned>(ymd.day());
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, dd);
  return buf;
}

/// A date pattern, compiled once and applied to every row.
///
/// Patterns: "iso" (ISO 8601: YYYY-MM-DD, optionally followed by 'T' or ' '
/// and hh:mm[:ss[.fff]] and 'Z' or ±hh:mm), or a strftime-style pattern made
/// of %Y (4 digits), %m, %d, %H, %M, %S (1 or 2 digits, or exactly 2 when no
/// separator follows), %% and literal characters — for example "%Y%m%d",
/// "%d/%m/%Y", "%Y-%m-%d %H:%M:%S".
class DateFormat {
 public:
  explicit DateFormat(std::string pattern = "iso");

  /// Seconds since the epoch, or nullopt when `text` does not match.
  std::optional<Timestamp> parse(std::string_view text) const noexcept;

  const std::string& pattern() const noexcept { return pattern_; }

 private:
  std::optional<Timestamp> parse_iso(std::string_view text) const noexcept;
  std::optional<Timestamp> parse_pattern(std::string_view text) const noexcept;

  std::string pattern_;
  bool iso_ = true;
};

/// Parses a date given on a command line or in a config: ISO 8601 first,
/// then %Y%m%d. Throws InvalidInput naming `what` when neither fits.
Day parse_day_argument(std::string_view text, std::string_view what);

}  // namespace leadscore
