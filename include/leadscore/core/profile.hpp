#pragma once
// Profile attributes: who a person or account is. Stored columnar, one
// column per field, each field tagged with the kind of fact it records.

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "leadscore/core/error.hpp"

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

/// One profile column. Numeric columns use NaN for a missing value; text
/// columns use std::nullopt.
struct ProfileColumn {
  std::string name;
  AttributeKind kind = AttributeKind::demographic;
  std::variant<std::vector<double>, std::vector<std::optional<std::string>>> values;

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

  /// Throws InvalidInput unless every column has one value per row.
  void validate() const {
    for (const auto& c : columns)
      if (c.size() != customer.size())
        throw InvalidInput("ProfileTable: column '" + c.name + "' has " +
                           std::to_string(c.size()) + " values for " +
                           std::to_string(customer.size()) + " rows");
  }
};

}  // namespace leadscore
