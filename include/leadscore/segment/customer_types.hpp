#pragma once
// Customer types derived from transactions and events, each with documented,
// configurable thresholds, plus the traits that tell potential customers
// apart. A customer may carry several types; every assignment says why.
//
//   new              first purchase at most `new_days` before as_of
//   browser          no purchase, and at least `intent_min_views` page views
//                    of an intent page (pricing, competitor) in the last
//                    `intent_window_days`
//   impulse          first purchase at most `impulse_max_hours` after the
//                    first touch (the first event; a customer with no event
//                    before the first purchase is not judged)
//   discount_driven  at least `discount_min_orders` purchases, of which more
//                    than `discount_min_share` discounted
//   angry            in the last `angry_window_days`: at least
//                    `angry_min_tickets` support tickets, or an NPS answer
//                    <= `nps_detractor_max` (survey_answer with property
//                    survey=nps), or a CSAT answer <= `csat_angry_max`
//                    (survey=csat)
//   loyal            purchases in at least `loyal_min_periods` different
//                    periods of `loyal_period_days` counted back from as_of,
//                    or repeat purchases and at least one referral
//
// Traits: purchase frequency class (frequent >= `frequent_per_year` orders a
// year since the first purchase, regular >= `regular_per_year`, sporadic
// otherwise, none without purchases), volume class (high: top
// `high_volume_share` of buyers by spend, low: bottom `low_volume_share`,
// medium between), influence (referrals made; `influencer_min_referrals`
// makes an influencer), and awareness, one class per customer with its
// evidence:
//   unaware        no purchase and fewer than `intent_min_views` intent page
//                  views in the last `intent_window_days` (not yet aware of
//                  the need we meet)
//   aware          no purchase, at least `intent_min_views` intent page views
//                  (a browser), not comparing
//   comparing      no purchase, at least `comparing_min_views` views of a
//                  `competitor_pages` page in the last `intent_window_days`
//                  (actively comparing us with competitors)
//   not_yet_loyal  purchased, not (yet) of the loyal type
//   loyal          of the loyal type

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/events.hpp"
#include "leadscore/core/transactions.hpp"

namespace leadscore::segment {

enum class CustomerType : std::uint8_t { new_customer, browser, impulse, discount_driven, angry, loyal };

constexpr std::string_view to_string(CustomerType t) noexcept {
  switch (t) {
    case CustomerType::new_customer: return "new";
    case CustomerType::browser: return "browser";
    case CustomerType::impulse: return "impulse";
    case CustomerType::discount_driven: return "discount_driven";
    case CustomerType::angry: return "angry";
    case CustomerType::loyal: return "loyal";
  }
  return "unknown";
}

struct CustomerTypesConfig {
  Day as_of = 0;  ///< required: events and purchases after it are an error
  int new_days = 30;
  int intent_min_views = 3;
  int intent_window_days = 90;
  std::vector<std::string> intent_pages{"pricing", "competitor"};
  std::string page_property = "page";
  double impulse_max_hours = 24;
  int discount_min_orders = 2;
  double discount_min_share = 0.5;
  int angry_window_days = 90;
  int angry_min_tickets = 2;
  double nps_detractor_max = 6;
  double csat_angry_max = 2;
  int loyal_min_periods = 2;
  int loyal_period_days = 365;
  double frequent_per_year = 6;
  double regular_per_year = 2;
  double high_volume_share = 0.2;
  double low_volume_share = 0.5;
  int influencer_min_referrals = 2;
  std::vector<std::string> competitor_pages{"competitor"};
  int comparing_min_views = 1;

  /// Throws InvalidInput naming the first field out of range.
  void validate() const;
};

struct TypeAssignment {
  std::uint32_t customer;
  CustomerType type;
  std::string evidence;  ///< for example "4 pricing/competitor page views in 90 days, no purchase"
};

struct CustomerTypes {
  std::vector<TypeAssignment> assignments;  ///< by customer, then type
  std::vector<std::string> frequency_class;  ///< per customer: frequent, regular, sporadic, none
  std::vector<std::string> volume_class;     ///< per customer: high, medium, low, none
  std::vector<std::uint32_t> referrals;      ///< per customer
  std::vector<std::uint8_t> influencer;      ///< per customer, 0/1
  /// per customer: unaware, aware, comparing, not_yet_loyal or loyal
  std::vector<std::string> awareness;
  std::vector<std::string> awareness_evidence;  ///< per customer
};

/// `events.customer` codes index `transactions.ids` (intern every record id
/// there first, buyers or not). Throws InvalidInput on an invalid batch, a
/// code outside the ids, or anything dated after as_of (naming the customer).
CustomerTypes customer_types(const TransactionBatch& transactions, const EventBatch& events,
                             const CustomerTypesConfig& config);

}  // namespace leadscore::segment
