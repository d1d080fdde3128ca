#pragma once
// Lifecycle stages of a customer record, in funnel order.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace leadscore {

/// Where a record stands. The first seven are ordered: a later stage means
/// further along (lead < prospect < ... < advocate). at_risk and churned are
/// states of a customer that sit outside that order.
enum class LifecycleStage : std::uint8_t {
  lead,         ///< showed some interest, little known
  prospect,     ///< need and interest assessed: probably wants what we sell
  opportunity,  ///< need clear, budget known, ready to close
  customer,     ///< bought at least once
  repeat,       ///< bought again
  loyal,        ///< keeps choosing us over competitors
  advocate,     ///< loyal and refers others
  at_risk,      ///< a customer likely to lapse
  churned,      ///< a customer who has lapsed
};

inline constexpr std::array<LifecycleStage, 9> all_lifecycle_stages{
    LifecycleStage::lead,     LifecycleStage::prospect, LifecycleStage::opportunity,
    LifecycleStage::customer, LifecycleStage::repeat,   LifecycleStage::loyal,
    LifecycleStage::advocate, LifecycleStage::at_risk,  LifecycleStage::churned};

constexpr std::string_view to_string(LifecycleStage stage) noexcept {
  switch (stage) {
    case LifecycleStage::lead: return "lead";
    case LifecycleStage::prospect: return "prospect";
    case LifecycleStage::opportunity: return "opportunity";
    case LifecycleStage::customer: return "customer";
    case LifecycleStage::repeat: return "repeat";
    case LifecycleStage::loyal: return "loyal";
    case LifecycleStage::advocate: return "advocate";
    case LifecycleStage::at_risk: return "at_risk";
    case LifecycleStage::churned: return "churned";
  }
  return "unknown";
}

constexpr std::optional<LifecycleStage> parse_lifecycle_stage(std::string_view text) noexcept {
  for (auto stage : all_lifecycle_stages)
    if (to_string(stage) == text) return stage;
  return std::nullopt;
}

/// True for the seven ordered funnel stages (not at_risk or churned).
constexpr bool is_funnel_stage(LifecycleStage stage) noexcept {
  return stage <= LifecycleStage::advocate;
}

/// True once a record has bought: customer and every stage after it,
/// including at_risk and churned (a churned customer was still a customer).
constexpr bool has_purchased(LifecycleStage stage) noexcept {
  return stage >= LifecycleStage::customer;
}

/// Funnel order: is `a` further along than `b`? Only defined between funnel
/// stages; at_risk and churned compare as not further than anything.
constexpr bool is_further_than(LifecycleStage a, LifecycleStage b) noexcept {
  return is_funnel_stage(a) && is_funnel_stage(b) && a > b;
}

}  // namespace leadscore
