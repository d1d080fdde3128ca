#pragma once
// Profile attributes: who a person or account is. Stored columnar, one
// column per field, each field tagged with the kind of fact it records.

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/core/text_pool.hpp"

namespace leadscore {

/// The kind of fact a profile field records; scoring groups fit rules by it.
enum class AttributeKind : std::uint8_t {
  demographic,    ///< age, gender, income, job title
  geographic,     ///< country, region, city
  firmographic,   ///< company size, industry
  psychographic,  ///< interests, personality
  source,         ///< how the record reached us: form, ebook, webinar, ad, referral, trade show
};

inline constexpr std::array<AttributeKind, 5> all_attribute_kinds{
    AttributeKind::demographic, AttributeKind::geographic, AttributeKind::firmographic,
    AttributeKind::psychographic, AttributeKind::source};

constexpr std::string_view to_string(AttributeKind kind) noexcept {
  switch (kind) {
    case AttributeKind::demographic: return "demographic";
    case AttributeKind::geographic: return "geographic";
    case AttributeKind::firmographic: return "firmographic";
    case AttributeKind::psychographic: return "psychographic";
    case AttributeKind::source: return "source";
  }
  return "unknown";
}

constexpr std::optional<AttributeKind> parse_attribute_kind(std::string_view text) noexcept {
  for (auto kind : all_attribute_kinds)
    if (to_string(kind) == text) return kind;
  return std::nullopt;
}

/// A text column: each row's code in `texts`, or `missing`. Values repeat
/// (job titles, countries, stages): each distinct one is stored once, and a
/// test on the column runs once per distinct value.
struct TextColumn {
  static constexpr std::uint32_t missing = TextPool::npos;
  std::vector<std::uint32_t> codes;
  TextPool texts;

  TextColumn() = default;
  /// From one value per row (std::nullopt: missing).
  TextColumn(const std::vector<std::optional<std::string>>& values) {  // NOLINT: implicit by design
    codes.reserve(values.size());
    for (const auto& v : values) push_back(v ? std::optional<std::string_view>(*v) : std::nullopt);
  }
  TextColumn(std::initializer_list<std::optional<std::string_view>> values) {
    for (const auto& v : values) push_back(v);
  }

  void push_back(std::optional<std::string_view> v) { codes.push_back(v ? texts.intern(*v) : missing); }
  std::size_t size() const noexcept { return codes.size(); }
  /// Row i's value, or std::nullopt when it is missing.
  std::optional<std::string_view> operator[](std::size_t i) const noexcept {
    return codes[i] == missing ? std::nullopt : std::optional<std::string_view>(texts[codes[i]]);
  }
};

/// One profile column. Numeric columns use NaN for a missing value; text
/// columns are coded (TextColumn).
struct ProfileColumn {
  std::string name;
  AttributeKind kind = AttributeKind::demographic;
  std::variant<std::vector<double>, TextColumn> values;

  bool is_numeric() const noexcept { return values.index() == 0; }
  std::size_t size() const noexcept {
    return std::visit([](const auto& v) { return v.size(); }, values);
  }
};

/// Profiles of many records: row i of every column belongs to customer[i]
/// (a dense id from an IdInterner).
struct ProfileTable {
  std::vector<std::uint32_t> customer;
  std::vector<ProfileColumn> columns;

  /// The column called `name`, or nullptr.
  const ProfileColumn* find(std::string_view name) const noexcept {
    for (const auto& c : columns)
      if (c.name == name) return &c;
    return nullptr;
  }

  /// Throws InvalidInput unless every column has one value per row, and
  /// every text code is in its column's texts.
  void validate() const {
    for (const auto& c : columns) {
      if (c.size() != customer.size())
        throw InvalidInput("ProfileTable: column '" + c.name + "' has " +
                           std::to_string(c.size()) + " values for " +
                           std::to_string(customer.size()) + " rows");
      if (c.is_numeric()) continue;
      const TextColumn& text = std::get<1>(c.values);
      for (std::size_t i = 0; i < text.size(); ++i)
        if (text.codes[i] != TextColumn::missing && text.codes[i] >= text.texts.size())
          throw InvalidInput("ProfileTable: column '" + c.name + "', row " + std::to_string(i) +
                             ": code " + std::to_string(text.codes[i]) + " is not one of its texts");
    }
  }
};

}  // namespace leadscore
