// Customer types and traits; see leadscore/segment/customer_types.hpp.
#include "leadscore/segment/customer_types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <set>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

void CustomerTypesConfig::validate() const {
  const auto need = [](bool ok, const char* field) {
    if (!ok) throw InvalidInput(std::string("CustomerTypesConfig: ") + field + " is out of range");
  };
  need(new_days >= 0, "new_days");
  need(intent_min_views >= 1, "intent_min_views");
  need(intent_window_days >= 1, "intent_window_days");
  need(!intent_pages.empty(), "intent_pages");
  need(impulse_max_hours >= 0 && std::isfinite(impulse_max_hours), "impulse_max_hours");
  need(discount_min_orders >= 1, "discount_min_orders");
  need(discount_min_share >= 0 && discount_min_share < 1, "discount_min_share");
  need(angry_window_days >= 1, "angry_window_days");
  need(angry_min_tickets >= 1, "angry_min_tickets");
  need(std::isfinite(nps_detractor_max) && std::isfinite(csat_angry_max), "nps_detractor_max / csat_angry_max");
  need(loyal_min_periods >= 2, "loyal_min_periods");
  need(loyal_period_days >= 1, "loyal_period_days");
  need(regular_per_year > 0 && frequent_per_year > regular_per_year, "regular_per_year / frequent_per_year");
  need(high_volume_share > 0 && low_volume_share > 0 && high_volume_share + low_volume_share <= 1,
       "high_volume_share / low_volume_share");
  need(influencer_min_referrals >= 1, "influencer_min_referrals");
  need(!competitor_pages.empty(), "competitor_pages");
  need(comparing_min_views >= 1, "comparing_min_views");
}

namespace {

// printf-style formatting of evidence strings.
template <class... Args>
std::string text(const char* format, Args... args) {
  char buf[160];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

struct Acc {
  std::int64_t orders = 0, discounted = 0;
  Timestamp first_purchase = std::numeric_limits<Timestamp>::max();
  Timestamp first_touch = std::numeric_limits<Timestamp>::max();
  double spend = 0;
  std::set<std::int64_t> periods;
  int intent_views = 0, competitor_views = 0, tickets = 0;
  std::uint32_t referrals = 0;
  double worst_nps = std::numeric_limits<double>::infinity(), worst_csat = std::numeric_limits<double>::infinity();
};

}  // namespace

CustomerTypes customer_types(const TransactionBatch& tx, const EventBatch& events, const CustomerTypesConfig& c) {
  c.validate();
  tx.validate();
  events.validate();
  const std::size_t n = tx.n_customers();
  const Timestamp end = (static_cast<Timestamp>(c.as_of) + 1) * seconds_per_day;
  const Timestamp day = seconds_per_day;
  std::vector<Acc> acc(n);
  for (std::size_t i = 0; i < tx.size(); ++i) {
    auto& a = acc[tx.customer[i]];
    const Timestamp t = tx.time[i];
    if (t >= end)
      throw InvalidInput("customer_types: customer '" + tx.ids.name(tx.customer[i]) + "' has a purchase after the as-of date");
    ++a.orders;
    a.spend += tx.amount[i];
    if (!tx.discounted.empty() && tx.discounted[i]) ++a.discounted;
    a.first_purchase = std::min(a.first_purchase, t);
    a.periods.insert((end - 1 - t) / (static_cast<Timestamp>(c.loyal_period_days) * day));
  }
  const Timestamp intent_from = end - static_cast<Timestamp>(c.intent_window_days) * day;
  const Timestamp angry_from = end - static_cast<Timestamp>(c.angry_window_days) * day;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events.customer[i] >= n)
      throw InvalidInput("customer_types: event row " + std::to_string(i) + " refers to an unknown customer");
    auto& a = acc[events.customer[i]];
    const Timestamp t = events.time[i];
    if (t >= end)
      throw InvalidInput("customer_types: customer '" + tx.ids.name(events.customer[i]) +
                         "' has an event after the as-of date");
    a.first_touch = std::min(a.first_touch, t);
    switch (events.type[i]) {
      case EventType::page_view:
        if (t >= intent_from) {
          const auto page = events.property(i, c.page_property);
          if (page && std::find(c.intent_pages.begin(), c.intent_pages.end(), *page) != c.intent_pages.end())
            ++a.intent_views;
          if (page && std::find(c.competitor_pages.begin(), c.competitor_pages.end(), *page) != c.competitor_pages.end())
            ++a.competitor_views;
        }
        break;
      case EventType::support_ticket:
        if (t >= angry_from) ++a.tickets;
        break;
      case EventType::survey_answer:
        if (t >= angry_from && events.has_value(i)) {
          const auto survey = events.property(i, "survey");
          if (survey == "nps") a.worst_nps = std::min(a.worst_nps, events.value[i]);
          if (survey == "csat") a.worst_csat = std::min(a.worst_csat, events.value[i]);
        }
        break;
      case EventType::referral:
        ++a.referrals;
        break;
      default:
        break;
    }
  }

  CustomerTypes out;
  out.frequency_class.resize(n);
  out.volume_class.resize(n);
  out.referrals.resize(n);
  out.influencer.resize(n);
  out.awareness.resize(n);
  out.awareness_evidence.resize(n);
  // Spend thresholds for the volume classes, among buyers.
  std::vector<double> spend;
  for (const auto& a : acc)
    if (a.orders > 0) spend.push_back(a.spend);
  std::sort(spend.begin(), spend.end());
  const auto at_share = [&](double share) {
    if (spend.empty()) return 0.0;
    const auto k = std::min(spend.size() - 1, static_cast<std::size_t>(share * static_cast<double>(spend.size())));
    return spend[k];
  };
  const double high_from = at_share(1.0 - c.high_volume_share);
  const double low_below = at_share(c.low_volume_share);

  for (std::size_t id = 0; id < n; ++id) {
    const Acc& a = acc[id];
    const auto who = static_cast<std::uint32_t>(id);
    const auto add = [&](CustomerType t, std::string why) { out.assignments.push_back({who, t, std::move(why)}); };
    if (a.orders > 0) {
      const Timestamp since = end - a.first_purchase;
      if (since <= static_cast<Timestamp>(c.new_days + 1) * day && since > 0)
        add(CustomerType::new_customer, text("first purchase %lld days before the as-of date",
                                               static_cast<long long>((since - 1) / day)));
    } else if (a.intent_views >= c.intent_min_views) {
      add(CustomerType::browser, text("%d pricing/competitor page views in %d days, no purchase",
                                        a.intent_views, c.intent_window_days));
    }
    if (a.orders > 0) {
      // Only a touch before the purchase shows how long they took; a first
      // purchase with no earlier event says nothing about research.
      const double hours = static_cast<double>(a.first_purchase - a.first_touch) / 3600.0;
      if (a.first_touch <= a.first_purchase && hours <= c.impulse_max_hours)
        add(CustomerType::impulse, text("first purchase %.1f hours after the first touch", hours));
      const double share = static_cast<double>(a.discounted) / static_cast<double>(a.orders);
      if (a.orders >= c.discount_min_orders && share > c.discount_min_share)
        add(CustomerType::discount_driven, text("%lld of %lld purchases discounted", static_cast<long long>(a.discounted),
                                                   static_cast<long long>(a.orders)));
    }
    std::string angry;
    if (a.tickets >= c.angry_min_tickets) angry = text("%d support tickets in %d days", a.tickets, c.angry_window_days);
    if (a.worst_nps <= c.nps_detractor_max)
      angry += (angry.empty() ? "" : "; ") + text("NPS %g", a.worst_nps);
    if (a.worst_csat <= c.csat_angry_max)
      angry += (angry.empty() ? "" : "; ") + text("CSAT %g", a.worst_csat);
    if (!angry.empty()) add(CustomerType::angry, angry);
    const auto periods = static_cast<int>(a.periods.size());
    std::string loyal;
    if (periods >= c.loyal_min_periods)
      loyal = text("purchases in %d periods of %d days", periods, c.loyal_period_days);
    else if (a.orders >= 2 && a.referrals >= 1)
      loyal = text("%lld purchases and %u referrals", static_cast<long long>(a.orders), a.referrals);
    if (!loyal.empty()) add(CustomerType::loyal, loyal);

    // Awareness: one class each.
    std::string& aware = out.awareness[id];
    std::string& why = out.awareness_evidence[id];
    if (a.orders > 0 && !loyal.empty()) {
      aware = "loyal", why = loyal;
    } else if (a.orders > 0) {
      aware = "not_yet_loyal";
      why = text("%lld purchase(s) in %d period(s) of %d days, %u referral(s)", static_cast<long long>(a.orders),
                 periods, c.loyal_period_days, a.referrals);
    } else if (a.competitor_views >= c.comparing_min_views) {
      aware = "comparing";
      why = text("%d competitor page views in %d days, no purchase", a.competitor_views, c.intent_window_days);
    } else if (a.intent_views >= c.intent_min_views) {
      aware = "aware";
      why = text("%d pricing/competitor page views in %d days, no purchase", a.intent_views, c.intent_window_days);
    } else {
      aware = "unaware";
      why = text("%d intent page views in %d days (fewer than %d), no purchase", a.intent_views, c.intent_window_days,
                 c.intent_min_views);
    }

    // Traits.
    if (a.orders == 0) {
      out.frequency_class[id] = "none";
      out.volume_class[id] = "none";
    } else {
      const double years = std::max(static_cast<double>(end - a.first_purchase) / (365.25 * day), 1.0 / 12);
      const double per_year = static_cast<double>(a.orders) / years;
      out.frequency_class[id] = per_year >= c.frequent_per_year ? "frequent"
                                : per_year >= c.regular_per_year ? "regular"
                                                                 : "sporadic";
      out.volume_class[id] = a.spend >= high_from ? "high" : a.spend < low_below ? "low" : "medium";
    }
    out.referrals[id] = a.referrals;
    out.influencer[id] = a.referrals >= static_cast<std::uint32_t>(c.influencer_min_referrals);
  }
  return out;
}

}  // namespace leadscore::segment
