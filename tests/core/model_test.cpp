#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "leadscore/core/date.hpp"
#include "leadscore/core/events.hpp"
#include "leadscore/core/ids.hpp"
#include "leadscore/core/lifecycle.hpp"
#include "leadscore/core/profile.hpp"
#include "leadscore/core/transactions.hpp"

namespace leadscore {
namespace {

TEST(Lifecycle, StagesAreOrderedAlongTheFunnel) {
  EXPECT_TRUE(is_further_than(LifecycleStage::prospect, LifecycleStage::lead));
  EXPECT_TRUE(is_further_than(LifecycleStage::advocate, LifecycleStage::loyal));
  EXPECT_FALSE(is_further_than(LifecycleStage::lead, LifecycleStage::opportunity));
  EXPECT_FALSE(is_further_than(LifecycleStage::churned, LifecycleStage::lead));
  EXPECT_FALSE(is_funnel_stage(LifecycleStage::at_risk));
  EXPECT_TRUE(has_purchased(LifecycleStage::churned));
  EXPECT_FALSE(has_purchased(LifecycleStage::opportunity));
  for (auto stage : all_lifecycle_stages) EXPECT_EQ(parse_lifecycle_stage(to_string(stage)), stage);
  EXPECT_FALSE(parse_lifecycle_stage("hot").has_value());
}

TEST(Profile, KindsRoundTripAndColumnsMustAgreeInLength) {
  for (auto kind : all_attribute_kinds) EXPECT_EQ(parse_attribute_kind(to_string(kind)), kind);
  ProfileTable t;
  t.customer = {0, 1};
  t.columns.push_back({"company_size", AttributeKind::firmographic, std::vector<double>{50, NAN}});
  t.columns.push_back({"job_title", AttributeKind::demographic,
                       std::vector<std::optional<std::string>>{"CTO", std::nullopt}});
  EXPECT_NO_THROW(t.validate());
  ASSERT_NE(t.find("job_title"), nullptr);
  EXPECT_FALSE(t.find("job_title")->is_numeric());
  t.columns.push_back({"country", AttributeKind::geographic, std::vector<double>{1}});
  EXPECT_THROW(t.validate(), InvalidInput);
}

TEST(Profile, TextColumnsStoreEachDistinctValueOnce) {
  TextColumn titles = std::vector<std::optional<std::string>>{"CTO", std::nullopt, "CEO", "CTO"};
  titles.push_back(std::string(40, 'x'));
  titles.push_back(std::nullopt);
  EXPECT_EQ(titles.size(), 6u);
  EXPECT_EQ(titles.texts.size(), 3u);
  EXPECT_EQ(titles.codes[0], titles.codes[3]);
  EXPECT_EQ(titles.codes[1], TextColumn::missing);
  EXPECT_EQ(titles[2], "CEO");
  EXPECT_EQ(titles[4], std::string(40, 'x'));
  EXPECT_FALSE(titles[5].has_value());
  const TextColumn listed{"a", std::nullopt, "a"};
  EXPECT_EQ(listed.texts.size(), 1u);
  EXPECT_FALSE(listed[1].has_value());

  ProfileTable t;
  t.customer = {0, 1, 2, 3, 4, 5};
  t.columns.push_back({"job_title", AttributeKind::demographic, titles});
  EXPECT_NO_THROW(t.validate());
  std::get<1>(t.columns[0].values).codes[2] = 3;  // one past its texts
  EXPECT_THROW(t.validate(), InvalidInput);
}

TEST(Events, HoldValuesAndPropertiesPerEvent) {
  for (auto type : all_event_types) EXPECT_EQ(parse_event_type(to_string(type)), type);
  EventBatch events;
  const EventProperty pricing[] = {{"page", "pricing"}};
  events.add(0, EventType::page_view, 100, NAN, pricing);
  events.add(0, EventType::survey_answer, 200, 9.0);
  events.add(1, EventType::purchase, 300, 49.5);
  EXPECT_NO_THROW(events.validate());
  EXPECT_EQ(events.size(), 3u);
  EXPECT_FALSE(events.has_value(0));
  EXPECT_EQ(events.property(0, "page"), "pricing");
  EXPECT_FALSE(events.property(1, "page").has_value());
  EXPECT_EQ(events.value[1], 9.0);
  events.time.pop_back();
  EXPECT_THROW(events.validate(), InvalidInput);
}

TEST(Events, StoreEachDistinctPropertyTextOnce) {
  EventBatch events;
  const std::string long_page(40, 'x');  // beyond any inline storage
  const EventProperty a[] = {{"page", "pricing"}, {"campaign", long_page}};
  const EventProperty b[] = {{"page", long_page}};
  events.add(0, EventType::page_view, 100, NAN, a);
  events.add(1, EventType::page_view, 200, NAN, b);
  events.add(2, EventType::page_view, 300, NAN, a);
  EXPECT_EQ(events.texts.size(), 4u);  // page, pricing, campaign, the long page
  EXPECT_EQ(events.properties_of(0)[1].value, events.properties_of(1)[0].value);
  EXPECT_EQ(events.texts.find("campaign"), events.properties_of(2)[1].key);
  EXPECT_EQ(events.texts.find("nowhere"), TextPool::npos);
  EXPECT_EQ(events.property(1, "page"), long_page);
  EXPECT_FALSE(events.property(1, "campaign").has_value());

  // Copies and moves keep the codes, and their views point into their own
  // strings: the source can go.
  auto source = std::make_unique<EventBatch>(events);
  EventBatch copy = *source;
  EventBatch moved = std::move(*source);
  source.reset();
  for (const EventBatch* e : {&copy, &moved}) {
    EXPECT_EQ(e->property(0, "campaign"), long_page);
    EXPECT_EQ(e->texts.find(long_page), events.texts.find(long_page));
    EXPECT_EQ(e->texts.find("pricing"), events.texts.find("pricing"));
  }
  copy = moved;
  EXPECT_EQ(copy.property(2, "page"), "pricing");
  const TextPool from = std::move(copy.texts);
  EXPECT_EQ(from.find("pricing"), events.texts.find("pricing"));
  TextPool& left = copy.texts;  // moved from, and still usable
  EXPECT_EQ(left.find("page"), TextPool::npos);
  EXPECT_EQ(left.intern("page"), 0u);
  EXPECT_EQ(left[0], "page");
  EXPECT_EQ(moved.texts.intern("new"), 4u);  // a moved pool goes on coding
  EXPECT_EQ(moved.texts.intern("pricing"), events.texts.find("pricing"));

  // Coded properties go in as they are.
  const PropertyCode coded[] = {{events.texts.find("page"), events.texts.find("pricing")}};
  events.add(3, EventType::page_view, 400, NAN, coded);
  EXPECT_EQ(events.property(3, "page"), "pricing");
  EXPECT_NO_THROW(events.validate());
}

TEST(Events, ValidateRejectsPropertiesOutOfPlace) {
  EventBatch events;
  const EventProperty page[] = {{"page", "pricing"}};
  events.add(0, EventType::page_view, 100, NAN, page);
  events.add(0, EventType::page_view, 200, NAN, page);
  EventBatch bad = events;
  bad.properties[1].value = 7;  // no such text
  EXPECT_THROW(bad.validate(), InvalidInput);
  bad = events;
  bad.property_begin[1] = 3;  // event 0 would end past the end of event 1
  EXPECT_THROW(bad.validate(), InvalidInput);
  bad = events;
  bad.properties.pop_back();
  EXPECT_THROW(bad.validate(), InvalidInput);
  EXPECT_NO_THROW(events.validate());
}

TEST(IdInterner, GivesDenseIdsInOrderOfFirstSight) {
  IdInterner ids;
  EXPECT_EQ(ids.intern("b"), 0u);
  EXPECT_EQ(ids.intern("a"), 1u);
  EXPECT_EQ(ids.intern("b"), 0u);
  EXPECT_EQ(ids.find("a"), 1);
  EXPECT_EQ(ids.find("zzz"), -1);
  for (int i = 0; i < 100000; ++i) ids.intern("customer-" + std::to_string(i));  // forces rehashes
  EXPECT_EQ(ids.size(), 100002u);
  EXPECT_EQ(ids.find("customer-77777"), 77779);
  EXPECT_EQ(ids.name(77779), "customer-77777");
}

TEST(Transactions, ValidateNamesTheCustomerWithABadAmount) {
  TransactionBatch tx;
  tx.add("ok", 0, 1);
  tx.add("broken", 0, -2);
  try {
    tx.validate();
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'broken'"), std::string::npos);
  }
}

TEST(DateFormat, ParsesIsoAndPatterns) {
  const Timestamp jan2 = Timestamp{*make_day(2024, 1, 2)} * seconds_per_day;
  const DateFormat iso("iso");
  EXPECT_EQ(iso.parse("2024-01-02"), jan2);
  EXPECT_EQ(iso.parse("2024-01-02T03:04:05"), jan2 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(iso.parse("2024-01-02 03:04:05.123Z"), jan2 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(iso.parse("2024-01-02T01:00:00+02:00"), jan2 - 3600);
  EXPECT_FALSE(iso.parse("2024-1-2"));
  EXPECT_FALSE(iso.parse("2024-01-02T25:00"));
  EXPECT_FALSE(iso.parse("2023-02-29"));
  EXPECT_EQ(iso.parse("2024-02-29"), Timestamp{*make_day(2024, 2, 29)} * seconds_per_day);
  EXPECT_EQ(DateFormat("%Y%m%d").parse("20240102"), jan2);
  EXPECT_FALSE(DateFormat("%Y%m%d").parse("2024012"));
  EXPECT_EQ(DateFormat("%d/%m/%Y").parse("2/1/2024"), jan2);
  EXPECT_EQ(DateFormat("%m/%d/%Y %H:%M").parse("01/02/2024 13:30"), jan2 + 13 * 3600 + 1800);
  EXPECT_EQ(DateFormat("%Y-%m-%d").parse("1969-12-31"), -seconds_per_day);
  EXPECT_EQ(day_of(-1), -1);  // before the epoch: floor, not truncation
  EXPECT_THROW(DateFormat("%Y-%m"), InvalidInput);
  EXPECT_THROW(DateFormat("%Y-%m-%d %Q"), InvalidInput);
  EXPECT_EQ(format_day(*make_day(1997, 9, 30)), "1997-09-30");
  EXPECT_EQ(parse_day_argument("19970930", "x"), *make_day(1997, 9, 30));
  EXPECT_THROW(parse_day_argument("30.9.1997", "--calibration-end"), InvalidInput);
}

}  // namespace
}  // namespace leadscore
