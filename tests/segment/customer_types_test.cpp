#include "leadscore/segment/customer_types.hpp"

#include <gtest/gtest.h>

#include <map>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {
namespace {

Timestamp at(int m, unsigned d, int hour = 12) {
  return Timestamp{*make_day(2024, static_cast<unsigned>(m), d)} * seconds_per_day + hour * 3600;
}

// Type -> evidence of one customer.
std::map<CustomerType, std::string> types_of(const CustomerTypes& t, std::uint32_t who) {
  std::map<CustomerType, std::string> out;
  for (const auto& a : t.assignments)
    if (a.customer == who) out[a.type] = a.evidence;
  return out;
}

struct World {
  TransactionBatch tx;
  EventBatch ev;
  std::uint32_t id(const char* name) { return tx.ids.intern(name); }
  void buy(const char* who, Timestamp t, double amount, bool discount = false) {
    tx.add(who, t, amount);
    tx.discounted.push_back(discount);
  }
  void event(const char* who, EventType type, Timestamp t, double value = NAN, std::vector<EventProperty> p = {}) {
    ev.add(id(who), type, t, value, p);
  }
};

TEST(SegmentCustomerTypes, EachTypeWithItsEvidence) {
  World w;
  // newbie: one purchase 10 days before as-of, 3 days after first touch.
  w.event("newbie", EventType::email_click, at(6, 17));
  w.buy("newbie", at(6, 20), 50);
  // browser: 3 pricing/competitor views, no purchase; window 90 days.
  for (unsigned d : {1u, 5u, 9u})
    w.event("browser", EventType::page_view, at(6, d), NAN, {{"page", d == 5 ? "competitor" : "pricing"}});
  w.event("browser", EventType::page_view, at(6, 10), NAN, {{"page", "blog"}});
  // impulse: bought 2 hours after the first touch.
  w.event("impulse", EventType::page_view, at(3, 1, 10), NAN, {{"page", "product"}});
  w.buy("impulse", at(3, 1, 12), 20);
  // deals: 3 of 4 purchases discounted.
  for (unsigned d : {1u, 2u, 3u, 4u}) w.buy("deals", at(2, d), 10, d != 4);
  // angry: NPS 3, and 2 tickets.
  w.buy("angry", at(1, 5), 100);
  w.event("angry", EventType::survey_answer, at(6, 1), 3, {{"survey", "nps"}});
  w.event("angry", EventType::support_ticket, at(6, 2));
  w.event("angry", EventType::support_ticket, at(6, 3));
  // loyal: purchases in 2023 and 2024 (periods of 365 days back from as-of); 2 referrals.
  w.buy("loyal", at(1, 10) - 200 * seconds_per_day, 500);
  w.buy("loyal", at(5, 1), 500);
  w.event("loyal", EventType::referral, at(5, 2));
  w.event("loyal", EventType::referral, at(5, 3));
  CustomerTypesConfig c;
  c.as_of = *make_day(2024, 6, 30);
  const auto t = customer_types(w.tx, w.ev, c);

  const auto newbie = types_of(t, w.id("newbie"));
  ASSERT_TRUE(newbie.count(CustomerType::new_customer));
  EXPECT_EQ(newbie.at(CustomerType::new_customer), "first purchase 10 days before the as-of date");
  EXPECT_FALSE(newbie.count(CustomerType::impulse));  // 72 hours of research
  const auto browser = types_of(t, w.id("browser"));
  EXPECT_EQ(browser.at(CustomerType::browser), "3 pricing/competitor page views in 90 days, no purchase");
  EXPECT_EQ(types_of(t, w.id("impulse")).at(CustomerType::impulse), "first purchase 2.0 hours after the first touch");
  EXPECT_EQ(types_of(t, w.id("deals")).at(CustomerType::discount_driven), "3 of 4 purchases discounted");
  EXPECT_EQ(types_of(t, w.id("angry")).at(CustomerType::angry), "2 support tickets in 90 days; NPS 3");
  EXPECT_EQ(types_of(t, w.id("loyal")).at(CustomerType::loyal), "purchases in 2 periods of 365 days");
  EXPECT_FALSE(types_of(t, w.id("deals")).count(CustomerType::loyal));    // one period, no referral
  EXPECT_FALSE(types_of(t, w.id("deals")).count(CustomerType::impulse));  // no touch before buying

  EXPECT_EQ(t.referrals[w.id("loyal")], 2u);
  EXPECT_EQ(t.influencer[w.id("loyal")], 1);
  EXPECT_EQ(t.frequency_class[w.id("browser")], "none");
  EXPECT_EQ(t.frequency_class[w.id("deals")], "frequent");   // 4 orders in 0.41 years: 9.7 a year
  EXPECT_EQ(t.frequency_class[w.id("impulse")], "regular");  // 1 in 0.33 years: 3.0 a year
  EXPECT_EQ(t.frequency_class[w.id("loyal")], "sporadic");   // 2 in 1.02 years
  EXPECT_EQ(t.volume_class[w.id("loyal")], "high");
  EXPECT_EQ(t.volume_class[w.id("impulse")], "low");
}

TEST(SegmentCustomerTypes, AwarenessClassesWithTheirEvidence) {
  World w;
  w.event("unaware", EventType::email_open, at(6, 1));
  w.event("unaware", EventType::page_view, at(6, 2), NAN, {{"page", "pricing"}});
  for (unsigned d : {1u, 2u, 3u}) w.event("aware", EventType::page_view, at(6, d), NAN, {{"page", "pricing"}});
  w.event("comparing", EventType::page_view, at(6, 4), NAN, {{"page", "competitor"}});
  w.event("comparing", EventType::page_view, at(2, 1), NAN, {{"page", "competitor"}});  // outside 90 days
  w.buy("once", at(5, 1), 10);
  w.buy("loyal", at(1, 10) - 200 * seconds_per_day, 500);
  w.buy("loyal", at(5, 1), 500);
  CustomerTypesConfig c;
  c.as_of = *make_day(2024, 6, 30);
  auto t = customer_types(w.tx, w.ev, c);
  const auto is = [&](const char* who, const char* cls, const char* why) {
    EXPECT_EQ(t.awareness[w.id(who)], cls) << who;
    EXPECT_EQ(t.awareness_evidence[w.id(who)], why) << who;
  };
  is("unaware", "unaware", "1 intent page views in 90 days (fewer than 3), no purchase");
  is("aware", "aware", "3 pricing/competitor page views in 90 days, no purchase");
  is("comparing", "comparing", "1 competitor page views in 90 days, no purchase");
  is("once", "not_yet_loyal", "1 purchase(s) in 1 period(s) of 365 days, 0 referral(s)");
  is("loyal", "loyal", "purchases in 2 periods of 365 days");
  // Configurable: two competitor views to count as comparing; pricing as a competitor page.
  c.comparing_min_views = 2;
  t = customer_types(w.tx, w.ev, c);
  EXPECT_EQ(t.awareness[w.id("comparing")], "unaware");
  c.comparing_min_views = 1;
  c.competitor_pages = {"pricing"};
  t = customer_types(w.tx, w.ev, c);
  EXPECT_EQ(t.awareness[w.id("unaware")], "comparing");
  c.competitor_pages.clear();
  EXPECT_THROW(customer_types(w.tx, w.ev, c), InvalidInput);
  c.competitor_pages = {"competitor"};
  c.comparing_min_views = 0;
  EXPECT_THROW(customer_types(w.tx, w.ev, c), InvalidInput);
}

TEST(SegmentCustomerTypes, ThresholdsAreConfigurable) {
  World w;
  for (unsigned d : {1u, 2u}) w.event("b", EventType::page_view, at(6, d), NAN, {{"page", "pricing"}});
  CustomerTypesConfig c;
  c.as_of = *make_day(2024, 6, 30);
  EXPECT_TRUE(customer_types(w.tx, w.ev, c).assignments.empty());
  c.intent_min_views = 2;
  EXPECT_EQ(customer_types(w.tx, w.ev, c).assignments.size(), 1u);
  c.intent_window_days = 20;  // the views are 28 and 29 days old
  EXPECT_TRUE(customer_types(w.tx, w.ev, c).assignments.empty());
}

TEST(SegmentCustomerTypes, RejectsBadInput) {
  World w;
  w.buy("a", at(7, 1), 10);
  CustomerTypesConfig c;
  c.as_of = *make_day(2024, 6, 30);
  try {
    customer_types(w.tx, w.ev, c);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos);
  }
  c.as_of = *make_day(2024, 12, 31);
  c.discount_min_share = 1.5;
  EXPECT_THROW(customer_types(w.tx, w.ev, c), InvalidInput);
  c.discount_min_share = 0.5;
  w.ev.add(7, EventType::referral, at(1, 1));
  EXPECT_THROW(customer_types(w.tx, w.ev, c), InvalidInput);
}

}  // namespace
}  // namespace leadscore::segment
