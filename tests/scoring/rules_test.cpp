// Rule-based lead scoring: a hand-computed example, the shipped templates,
// bulk vs incremental on random streams, invalid rule sets and files, and
// save/load round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <random>

#include "../temp_file.hpp"
#include "../test_data.hpp"
#include "leadscore/scoring/rules.hpp"
#include "leadscore/scoring/rules_io.hpp"
#include "leadscore/scoring/rules_simulate.hpp"

namespace leadscore::scoring {
namespace {

using test::TempFile;
constexpr Timestamp day = seconds_per_day;
const Timestamp as_of = Timestamp{19905} * day;  // 2024-07-01

const char* small_rules = R"({
  "groups": [
    {"name": "fit", "max": 30},
    {"name": "engagement", "decay": {"half_life_days": 10}},
    {"name": "intent", "decay": {"expire_days": 7}}
  ],
  "rules": [
    {"id": "title", "group": "fit", "points": 20, "when": {"field": "job_title", "in": ["CEO", "CTO"]}},
    {"id": "big", "group": "fit", "points": 15, "when": {"field": "company_size", "gte": 100}},
    {"id": "freemail", "group": "fit", "points": -10, "when": {"field": "email", "ends_with": "@gmail.com"}},
    {"id": "pricing", "group": "engagement", "points": 4, "max_points": 10,
     "each": {"event": "page_view", "where": {"page": "pricing"}, "within_days": 30}},
    {"id": "demo", "group": "intent", "points": 50, "when": {"event": "demo_request", "within_days": 14}}
  ],
  "grade": {"group": "fit", "bands": [{"label": "A", "min": 25}, {"label": "B", "min": 10}, {"label": "C"}]},
  "level": {"group": "engagement", "bands": [{"label": "1", "min": 8}, {"label": "2", "min": 3}, {"label": "3"}]},
  "qualification": {"stage_field": "stage", "stages": [
    {"stage": "prospect", "when": {"score": "engagement", "gte": 3}},
    {"stage": "opportunity", "when": {"all": [{"score": "intent", "gte": 1}, {"score": "fit", "gte": 25}]}}
  ]}
})";

using Text = std::vector<std::optional<std::string>>;

ProfileTable small_profiles() {
  ProfileTable p;
  p.customer = {0, 1, 2};
  p.columns.push_back({"job_title", AttributeKind::demographic, Text{"CEO", "Student", "CTO"}});
  p.columns.push_back({"company_size", AttributeKind::firmographic,
                       std::vector<double>{200, std::nan(""), 50}});
  p.columns.push_back({"email", AttributeKind::demographic, Text{"a@acme.com", "x@gmail.com", std::nullopt}});
  p.columns.push_back({"stage", AttributeKind::source, Text{"lead", "customer", "lead"}});
  return p;
}

EventBatch small_events() {
  EventBatch e;
  const EventProperty pricing{"page", "pricing"};
  for (int age : {0, 10, 20, 40}) e.add(0, EventType::page_view, as_of - age * day, NAN, {&pricing, 1});
  e.add(0, EventType::demo_request, as_of - 10 * day);
  for (int k = 0; k < 5; ++k) e.add(1, EventType::page_view, as_of - day, NAN, {&pricing, 1});
  e.add(1, EventType::demo_request, as_of - 2 * day);
  e.add(2, EventType::demo_request, as_of + day);  // after the scoring time: ignored
  return e;
}

TEST(RulesScoring, HandComputedExample) {
  const RuleEngine engine(parse_rule_set(small_rules));
  const RuleScores s = engine.score(small_profiles(), small_events(), as_of);
  ASSERT_EQ(s.size(), 3u);

  // Lead 0: fit 20 + 15 capped at 30 (reasons scaled by 30/35); pricing
  // 4 * (1 + 1/2 + 1/4) = 7 (the 40-day-old visit is outside the window);
  // the demo request is 10 days old, past the intent group's 7-day expiry.
  EXPECT_DOUBLE_EQ(s.group(0, 0), 30);
  EXPECT_DOUBLE_EQ(s.group(0, 1), 7);
  EXPECT_DOUBLE_EQ(s.group(0, 2), 0);
  EXPECT_DOUBLE_EQ(s.total[0], 37);
  EXPECT_EQ(engine.label(s.grade[0], s.level[0]), "A2");
  EXPECT_EQ(s.stage[0], LifecycleStage::prospect);
  const auto r0 = s.reasons_of(0);
  ASSERT_EQ(r0.size(), 3u);
  EXPECT_EQ(engine.rules().rules[r0[0].rule].id, "title");
  EXPECT_DOUBLE_EQ(r0[0].points, 20.0 * 30 / 35);
  EXPECT_EQ(engine.rules().rules[r0[1].rule].id, "big");
  EXPECT_DOUBLE_EQ(r0[1].points, 15.0 * 30 / 35);
  EXPECT_EQ(engine.rules().rules[r0[2].rule].id, "pricing");
  EXPECT_DOUBLE_EQ(r0[2].points, 7);

  // Lead 1: free mail -10; five pricing visits a day old, 20 * 2^-0.1,
  // capped at 10; a fresh demo request 50. A customer stays a customer.
  EXPECT_DOUBLE_EQ(s.group(1, 0), -10);
  EXPECT_DOUBLE_EQ(s.group(1, 1), 10);
  EXPECT_DOUBLE_EQ(s.group(1, 2), 50);
  EXPECT_DOUBLE_EQ(s.total[1], 50);
  EXPECT_EQ(engine.label(s.grade[1], s.level[1]), "C1");
  EXPECT_EQ(s.stage[1], LifecycleStage::customer);
  ASSERT_EQ(s.reasons_of(1).size(), 3u);
  EXPECT_EQ(engine.rules().rules[s.reasons_of(1)[0].rule].id, "demo");

  // Lead 2: CTO only; no e-mail (ends_with fails on a missing value); the
  // demo request lies in the future.
  EXPECT_DOUBLE_EQ(s.total[2], 20);
  EXPECT_EQ(engine.label(s.grade[2], s.level[2]), "B3");
  EXPECT_EQ(s.stage[2], LifecycleStage::lead);

  // A day later the demo request counts: lead 2 has intent but fit 20 < 25.
  const RuleScores later = engine.score(small_profiles(), small_events(), as_of + 2 * day);
  EXPECT_DOUBLE_EQ(later.group(2, 2), 50);
  EXPECT_EQ(later.stage[2], LifecycleStage::lead);
}

TEST(RulesScoring, OpportunityNeedsIntentAndFit) {
  const RuleEngine engine(parse_rule_set(small_rules));
  EventBatch e = small_events();
  e.add(0, EventType::demo_request, as_of - 3 * day);
  const RuleScores s = engine.score(small_profiles(), e, as_of);
  EXPECT_DOUBLE_EQ(s.group(0, 2), 50);
  EXPECT_EQ(s.stage[0], LifecycleStage::opportunity);
}

TEST(RulesScoring, IncrementalMatchesHandExample) {
  const RuleEngine engine(parse_rule_set(small_rules));
  const ProfileTable p = small_profiles();
  const EventBatch e = small_events();
  const RuleScores bulk = engine.score(p, e, as_of);
  const ProfileBinding b = engine.bind(p);
  for (std::uint32_t lead = 0; lead < 3; ++lead) {
    LeadState st = engine.new_state();
    for (std::size_t i = e.size(); i-- > 0;)  // newest first: out of order
      if (e.customer[i] == lead) engine.update(st, e, i);
    const LeadScore one = engine.score_one(b, lead, st, as_of);
    EXPECT_EQ(one.total, bulk.total[lead]);
    EXPECT_EQ(one.stage, bulk.stage[lead]);
  }
}

void expect_same(const LeadScore& a, const LeadScore& b, std::size_t lead) {
  ASSERT_EQ(a.total, b.total) << "lead " << lead;
  ASSERT_EQ(a.groups, b.groups) << "lead " << lead;
  ASSERT_EQ(a.grade, b.grade) << "lead " << lead;
  ASSERT_EQ(a.level, b.level) << "lead " << lead;
  ASSERT_EQ(a.stage, b.stage) << "lead " << lead;
  ASSERT_EQ(a.reasons.size(), b.reasons.size()) << "lead " << lead;
  for (std::size_t k = 0; k < a.reasons.size(); ++k) {
    ASSERT_EQ(a.reasons[k].rule, b.reasons[k].rule) << "lead " << lead;
    ASSERT_EQ(a.reasons[k].points, b.reasons[k].points) << "lead " << lead;
  }
}

// Every bit of two bulk results.
void expect_same(const RuleScores& a, const RuleScores& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.total, b.total);
  EXPECT_EQ(a.groups, b.groups);
  EXPECT_EQ(a.grade, b.grade);
  EXPECT_EQ(a.level, b.level);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.reason_begin, b.reason_begin);
  ASSERT_EQ(a.reasons.size(), b.reasons.size());
  for (std::size_t k = 0; k < a.reasons.size(); ++k) {
    ASSERT_EQ(a.reasons[k].rule, b.reasons[k].rule) << "reason " << k;
    ASSERT_EQ(a.reasons[k].points, b.reasons[k].points) << "reason " << k;
  }
}

// Thousands of random leads and streams; events arrive shuffled, so most
// arrive out of time order. Bulk and incremental must agree exactly, at
// the end of the stream and at an earlier scoring time.
TEST(RulesScoring, BulkEqualsIncrementalOnRandomStreams) {
  const RuleEngine engine(load_rule_set(test::data_path("rules/b2b_saas.json")));
  for (std::uint64_t seed : {1u, 2u}) {
    const SimulatedLeads sim = simulate_leads(3000, 20, seed);
    std::vector<std::size_t> order(sim.events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
    std::vector<LeadState> states(sim.profiles.customer.size(), engine.new_state());
    for (std::size_t i : order) engine.update(states[sim.events.customer[i]], sim.events, i);
    const ProfileBinding b = engine.bind(sim.profiles);
    for (Timestamp t : {sim.as_of, sim.as_of - 20 * day}) {
      const RuleScores bulk = engine.score(sim.profiles, sim.events, t);
      std::array<std::size_t, 3> stages{};
      for (std::size_t lead = 0; lead < bulk.size(); ++lead) {
        expect_same(engine.score_one(b, lead, states[lead], t), bulk.row(lead), lead);
        if (HasFatalFailure()) return;
        if (bulk.stage[lead] <= LifecycleStage::opportunity) ++stages[static_cast<std::size_t>(bulk.stage[lead])];
      }
      // The data reach every stage and rules fire: the comparison is not vacuous.
      EXPECT_GT(stages[0], 100u);
      EXPECT_GT(stages[1], 50u);
      EXPECT_GT(stages[2], 5u);
      EXPECT_GT(bulk.reasons.size(), 5 * bulk.size());
    }
  }
}

// The engine looks at a rule only for leads that pass one of the field
// tests or have hits in one of the filters the rule needs; rules that can
// fire without any hit (a negation, a count or sum that 0 satisfies, an
// "any" with a field branch) must still fire for leads without events.
TEST(RulesScoring, RulesThatFireWithoutHits) {
  const char* rules = R"({
    "groups": [{"name": "g"}],
    "rules": [
      {"id": "no_demo", "group": "g", "points": 1, "when": {"event": "demo_request", "count": {"lte": 0}}},
      {"id": "quiet", "group": "g", "points": 2, "when": {"not": {"event": "email_open", "within_days": 30}}},
      {"id": "ceo_or_click", "group": "g", "points": 4,
       "when": {"any": [{"field": "job_title", "eq": "CEO"}, {"event": "email_click"}]}},
      {"id": "big_not_pricing", "group": "g", "points": 8,
       "when": {"all": [{"not": {"event": "page_view", "where": {"page": "pricing"}}}, {"field": "company_size", "gte": 100}]}},
      {"id": "small_webinars", "group": "g", "points": 16, "when": {"event": "webinar", "sum": {"lte": 10}}},
      {"id": "opened_lately", "group": "g", "points": 32, "when": {"event": "email_open", "last_days": {"lte": 5}}},
      {"id": "per_click", "group": "g", "points": 64, "each": {"event": "email_click"}}
    ],
    "grade": {"group": "g", "bands": [{"label": "A", "min": 50}, {"label": "B"}]}
  })";
  const RuleEngine engine(parse_rule_set(rules));
  ProfileTable p;
  p.customer = {0, 1, 2};
  p.columns.push_back({"job_title", AttributeKind::demographic, Text{"CEO", "CTO", std::nullopt}});
  p.columns.push_back({"company_size", AttributeKind::firmographic, std::vector<double>{200, 200, 10}});
  EventBatch e;
  const EventProperty pricing{"page", "pricing"};
  e.add(1, EventType::email_open, as_of - day);
  e.add(1, EventType::email_click, as_of - day);
  e.add(1, EventType::page_view, as_of - day, NAN, {&pricing, 1});
  e.add(1, EventType::webinar, as_of - day, 45);
  e.add(1, EventType::demo_request, as_of - day);
  const RuleScores s = engine.score(p, e, as_of);
  // Lead 0, no events: no_demo, quiet, ceo_or_click (field), big_not_pricing, small_webinars (sum 0).
  EXPECT_EQ(s.total[0], 1 + 2 + 4 + 8 + 16);
  // Lead 1: ceo_or_click (the click), opened_lately, per_click.
  EXPECT_EQ(s.total[1], 4 + 32 + 64);
  // Lead 2, no events and no field passes: no_demo, quiet, small_webinars.
  EXPECT_EQ(s.total[2], 1 + 2 + 16);
  const ProfileBinding b = engine.bind(p);
  for (std::uint32_t lead = 0; lead < 3; ++lead) {
    LeadState st = engine.new_state();
    for (std::size_t i = 0; i < e.size(); ++i)
      if (e.customer[i] == lead) engine.update(st, e, i);
    expect_same(engine.score_one(b, lead, st, as_of), s.row(lead), lead);
  }
}

// Many filters make the bulk path's blocks of rows smaller (it keeps a
// block's (row, filter) counts in cache); leads with many hits per filter,
// ties in time included, still score as incrementally, and on three
// threads as on one.
TEST(RulesScoring, BulkEqualsIncrementalWithManyFilters) {
  std::string json = R"({"groups": [{"name": "g", "decay": {"half_life_days": 9}}], "rules": [)";
  constexpr int pages = 300;
  for (int k = 0; k < pages; ++k)
    json += (k ? "," : "") + std::string(R"({"id": "p)") + std::to_string(k) + R"(", "group": "g", "points": )" +
            std::to_string(k % 7 + 1) + R"(, "each": {"event": "page_view", "where": {"page": "p)" + std::to_string(k) +
            R"("}, "within_days": 60}})";
  json += R"(, {"id": "spend", "group": "g", "points": 3, "when": {"event": "purchase", "sum": {"gte": 100}}}],)"
          R"("grade": {"group": "g", "bands": [{"label": "A", "min": 50}, {"label": "B"}]}})";
  const RuleEngine engine(parse_rule_set(json));
  constexpr std::uint32_t leads = 1500;
  ProfileTable p;
  for (std::uint32_t i = 0; i < leads; ++i) p.customer.push_back(leads - 1 - i);  // ids are not the rows
  std::mt19937_64 rng(5);
  EventBatch e;
  for (int k = 0; k < 40000; ++k) {
    const auto lead = static_cast<std::uint32_t>(rng() % leads);
    const Timestamp t = as_of - static_cast<Timestamp>(rng() % 90) * day;  // whole days: many ties
    if (k % 5 == 0) {
      e.add(lead, EventType::purchase, t, static_cast<double>(rng() % 80));
    } else {
      const EventProperty page{"page", "p" + std::to_string(rng() % (pages + 20))};
      e.add(lead, EventType::page_view, t, NAN, {&page, 1});
    }
  }
  const RuleScores bulk = engine.score(p, e, as_of, 1);
  expect_same(engine.score(p, e, as_of, 3), bulk);  // 24 blocks of 64 rows in 24 runs
  if (HasFatalFailure()) return;
  std::vector<LeadState> states(leads, engine.new_state());
  for (std::size_t i = e.size(); i-- > 0;) engine.update(states[e.customer[i]], e, i);
  const ProfileBinding b = engine.bind(p);
  std::size_t fired = 0;
  for (std::uint32_t row = 0; row < leads; ++row) {
    expect_same(engine.score_one(b, row, states[p.customer[row]], as_of), bulk.row(row), row);
    if (HasFatalFailure()) return;
    fired += bulk.reasons_of(row).size();
  }
  EXPECT_GT(fired, 10u * leads);  // not vacuous
}

// Bulk scoring stages an event's age in 32 bits of seconds, and the time of
// an event 2^32 - 1 seconds (136 years) or more before the scoring time
// beside; such events, with summed values among them, in blocks split
// across threads, must still score exactly as incrementally.
TEST(RulesScoring, BulkEqualsIncrementalForEventsCenturiesOld) {
  const RuleEngine engine(parse_rule_set(R"({
    "groups": [{"name": "g", "decay": {"half_life_days": 20000}}],
    "rules": [
      {"id": "views", "group": "g", "points": 10, "each": {"event": "page_view", "within_days": 1000000}},
      {"id": "spend", "group": "g", "points": 1, "when": {"event": "purchase", "sum": {"gte": 100}}}
    ],
    "grade": {"group": "g", "bands": [{"label": "A", "min": 50}, {"label": "B"}]}
  })"));
  constexpr Timestamp far = 0xFFFFFFFF;  // seconds: the first age staged beside
  constexpr std::uint32_t leads = 301;  // the last by hand
  ProfileTable p;
  for (std::uint32_t i = 0; i < leads; ++i) p.customer.push_back(i);
  std::mt19937_64 rng(11);
  EventBatch e;
  const std::array<Timestamp, 6> ages{far - 1, far, far + 1, 150 * 365 * day, 3 * day, 40 * day};
  for (int k = 0; k < 6000; ++k) {
    const auto lead = static_cast<std::uint32_t>(rng() % (leads - 1));
    const Timestamp t = as_of - ages[rng() % ages.size()] - static_cast<Timestamp>(rng() % 2);
    if (k % 3 == 0) e.add(lead, EventType::purchase, t, static_cast<double>(rng() % 90));
    else e.add(lead, EventType::page_view, t);
  }
  // By hand: a view's points decay by its exact age; a purchase's value
  // counts toward the sum only if it is read back.
  constexpr std::uint32_t last = leads - 1;
  e.add(last, EventType::page_view, as_of - (far + 5));
  e.add(last, EventType::purchase, as_of - 150 * 365 * day, 90);
  e.add(last, EventType::purchase, as_of - day, 10);
  const RuleScores bulk = engine.score(p, e, as_of, 1);
  ASSERT_EQ(bulk.reasons_of(last).size(), 2u);
  EXPECT_EQ(bulk.reasons_of(last)[0].points, 10 * std::exp2(-static_cast<double>(far + 5) / day / 20000));
  EXPECT_EQ(bulk.reasons_of(last)[1].rule, 1u);  // spend: 90 + 10
  for (std::size_t threads : {2u, 3u}) expect_same(engine.score(p, e, as_of, threads), bulk);
  if (HasFatalFailure()) return;
  std::vector<LeadState> states(leads, engine.new_state());
  for (std::size_t i = 0; i < e.size(); ++i) engine.update(states[e.customer[i]], e, i);
  const ProfileBinding b = engine.bind(p);
  for (std::uint32_t row = 0; row < leads; ++row) {
    expect_same(engine.score_one(b, row, states[row], as_of), bulk.row(row), row);
    if (HasFatalFailure()) return;
  }
}

// Bulk scoring reads a batch's properties by code: a keyed filter's values
// (page views here) become codes of the batch's texts. It must agree with
// events handed over one by one as strings: when the key is second among
// an event's properties, missing from the event, or from the whole batch,
// when a filter names a value no event has, and for filters that are not
// keyed (missing, contains, two properties).
TEST(RulesScoring, BulkReadsCodedPropertiesAsIncrementalReadsStrings) {
  const char* rules = R"({
    "groups": [{"name": "g"}],
    "rules": [
      {"id": "pricing", "group": "g", "points": 1, "each": {"event": "page_view", "where": {"page": "pricing"}}},
      {"id": "docs", "group": "g", "points": 2, "each": {"event": "page_view", "where": {"page": {"in": ["docs", "never seen"]}}}},
      {"id": "no_campaign", "group": "g", "points": 4, "each": {"event": "email_open", "where": {"campaign": {"missing": true}}}},
      {"id": "spring", "group": "g", "points": 8, "each": {"event": "email_open", "where": {"campaign": {"contains": "spring"}}}},
      {"id": "both", "group": "g", "points": 16, "each": {"event": "email_click", "where": {"campaign": "spring-1", "link": "demo"}}},
      {"id": "survey", "group": "g", "points": 32, "each": {"event": "survey_answer", "where": {"survey": "nps"}}}
    ],
    "grade": {"group": "g", "bands": [{"label": "A"}]}
  })";
  const RuleEngine engine(parse_rule_set(rules));
  std::mt19937_64 rng(11);
  const std::vector<std::string> pages{"pricing", "docs", "blog"}, campaigns{"spring-1", "spring-2", "fall"},
      links{"demo", "home"};
  constexpr std::uint32_t leads = 200;
  ProfileTable p;
  for (std::uint32_t i = 0; i < leads; ++i) p.customer.push_back(i);
  EventBatch e;
  std::vector<std::vector<EventProperty>> given;  // each event's properties, as strings
  for (int k = 0; k < 3000; ++k) {
    std::vector<EventProperty> props;
    EventType type = EventType::page_view;
    switch (rng() % 3) {
      case 0:
        if (rng() % 4) props.push_back({"page", pages[rng() % pages.size()]});
        if (rng() % 2) props.insert(props.begin(), EventProperty{"referrer", "search"});
        break;
      case 1:
        type = EventType::email_open;
        if (rng() % 4) props.push_back({"campaign", campaigns[rng() % campaigns.size()]});
        break;
      default:
        type = EventType::email_click;
        props.push_back({"link", links[rng() % links.size()]});
        props.push_back({"campaign", campaigns[rng() % campaigns.size()]});
    }
    e.add(static_cast<std::uint32_t>(rng() % leads), type, as_of - static_cast<Timestamp>(rng() % 30) * day, NAN,
          props);
    given.push_back(std::move(props));
  }
  ASSERT_EQ(e.texts.find("survey"), TextPool::npos);  // a key no event has
  const RuleScores bulk = engine.score(p, e, as_of, 1);
  std::vector<LeadState> states(leads, engine.new_state());
  for (std::size_t i = 0; i < e.size(); ++i) engine.update(states[e.customer[i]], e.type[i], e.time[i], NAN, given[i]);
  const ProfileBinding b = engine.bind(p);
  std::array<std::size_t, 6> fired{};
  for (std::uint32_t row = 0; row < leads; ++row) {
    expect_same(engine.score_one(b, row, states[row], as_of), bulk.row(row), row);
    if (HasFatalFailure()) return;
    for (const RuleReason& r : bulk.reasons_of(row)) ++fired[r.rule];
  }
  for (std::size_t r = 0; r < 5; ++r) EXPECT_GT(fired[r], 20u) << engine.rules().rules[r].id;  // not vacuous
  EXPECT_EQ(fired[5], 0u);
}

// Bulk scoring tests each distinct text of a column once and gives each
// row its value's bits; scoring one lead tests its own value. Both must
// agree for every text operator, on missing values, and with two tests on
// one column and two columns.
TEST(RulesScoring, BulkTextTestsAgreeWithOneLeadAtATime) {
  const char* rules = R"({
    "groups": [{"name": "g"}],
    "rules": [
      {"id": "eq", "group": "g", "points": 1, "when": {"field": "title", "eq": "CEO"}},
      {"id": "ne", "group": "g", "points": 2, "when": {"field": "title", "ne": "CEO"}},
      {"id": "in", "group": "g", "points": 4, "when": {"field": "title", "in": ["CTO", "VP"]}},
      {"id": "not_in", "group": "g", "points": 8, "when": {"field": "title", "not_in": ["CTO", "VP"]}},
      {"id": "exists", "group": "g", "points": 16, "when": {"field": "email", "exists": true}},
      {"id": "missing", "group": "g", "points": 32, "when": {"field": "email", "missing": true}},
      {"id": "contains", "group": "g", "points": 64, "when": {"field": "email", "contains": "@big"}},
      {"id": "starts", "group": "g", "points": 128, "when": {"field": "email", "starts_with": "ceo@"}},
      {"id": "ends", "group": "g", "points": 256, "when": {"field": "email", "ends_with": ".com"}}
    ],
    "qualification": {"stage_field": "stage", "stages": [{"stage": "prospect", "when": {"score": "total", "gte": 20}}]},
    "grade": {"group": "g", "bands": [{"label": "A"}]}
  })";
  const RuleEngine engine(parse_rule_set(rules));
  const std::vector<std::optional<std::string>> titles{"CEO", "CTO", "VP", "Intern", std::nullopt},
      emails{"ceo@big.com", "a@big.org", "ceo@small.com", "x@y.net", std::nullopt},
      stages{"lead", "customer", "", "churned", std::nullopt};
  std::mt19937_64 rng(3);
  ProfileTable p;
  TextColumn title, email, stage;
  for (std::uint32_t i = 0; i < 500; ++i) {
    p.customer.push_back(i);
    const auto pick = [&](const auto& from) {
      const auto& v = from[rng() % from.size()];
      return v ? std::optional<std::string_view>(*v) : std::nullopt;
    };
    title.push_back(pick(titles));
    email.push_back(pick(emails));
    stage.push_back(pick(stages));
  }
  p.columns.push_back({"title", AttributeKind::demographic, title});
  p.columns.push_back({"email", AttributeKind::demographic, email});
  p.columns.push_back({"stage", AttributeKind::source, stage});
  const RuleScores bulk = engine.score(p, EventBatch{}, as_of, 2);
  const ProfileBinding b = engine.bind(p);
  std::array<std::size_t, 9> fired{};
  std::size_t customers = 0;
  for (std::uint32_t row = 0; row < p.customer.size(); ++row) {
    expect_same(engine.score_one(b, row, engine.new_state(), as_of), bulk.row(row), row);
    if (HasFatalFailure()) return;
    for (const RuleReason& r : bulk.reasons_of(row)) ++fired[r.rule];
    customers += bulk.stage[row] == LifecycleStage::customer;
  }
  for (std::size_t r = 0; r < fired.size(); ++r) EXPECT_GT(fired[r], 20u) << engine.rules().rules[r].id;
  EXPECT_GT(customers, 50u);  // kept from the stage column
}

TEST(RulesScoring, TemplatesLoad) {
  const RuleSet b2b = load_rule_set(test::data_path("rules/b2b_saas.json"));
  EXPECT_EQ(b2b.groups.size(), 3u);
  EXPECT_EQ(b2b.rules.size(), 20u);
  EXPECT_EQ(b2b.stages.front().stage, LifecycleStage::opportunity);
  // Equal event filters are shared: pricing-page visits are tested once.
  std::size_t pricing = 0;
  for (const auto& f : b2b.filters)
    if (f.type == EventType::page_view && f.where.size() == 1 && f.where[0].strings == std::vector<std::string>{"pricing"})
      ++pricing;
  EXPECT_EQ(pricing, 1u);
}

// Each broken rule set names the JSON path of its problem.
TEST(RulesScoring, InvalidRuleSetsNameTheJsonPath) {
  const std::string head = R"({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]}, )";
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"field": "x", "like": "y"}}]})",
       "/rules/0/when/like"},
      {R"("rules": [{"id": "a", "group": "fitt", "points": 1}]})", "/rules/0/group"},
      {R"("rules": [{"id": "a", "group": "fit", "points": "ten"}]})", "/rules/0/points"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"all": []}}]})", "/rules/0/when/all"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"any": [{"field": "x", "exists": true}, {"any": []}]}}]})",
       "/rules/0/when/any/1/any"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"event": "page_visit"}}]})",
       "/rules/0/when/event"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"score": "fit", "gte": 1}}]})",
       "/rules/0/when/score"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"event": "webinar", "where": {"page": {"gt": 3}}}}]})",
       "/rules/0/when/where/page/gt"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"event": "webinar", "count": {"gte": 3, "lte": 1}}}]})",
       "/rules/0/when/count"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "max_points": -2}]})", "/rules/0/max_points"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1}, {"id": "a", "group": "fit", "points": 2}]})",
       "/rules/1/id"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"ref": "x"}}], "conditions": {"x": {"ref": "y"}, "y": {"any": [{"ref": "x"}]}}})",
       "/conditions/y/any/0/ref"},
      {R"("rules": [], "colour": 1})", "/colour"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1, "when": {"field": "x", "between": [5, 1]}}]})",
       "/rules/0/when/between"},
      {R"("rules": [{"id": "a", "group": "fit", "points": 1}], "qualification": {"stages": [{"stage": "customer", "when": {"score": "total", "gte": 1}}]}})",
       "/qualification/stages/0/stage"},
  };
  for (const auto& [tail, path] : cases) {
    try {
      (void)parse_rule_set(head + tail);
      ADD_FAILURE() << "accepted: " << tail;
    } catch (const JsonError& e) {
      EXPECT_EQ(e.path(), path) << e.what();
    }
  }
  // Bands must decrease; the last one takes the rest.
  try {
    (void)parse_rule_set(R"({"groups": [{"name": "fit"}], "rules": [{"id": "a", "group": "fit", "points": 1}],
      "grade": {"group": "fit", "bands": [{"label": "A", "min": 1}, {"label": "B", "min": 5}, {"label": "C"}]}})");
    ADD_FAILURE();
  } catch (const JsonError& e) {
    EXPECT_EQ(e.path(), "/grade/bands/1/min");
  }
}

TEST(RulesScoring, NonFiniteAndMalformedJson) {
  const std::string doc = R"({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
    "rules": [{"id": "a", "group": "fit", "points": 1e999}]})";
  // 1e999 overflows a double: refused while parsing.
  try {
    (void)parse_rule_set(doc, "r.json");
    ADD_FAILURE();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("1e999"), std::string::npos) << e.what();
  }
  try {
    (void)parse_rule_set("{\"groups\": [\n  {\"name\": \"fit\",}\n]}", "r.json");
    ADD_FAILURE();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "r.json");
    EXPECT_EQ(e.line(), 2u);
  }
  EXPECT_THROW((void)load_rule_set("/nonexistent/rules.json"), ParseError);
}

TEST(RulesScoring, RulesMustFitTheData) {
  const ProfileTable p = small_profiles();
  const DataSchema schema = schema_of(p, nullptr);
  auto path_of = [&](const std::string& when) {
    const std::string doc = R"({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
      "rules": [{"id": "a", "group": "fit", "points": 1, "when": )" + when + "}]}";
    try {
      (void)parse_rule_set(doc, "<rules>", &schema);
    } catch (const JsonError& e) {
      return e.path();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(path_of(R"({"field": "industry", "eq": "IT"})"), "/rules/0/when/field");
  EXPECT_EQ(path_of(R"({"field": "job_title", "gte": 3})"), "/rules/0/when/gte");
  EXPECT_EQ(path_of(R"({"field": "company_size", "contains": "0"})"), "/rules/0/when/contains");
  EXPECT_EQ(path_of(R"({"field": "company_size", "eq": "big"})"), "/rules/0/when/eq");
  EXPECT_EQ(path_of(R"({"field": "company_size", "gte": 3})"), "accepted");
  // Event types the data lack.
  const EventBatch ev = small_events();
  const DataSchema with_events = schema_of(p, &ev);
  const std::string doc = R"({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
      "rules": [{"id": "a", "group": "fit", "points": 1, "each": {"event": "webinar"}}]})";
  try {
    (void)parse_rule_set(doc, "<rules>", &with_events);
    ADD_FAILURE();
  } catch (const JsonError& e) {
    EXPECT_EQ(e.path(), "/rules/0/each/event");
  }
  // The engine checks the table it is given too.
  const RuleEngine engine(parse_rule_set(R"({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
      "rules": [{"id": "a", "group": "fit", "points": 1, "when": {"field": "industry", "eq": "IT"}}]})"));
  EXPECT_THROW((void)engine.score(p, EventBatch{}, as_of), JsonError);
  // The stage field must hold stage names.
  ProfileTable numeric_stage = small_profiles();
  numeric_stage.columns.back().values = std::vector<double>{1, 2, 3};
  try {
    (void)RuleEngine(parse_rule_set(small_rules)).score(numeric_stage, small_events(), as_of);
    ADD_FAILURE();
  } catch (const JsonError& e) {
    EXPECT_EQ(e.path(), "/qualification/stage_field");
  }
}

TEST(RulesScoring, BadBatchesAndStates) {
  const RuleEngine engine(parse_rule_set(small_rules));
  EventBatch e = small_events();
  e.add(9, EventType::webinar, as_of);
  e.add(1, EventType::webinar, as_of);
  e.add(7, EventType::webinar, as_of);
  // The first event without a profile row is named, whatever the thread count.
  for (std::size_t threads : {1u, 2u, 3u}) {
    try {
      (void)engine.score(small_profiles(), e, as_of, threads);
      ADD_FAILURE() << "no error with " << threads << " threads";
    } catch (const InvalidInput& x) {
      EXPECT_STREQ(x.what(), "RuleEngine::score: event 12 is for customer 9, who has no profile row");
    }
  }
  ProfileTable dup = small_profiles();
  dup.customer[2] = 0;
  EXPECT_THROW((void)engine.score(dup, small_events(), as_of), InvalidInput);
  const RuleEngine other(load_rule_set(test::data_path("rules/b2b_saas.json")));
  LeadState foreign = other.new_state();
  EXPECT_THROW(engine.update(foreign, EventType::webinar, as_of), InvalidInput);
  EXPECT_THROW((void)engine.score_one(small_profiles(), 3, engine.new_state(), as_of), InvalidInput);
}

// A failed load leaves the engine in use untouched; a new engine is a new object.
TEST(RulesScoring, ReloadingNeverDisturbsTheEngineInUse) {
  auto current = std::make_shared<const RuleEngine>(parse_rule_set(small_rules));
  const RuleScores before = current->score(small_profiles(), small_events(), as_of);
  std::string broken = small_rules;
  broken.replace(broken.find("\"points\": 20"), 12, "\"points\": \"x\"");
  EXPECT_THROW(current = std::make_shared<const RuleEngine>(parse_rule_set(broken)), JsonError);
  const RuleScores after = current->score(small_profiles(), small_events(), as_of);
  EXPECT_EQ(before.total, after.total);
  const auto in_use = current;
  current = std::make_shared<const RuleEngine>(load_rule_set(test::data_path("rules/b2b_saas.json")));
  EXPECT_EQ(in_use->score(small_profiles(), small_events(), as_of).total, before.total);
}

TEST(RulesScoring, SaveLoadRoundTrip) {
  const RuleEngine engine(load_rule_set(test::data_path("rules/b2b_saas.json")));
  const TempFile dir("", "unused");
  const std::string path = dir.path() + ".rules";
  save(engine, path);
  const RuleEngine loaded = load_rule_engine(path);
  std::remove(path.c_str());
  EXPECT_EQ(loaded.fingerprint(), engine.fingerprint());
  const SimulatedLeads sim = simulate_leads(500, 10, 3);
  EXPECT_EQ(loaded.score(sim.profiles, sim.events, sim.as_of).total,
            engine.score(sim.profiles, sim.events, sim.as_of).total);

  LeadState st = engine.new_state();
  for (std::size_t i = 0; i < sim.events.size(); ++i)
    if (sim.events.customer[i] == 7) engine.update(st, sim.events, i);
  const LeadState back = lead_state_from_bytes(to_bytes(st), loaded);
  ASSERT_EQ(back.hits.size(), st.hits.size());
  ASSERT_GT(st.hits.size(), 3u);
  for (std::size_t k = 0; k < st.hits.size(); ++k) {
    EXPECT_EQ(back.hits[k].filter, st.hits[k].filter);
    EXPECT_EQ(back.hits[k].hit.time, st.hits[k].hit.time);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back.hits[k].hit.value), std::bit_cast<std::uint64_t>(st.hits[k].hit.value));
  }
  const RuleEngine small(parse_rule_set(small_rules));
  EXPECT_THROW((void)lead_state_from_bytes(to_bytes(st), small), SerializationError);
  LeadState shuffled = st;
  std::swap(shuffled.hits.front(), shuffled.hits.back());
  EXPECT_THROW((void)to_bytes(shuffled), InvalidInput);
  std::string damaged = to_bytes(engine);
  damaged.resize(damaged.size() / 2);
  EXPECT_THROW((void)rule_engine_from_bytes(damaged), SerializationError);
  EXPECT_THROW((void)rule_engine_from_bytes("leadscore-model bg-nbd 1\n"), SerializationError);
}

TEST(RulesScoring, ReadsProfilesAndEvents) {
  const TempFile leads("lead_id,job_title,company_size,stage\nL1,CEO,200,lead\nL2,,12,customer\n", "leads.csv");
  IdInterner ids;
  const ProfileTable p = read_profiles(leads.path(), ids);
  ASSERT_EQ(p.customer.size(), 2u);
  ASSERT_NE(p.find("company_size"), nullptr);
  EXPECT_TRUE(p.find("company_size")->is_numeric());
  EXPECT_FALSE(std::get<1>(p.find("job_title")->values)[1].has_value());
  EXPECT_EQ(std::get<0>(p.find("company_size")->values), (std::vector<double>{200, 12}));
  // A column is numeric when each of its distinct values is a number, text
  // otherwise; an empty one is numeric (all missing).
  const TempFile mixed("lead_id,a,b,c,d\nL1,1,1,,x\nL2,2.5,two,,x\nL3,1,,,\nL4,,1,,x\n", "mixed.csv");
  IdInterner more;
  const ProfileTable m = read_profiles(mixed.path(), more);
  ASSERT_TRUE(m.find("a")->is_numeric());
  const auto& a = std::get<0>(m.find("a")->values);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[1], 2.5);
  EXPECT_EQ(a[2], 1);
  EXPECT_TRUE(std::isnan(a[3]));
  ASSERT_FALSE(m.find("b")->is_numeric());
  const TextColumn& b = std::get<1>(m.find("b")->values);
  EXPECT_EQ(b[1], "two");
  EXPECT_EQ(b[3], "1");
  EXPECT_FALSE(b[2].has_value());
  EXPECT_TRUE(m.find("c")->is_numeric());
  EXPECT_EQ(std::get<1>(m.find("d")->values).texts.size(), 1u);
  const TempFile events("lead_id,type,time,value,page\nL1,page_view,2024-06-30,,pricing\nL2,webinar,2024-06-01T10:00:00Z,45,\n",
                        "events.csv");
  const EventBatch e = read_events(events.path(), ids);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e.property(0, "page"), "pricing");
  EXPECT_TRUE(e.properties_of(1).empty());
  EXPECT_EQ(e.value[1], 45);

  auto error_at = [&](const std::string& content) -> std::pair<std::size_t, std::size_t> {
    const TempFile bad(content, "events.csv");
    try {
      (void)read_events(bad.path(), ids);
    } catch (const ParseError& err) {
      return {err.line(), err.column()};
    }
    return {0, 0};
  };
  EXPECT_EQ(error_at("lead_id,type,time\nL1,webinar,2024-06-01\nL3,webinar,2024-06-01\n"), std::make_pair(3ul, 1ul));
  EXPECT_EQ(error_at("lead_id,type,time\nL1,visit,2024-06-01\n"), std::make_pair(2ul, 4ul));
  EXPECT_EQ(error_at("lead_id,type,time\nL1,webinar,2024-13-01\n"), std::make_pair(2ul, 12ul));
  EXPECT_EQ(error_at("lead_id,type,time,value\nL1,webinar,2024-06-01,abc\n"), std::make_pair(2ul, 23ul));
  const TempFile dup("lead_id,x\nA,1\nA,2\n", "leads.csv");
  IdInterner ids2;
  EXPECT_THROW((void)read_profiles(dup.path(), ids2), ParseError);
}

}  // namespace
}  // namespace leadscore::scoring
