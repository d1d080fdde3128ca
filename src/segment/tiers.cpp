// Loyalty tiers; see leadscore/segment/tiers.hpp.
#include "leadscore/segment/tiers.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

std::vector<Tier> TierConfig::parse_tiers(std::string_view text) {
  std::vector<Tier> tiers;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0)
      throw InvalidInput("tiers: '" + std::string(item) + "' is not NAME:THRESHOLD");
    Tier t{std::string(item.substr(0, colon)), 0};
    const std::string_view num = item.substr(colon + 1);
    const auto res = fast_float::from_chars(num.data(), num.data() + num.size(), t.threshold);
    if (res.ec != std::errc() || res.ptr != num.data() + num.size() || num.empty())
      throw InvalidInput("tiers: threshold of '" + t.name + "' is not a number: '" + std::string(num) + "'");
    tiers.push_back(std::move(t));
    start = comma + 1;
  }
  return tiers;
}

TierMeasure TierConfig::parse_measure(std::string_view text) {
  if (text == "spend") return TierMeasure::spend;
  if (text == "orders") return TierMeasure::orders;
  if (text == "points") return TierMeasure::points;
  throw InvalidInput("tier measure must be spend, orders or points, got '" + std::string(text) + "'");
}

void TierConfig::validate() const {
  if (tiers.empty()) throw InvalidInput("TierConfig: no tiers");
  if (tiers.size() > 250) throw InvalidInput("TierConfig: too many tiers");
  std::set<std::string> seen{none};
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    if (tiers[i].name.empty()) throw InvalidInput("TierConfig: tier " + std::to_string(i) + " has no name");
    if (!seen.insert(tiers[i].name).second)
      throw InvalidInput("TierConfig: duplicate tier name '" + tiers[i].name + "'");
    if (!std::isfinite(tiers[i].threshold) || (i > 0 && tiers[i].threshold <= tiers[i - 1].threshold))
      throw InvalidInput("TierConfig: threshold of '" + tiers[i].name + "' must be finite and above the one before");
  }
  if (!std::isfinite(points_per_spend) || !std::isfinite(points_per_order))
    throw InvalidInput("TierConfig: points per spend and per order must be finite");
}

std::vector<std::uint8_t> assign_tiers(const TierConfig& config, std::span<const double> orders,
                                       std::span<const double> spend) {
  config.validate();
  if (orders.size() != spend.size()) throw InvalidInput("assign_tiers: orders and spend differ in length");
  std::vector<double> thresholds;
  for (const auto& t : config.tiers) thresholds.push_back(t.threshold);
  std::vector<std::uint8_t> out(orders.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(orders[i]) || !std::isfinite(spend[i]))
      throw InvalidInput("assign_tiers: orders or spend of row " + std::to_string(i) + " is not finite");
    const double v = config.measure == TierMeasure::spend    ? spend[i]
                     : config.measure == TierMeasure::orders ? orders[i]
                         : spend[i] * config.points_per_spend + orders[i] * config.points_per_order;
    // Number of thresholds <= v; 0 means below the first tier.
    const auto k = std::upper_bound(thresholds.begin(), thresholds.end(), v) - thresholds.begin();
    out[i] = static_cast<std::uint8_t>(k == 0 ? thresholds.size() : static_cast<std::size_t>(k - 1));
  }
  return out;
}

}  // namespace leadscore::segment
