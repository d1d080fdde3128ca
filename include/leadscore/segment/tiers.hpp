#pragma once
// Loyalty tiers: bronze / silver / gold / ... by spend, orders or points.
//
//   segment::TierConfig config;                // bronze 0, silver 500, gold 2000, platinum 10000 spend
//   auto tiers = segment::assign_tiers(config, values.frequency, values.monetary);
//
// A customer gets the highest tier whose threshold their measure reaches
// (measure >= threshold). Points are spend * points_per_spend + orders *
// points_per_order.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore::segment {

enum class TierMeasure { spend, orders, points };

struct Tier {
  std::string name;
  double threshold = 0;  ///< the least measure that earns this tier
};

struct TierConfig {
  TierMeasure measure = TierMeasure::spend;
  /// Ascending thresholds; the first should be 0 so every customer has a
  /// tier (a customer below the first threshold gets `none`).
  std::vector<Tier> tiers{{"bronze", 0}, {"silver", 500}, {"gold", 2000}, {"platinum", 10000}};
  double points_per_spend = 1.0;
  double points_per_order = 0.0;
  std::string none = "none";

  /// "bronze:0,silver:500,gold:2000"; throws InvalidInput naming the bad item.
  static std::vector<Tier> parse_tiers(std::string_view text);
  /// "spend", "orders" or "points"; throws InvalidInput otherwise.
  static TierMeasure parse_measure(std::string_view text);
  /// Throws InvalidInput on no tiers, an empty or duplicate name, or
  /// thresholds that are not finite and strictly ascending.
  void validate() const;
};

/// The tier index per customer (tiers.size() for `none`). `orders` and
/// `spend` are per customer, of equal length; spend is total spend.
/// Throws InvalidInput on mismatched lengths or a value that is not finite.
std::vector<std::uint8_t> assign_tiers(const TierConfig& config, std::span<const double> orders,
                                       std::span<const double> spend);

/// The name of a tier index from assign_tiers.
inline const std::string& tier_name(const TierConfig& config, std::size_t index) {
  return index < config.tiers.size() ? config.tiers[index].name : config.none;
}

}  // namespace leadscore::segment
