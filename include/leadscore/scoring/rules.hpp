#pragma once
// Rule-based lead scoring: a RuleEngine scores leads by a RuleSet (see
// rule_set.hpp), in bulk over a table of profiles and events as of a time,
// or incrementally from a per-lead LeadState that each arriving event
// updates.
//
// Bulk and incremental scoring give identical results because both reduce a
// lead to the same thing: for each event filter of the rule set, the
// matching events (time, value) sorted by time, then value. Both evaluate
// that with the same code, so the order in which events arrive never
// matters.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/core/events.hpp"
#include "leadscore/core/lifecycle.hpp"
#include "leadscore/core/profile.hpp"
#include "leadscore/io/view_ids.hpp"
#include "leadscore/scoring/rule_set.hpp"

namespace leadscore::scoring {

/// One event that matched an event filter.
struct Hit {
  Timestamp time = 0;
  double value = 0;  ///< NaN when the event has no value
};

/// The canonical order of hits: by time, then by the bits of the value.
inline bool hit_before(const Hit& a, const Hit& b) noexcept {
  if (a.time != b.time) return a.time < b.time;
  return std::bit_cast<std::uint64_t>(a.value) < std::bit_cast<std::uint64_t>(b.value);
}

/// A rule that fired for a lead, with its points after decay and caps.
struct RuleReason {
  std::uint32_t rule = 0;  ///< index into RuleSet::rules
  double points = 0;
};

/// The result for one lead.
struct LeadScore {
  double total = 0;
  std::vector<double> groups;  ///< one per RuleSet::groups
  std::uint32_t grade = 0;     ///< index into RuleSet::grade.bands
  std::int32_t level = -1;     ///< index into RuleSet::level->bands, or -1 without levels
  LifecycleStage stage = LifecycleStage::lead;
  std::vector<RuleReason> reasons;  ///< largest contribution (in absolute value) first
};

/// Results for many leads, columnar; row i is profile row i.
struct RuleScores {
  std::size_t n_groups = 0;
  std::vector<double> total;
  std::vector<double> groups;  ///< row-major: groups[i * n_groups + g]
  std::vector<std::uint32_t> grade;
  std::vector<std::int32_t> level;
  std::vector<LifecycleStage> stage;
  std::vector<std::uint32_t> reason_begin{0};
  std::vector<RuleReason> reasons;

  std::size_t size() const noexcept { return total.size(); }
  double group(std::size_t i, std::size_t g) const noexcept { return groups[i * n_groups + g]; }
  std::span<const RuleReason> reasons_of(std::size_t i) const noexcept {
    return {reasons.data() + reason_begin[i], reasons.data() + reason_begin[i + 1]};
  }
  LeadScore row(std::size_t i) const {
    LeadScore s;
    s.total = total[i];
    s.groups.assign(groups.begin() + static_cast<std::ptrdiff_t>(i * n_groups),
                    groups.begin() + static_cast<std::ptrdiff_t>((i + 1) * n_groups));
    s.grade = grade[i];
    s.level = level[i];
    s.stage = stage[i];
    const auto r = reasons_of(i);
    s.reasons.assign(r.begin(), r.end());
    return s;
  }
};

/// One event that matched event filter `filter` (an index into
/// RuleSet::filters).
struct FilterHit {
  std::uint32_t filter = 0;
  Hit hit;
};

/// The order of a lead state: by filter, then the canonical hit order.
inline bool filter_hit_before(const FilterHit& a, const FilterHit& b) noexcept {
  return a.filter != b.filter ? a.filter < b.filter : hit_before(a.hit, b.hit);
}

/// What the engine keeps about one lead between events: the events that
/// matched each filter of the rule set, in one flat list ordered by filter
/// and then canonically (one allocation and one cache miss to reach).
/// Only matching events are kept (not every event). Save it with to_bytes
/// (rules_io.hpp).
struct LeadState {
  std::vector<FilterHit> hits;
  std::uint64_t fingerprint = 0;  ///< of the rule set it belongs to
};

/// Profile columns looked up once for a rule set.
struct ProfileBinding {
  const ProfileTable* table = nullptr;
  std::vector<const ProfileColumn*> columns;  ///< one per RuleSet::fields
  const ProfileColumn* stage = nullptr;
};

/// FNV-1a of the rule set's JSON: tells states of different rule sets apart.
inline std::uint64_t fingerprint(std::string_view text) noexcept {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// The schema of a profile table and (optionally) the event types present.
inline DataSchema schema_of(const ProfileTable& profiles, const EventBatch* events = nullptr) {
  DataSchema s;
  s.check_fields = true;
  for (const auto& c : profiles.columns) s.fields.push_back({c.name, c.is_numeric()});
  if (events) {
    s.check_event_types = true;
    std::array<bool, all_event_types.size()> seen{};
    for (EventType t : events->type) seen[static_cast<std::size_t>(t)] = true;
    for (EventType t : all_event_types)
      if (seen[static_cast<std::size_t>(t)]) s.event_types.push_back(t);
  }
  return s;
}

/// Scores leads by one rule set. Immutable and safe to share between
/// threads; loading another rule set makes another engine and never
/// disturbs this one.
class RuleEngine {
 public:
  explicit RuleEngine(RuleSet rules)
      : rules_(std::make_shared<const RuleSet>(std::move(rules))),
        fingerprint_(scoring::fingerprint(rules_->json)) {
    by_type_.resize(all_event_types.size());
    for (std::uint32_t f = 0; f < rules_->filters.size(); ++f)
      by_type_[static_cast<std::size_t>(rules_->filters[f].type)].filters.push_back(f);
    for (TypeFilters& t : by_type_) t.index(*rules_);
    for (const Rule& r : rules_->rules) {
      Plan p;
      if (r.condition >= 0) {
        const ConditionNode& n = rules_->nodes[static_cast<std::size_t>(r.condition)];
        p.test = n.kind == NodeKind::field ? Test::field : n.kind == NodeKind::event ? Test::event : Test::tree;
        p.index = n.kind == NodeKind::field || n.kind == NodeKind::event ? n.index : static_cast<std::uint32_t>(r.condition);
      }
      plans_.push_back(p);
    }
    index_candidates();
    summed_.assign(rules_->filters.size(), 0);
    for (const EventTest& t : rules_->events)
      if (t.measure == EventMeasure::sum) summed_[t.filter] = 1;
    for (TypeFilters& t : by_type_)
      for (std::uint32_t f : t.filters) t.summed += summed_[f];
  }

  const RuleSet& rules() const noexcept { return *rules_; }
  std::uint64_t fingerprint() const noexcept { return fingerprint_; }

  /// Checks that the table has every field the rules test, with the right
  /// type (JsonError with the rule's JSON path otherwise).
  ProfileBinding bind(const ProfileTable& profiles) const {
    profiles.validate();
    check_schema(*rules_, schema_of(profiles));
    ProfileBinding b;
    b.table = &profiles;
    for (const auto& t : rules_->fields) b.columns.push_back(profiles.find(t.field));
    if (!rules_->stage_field.empty()) {
      b.stage = profiles.find(rules_->stage_field);
      if (b.stage->is_numeric())
        throw JsonError("/qualification/stage_field",
                        "field '" + rules_->stage_field + "' holds numbers, not lifecycle stages");
    }
    return b;
  }

  /// Scores every profile row as of `as_of` from the events (events after
  /// `as_of` are ignored). Every event's customer must have a profile row.
  /// Runs on `threads` threads (0: one per core; small tables use one);
  /// the result does not depend on the thread count.
  RuleScores score(const ProfileTable& profiles, const EventBatch& events, Timestamp as_of,
                   std::size_t threads = 0) const;

  /// A fresh state for one lead.
  LeadState new_state() const {
    LeadState s;
    s.fingerprint = fingerprint_;
    return s;
  }

  /// Adds one event to a lead's state: O(filters of this event type), each
  /// a search and an insert into the lead's flat list. Returns how many
  /// filters it matched.
  std::size_t update(LeadState& state, EventType type, Timestamp time,
                     double value = std::numeric_limits<double>::quiet_NaN(),
                     std::span<const EventProperty> properties = {}) const {
    return add(state, type, time, value, [&](std::string_view key) -> std::optional<std::string_view> {
      for (const EventProperty& p : properties)
        if (same_id(p.key, key)) return p.value;
      return std::nullopt;
    });
  }

  /// Event i of a batch.
  std::size_t update(LeadState& state, const EventBatch& events, std::size_t i) const {
    return add(state, events.type[i], events.time[i], events.value[i],
               [&](std::string_view key) { return events.property(i, key); });
  }

  /// Scores one lead from its profile row and state.
  LeadScore score_one(const ProfileBinding& profiles, std::size_t row, const LeadState& state,
                      Timestamp as_of) const {
    check_state(state);
    if (row >= profiles.table->customer.size())
      throw InvalidInput("RuleEngine::score_one: row " + std::to_string(row) + " is past the table's " +
                         std::to_string(profiles.table->customer.size()) + " rows");
    Scratch scratch(*rules_);
    prepare(scratch, state.hits.data(), state.hits.size(), as_of);
    std::vector<std::uint64_t> fields(field_words(), 0);
    for (std::size_t t = 0; t < rules_->fields.size(); ++t)
      fields[t / 64] |= std::uint64_t{field_test(profiles, t, row)} << (t % 64);
    scratch.fields = fields.data();
    const std::uint8_t keep = profiles.stage ? kept_stage(std::get<1>(profiles.stage->values)[row]) : no_stage;
    const Result r = evaluate(scratch, keep);
    LeadScore out;
    out.total = r.total;
    out.groups = scratch.group_score;
    out.grade = r.grade;
    out.level = r.level;
    out.stage = r.stage;
    out.reasons = scratch.reasons;
    return out;
  }

  /// The same, binding the table first: that checks every row's text
  /// codes, so for many leads bind once and use the overload above.
  LeadScore score_one(const ProfileTable& profiles, std::size_t row, const LeadState& state,
                      Timestamp as_of) const {
    return score_one(bind(profiles), row, state, as_of);
  }

  /// "A", "B2", ...: the grade label followed by the level label.
  std::string label(std::uint32_t grade, std::int32_t level) const {
    std::string out = rules_->grade.bands[grade].label;
    if (level >= 0 && rules_->level) out += rules_->level->bands[static_cast<std::size_t>(level)].label;
    return out;
  }

 private:
  // A property value's slot among a few (ViewIds' hash), so that a lookup
  // compares only the filter values of one slot.
  static constexpr std::size_t text_slots = 64;
  static std::size_t text_slot(std::string_view v) noexcept { return ViewIds::hash(v) % text_slots; }

  // The filters of one event type. When each tests at most one property,
  // with eq or in, and all the same property (page = "pricing", page =
  // "product", ...), the filters an event matches come from one lookup of
  // that property's value among the values the filters name.
  struct TypeFilters {
    std::vector<std::uint32_t> filters;
    bool keyed = false;
    std::string key;
    std::vector<std::pair<std::string, std::uint64_t>> by_value;  // bits over `filters`
    std::uint64_t always = 0;                                     // filters without a property test
    std::uint32_t most = 0;    // the most filters one event can match
    std::uint32_t summed = 0;  // filters whose values a test sums
    std::array<std::uint32_t, text_slots + 1> slot_begin{};  // by_value[slot_begin[s] .. slot_begin[s + 1]) have slot s

    void index(const RuleSet& rs) {
      most = static_cast<std::uint32_t>(filters.size());
      index_values(rs);
      if (!keyed) return;
      most = static_cast<std::uint32_t>(std::popcount(always));
      for (const auto& [v, mask] : by_value)
        most = std::max(most, static_cast<std::uint32_t>(std::popcount(always | mask)));
    }

    void index_values(const RuleSet& rs) {
      if (filters.empty() || filters.size() > 64) return;
      for (std::size_t k = 0; k < filters.size(); ++k) {
        const EventFilter& f = rs.filters[filters[k]];
        if (f.where.empty()) {
          always |= std::uint64_t{1} << k;
          continue;
        }
        const FieldTest& w = f.where[0];
        if (f.where.size() > 1 || w.numeric || (w.op != FieldOp::eq && w.op != FieldOp::in) || (keyed && w.field != key)) {
          keyed = false;
          return;
        }
        keyed = true;
        key = w.field;
        for (const std::string& v : w.strings) {
          auto it = std::find_if(by_value.begin(), by_value.end(), [&](const auto& e) { return e.first == v; });
          if (it == by_value.end()) it = by_value.insert(by_value.end(), {v, 0});
          it->second |= std::uint64_t{1} << k;
        }
      }
      keyed = true;  // also when no filter tests a property
      // By slot (see text_slot).
      std::sort(by_value.begin(), by_value.end(),
                [](const auto& a, const auto& b) { return text_slot(a.first) < text_slot(b.first); });
      slot_begin.fill(0);
      for (const auto& e : by_value) ++slot_begin[text_slot(e.first) + 1];
      for (std::size_t k = 0; k + 1 < slot_begin.size(); ++k) slot_begin[k + 1] += slot_begin[k];
    }

    // Calls `hit(f)` for each filter the event matches, in filter order.
    // `value_of(key)` is the event's property `key`, or nullopt.
    template <class ValueOf, class F>
    void each_match(const RuleSet& rs, double value, ValueOf&& value_of, F&& hit) const {
      if (!keyed) {
        for (std::uint32_t f : filters)
          if (matches(rs.filters[f], value, value_of)) hit(f);
        return;
      }
      std::uint64_t bits = always;
      if (const std::optional<std::string_view> x = value_of(key)) {
        const std::size_t slot = text_slot(*x);
        for (std::uint32_t k = slot_begin[slot]; k < slot_begin[slot + 1]; ++k)
          if (same_id(by_value[k].first, *x)) {
            bits |= by_value[k].second;
            break;
          }
      }
      each_bit(rs, value, bits, hit);
    }

    // The same for event i of a batch whose texts `coded` indexes (see
    // coded_for): a keyed lookup is one load by the value's code.
    struct Coded {
      std::uint32_t key = TextPool::npos;  // the key's code in the batch
      std::vector<std::uint64_t> bits;     // by value code: bits over `filters`
    };
    Coded coded_for(const TextPool& texts) const {
      Coded c;
      if (!keyed) return c;
      c.key = texts.find(key);
      c.bits.assign(texts.size(), 0);
      for (const auto& [v, mask] : by_value)
        if (const std::uint32_t code = texts.find(v); code != TextPool::npos) c.bits[code] = mask;
      return c;
    }
    template <class F>
    void each_match(const RuleSet& rs, const EventBatch& events, std::size_t i, const Coded& coded, F&& hit) const {
      if (!keyed) {
        each_match(rs, events.value[i], [&](std::string_view k) { return events.property(i, k); }, hit);
        return;
      }
      std::uint64_t bits = always;
      for (const PropertyCode& p : events.properties_of(i))
        if (p.key == coded.key) {
          bits |= coded.bits[p.value];
          break;
        }
      each_bit(rs, events.value[i], bits, hit);
    }

    // hit(f) for the filters of `bits` whose value bounds (if any) hold.
    template <class F>
    void each_bit(const RuleSet& rs, double value, std::uint64_t bits, F&& hit) const {
      for (; bits != 0; bits &= bits - 1) {
        const std::uint32_t f = filters[static_cast<std::size_t>(std::countr_zero(bits))];
        const EventFilter& ef = rs.filters[f];
        if (!ef.value_bounded || (!std::isnan(value) && ef.value.contains(value))) hit(f);
      }
    }
  };

  // Per-lead working memory, reused from lead to lead.
  struct Scratch {
    explicit Scratch(const RuleSet& rs)
        : begin(rs.filters.size()),
          end(rs.filters.size()),
          pos(rs.groups.size()),
          neg(rs.groups.size()),
          group_score(rs.groups.size()),
          candidates((rs.rules.size() + 63) / 64) {}
    const std::uint64_t* fields = nullptr;  // the lead's field-test results, bit t for test t
    bool field(std::size_t t) const noexcept { return (fields[t / 64] >> (t % 64)) & 1; }
    Timestamp as_of = 0;
    const FilterHit* hits = nullptr;  // the lead's hits, by filter, then canonical order
    std::size_t n_hits = 0;
    std::vector<double> age;              // days from each hit to as_of
    std::vector<double> factor;           // decay factor per group per hit, NaN until needed
    std::vector<std::uint32_t> begin, end;  // filter f's hits at or before as_of: [begin[f], end[f])
    std::vector<double> pos, neg;
    std::vector<double> group_score;
    std::vector<RuleReason> reasons;
    std::vector<std::uint64_t> candidates;  // bits over the rules: those that can fire
  };

  // What evaluate() returns besides the group scores and reasons it leaves
  // in the scratch.
  struct Result {
    double total = 0;
    std::uint32_t grade = 0;
    std::int32_t level = -1;
    LifecycleStage stage = LifecycleStage::lead;
  };

  // 64-bit words of field-test results per lead (at least one).
  std::size_t field_words() const noexcept { return std::max<std::size_t>(1, (rules_->fields.size() + 63) / 64); }

  void check_state(const LeadState& state) const {
    if (state.fingerprint != fingerprint_)
      throw InvalidInput("RuleEngine: the lead state belongs to another rule set");
  }

  static bool text_test(const FieldTest& t, std::string_view s) noexcept {
    switch (t.op) {
      case FieldOp::exists: return true;
      case FieldOp::missing: return false;
      case FieldOp::eq: return s == t.strings[0];
      case FieldOp::ne: return s != t.strings[0];
      case FieldOp::in:
        return std::any_of(t.strings.begin(), t.strings.end(), [&](const std::string& x) { return s == x; });
      case FieldOp::not_in:
        return std::none_of(t.strings.begin(), t.strings.end(), [&](const std::string& x) { return s == x; });
      case FieldOp::contains:
        return std::any_of(t.strings.begin(), t.strings.end(),
                           [&](const std::string& x) { return s.find(x) != std::string_view::npos; });
      case FieldOp::starts_with:
        return std::any_of(t.strings.begin(), t.strings.end(), [&](const std::string& x) { return s.starts_with(x); });
      case FieldOp::ends_with:
        return std::any_of(t.strings.begin(), t.strings.end(), [&](const std::string& x) { return s.ends_with(x); });
      default: return false;  // numeric operators never reach text (checked at bind)
    }
  }

  static bool number_test(const FieldTest& t, double v) noexcept {
    if (std::isnan(v)) return t.op == FieldOp::missing;
    switch (t.op) {
      case FieldOp::exists: return true;
      case FieldOp::missing: return false;
      case FieldOp::eq: return v == t.numbers[0];
      case FieldOp::ne: return v != t.numbers[0];
      case FieldOp::in: return std::find(t.numbers.begin(), t.numbers.end(), v) != t.numbers.end();
      case FieldOp::not_in: return std::find(t.numbers.begin(), t.numbers.end(), v) == t.numbers.end();
      case FieldOp::lt: return v < t.numbers[0];
      case FieldOp::lte: return v <= t.numbers[0];
      case FieldOp::gt: return v > t.numbers[0];
      case FieldOp::gte: return v >= t.numbers[0];
      case FieldOp::between: return v >= t.numbers[0] && v <= t.numbers[1];
      default: return false;
    }
  }

  template <class ValueOf>
  static bool matches(const EventFilter& f, double value, ValueOf&& value_of) {
    if (f.value_bounded && (std::isnan(value) || !f.value.contains(value))) return false;
    for (const auto& w : f.where) {
      const std::optional<std::string_view> found = value_of(w.field);
      if (!found) {
        if (w.op != FieldOp::missing) return false;
      } else if (!text_test(w, *found)) {
        return false;
      }
    }
    return true;
  }

  // Adds an event to a lead's state (see update).
  template <class ValueOf>
  std::size_t add(LeadState& state, EventType type, Timestamp time, double value, ValueOf&& value_of) const {
    check_state(state);
    std::size_t touched = 0;
    by_type_[static_cast<std::size_t>(type)].each_match(*rules_, value, value_of, [&](std::uint32_t f) {
      auto& list = state.hits;
      if (list.empty()) list.reserve(8);  // most leads soon have several hits: skip the first regrowths
      const FilterHit hit{f, {time, value}};
      list.insert(std::upper_bound(list.begin(), list.end(), hit, filter_hit_before), hit);
      ++touched;
    });
    return touched;
  }

  bool field_test(const ProfileBinding& b, std::size_t f, std::size_t row) const noexcept {
    const ProfileColumn& col = *b.columns[f];
    const FieldTest& t = rules_->fields[f];
    if (col.is_numeric()) return number_test(t, std::get<0>(col.values)[row]);
    const std::optional<std::string_view> v = std::get<1>(col.values)[row];
    return v ? text_test(t, *v) : t.op == FieldOp::missing;
  }

  static std::uint8_t kept_stage(std::optional<std::string_view> v) noexcept {
    const auto current = v ? parse_lifecycle_stage(*v) : std::nullopt;
    return current && has_purchased(*current) ? static_cast<std::uint8_t>(*current) : no_stage;
  }

  static double age_days(Timestamp as_of, Timestamp t) noexcept {
    return static_cast<double>(as_of - t) / static_cast<double>(seconds_per_day);
  }

  // Points the scratch at a lead's n hits, in their final order, and
  // computes once per hit its age (its decay factors when first needed).
  void set_hits(Scratch& s, const FilterHit* hits, std::size_t n) const {
    s.hits = hits;
    s.n_hits = n;
    if (s.age.size() < n) s.age.resize(n);
    s.factor.assign(n * rules_->groups.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t k = 0; k < n; ++k) s.age[k] = age_days(s.as_of, hits[k].hit.time);
  }

  // Prepares a lead from its hits (sorted by filter_hit_before): per filter,
  // the hits at or before as_of.
  void prepare(Scratch& s, const FilterHit* hits, std::size_t n, Timestamp as_of) const {
    s.as_of = as_of;
    std::uint32_t k = 0;
    for (std::uint32_t f = 0; f < s.begin.size(); ++f) {
      s.begin[f] = k;
      while (k < n && hits[k].filter == f) ++k;
      std::uint32_t e = k;
      while (e > s.begin[f] && hits[e - 1].hit.time > as_of) --e;
      s.end[f] = e;
    }
    set_hits(s, hits, n);
  }

  // The same for a lead of a bulk call, whose hits are `hits[bounds[0] ..
  // bounds[F])`, filter f's at [bounds[f], bounds[f + 1]) in any order, and
  // none after as_of: each filter's put in canonical order (an insertion
  // sort: there are one or two, usually).
  void prepare_buckets(Scratch& s, FilterHit* hits, const std::uint32_t* bounds) const {
    const std::uint32_t base = bounds[0];
    const std::size_t n_filters = s.begin.size();
    hits += base;
    for (std::size_t f = 0; f < n_filters; ++f) {
      const std::uint32_t b = bounds[f] - base, e = bounds[f + 1] - base;
      s.begin[f] = b;
      s.end[f] = e;
      for (std::uint32_t k = b + 1; k < e; ++k) {
        const FilterHit x = hits[k];
        std::uint32_t j = k;
        for (; j > b && hit_before(x.hit, hits[j - 1].hit); --j) hits[j] = hits[j - 1];
        hits[j] = x;
      }
    }
    set_hits(s, hits, (n_filters == 0 ? base : bounds[n_filters]) - base);
  }

  // The hits of filter f that count within `within_days`: a suffix of
  // [begin[f], end[f]), found from its end (lists are short, and the
  // newest events are the ones that count).
  static std::pair<std::uint32_t, std::uint32_t> window(const Scratch& s, std::uint32_t f,
                                                        double within_days) noexcept {
    const std::uint32_t e = s.end[f];
    if (!std::isfinite(within_days)) return {s.begin[f], e};
    std::uint32_t b = e;
    while (b > s.begin[f] && s.age[b - 1] < within_days) --b;
    return {b, e};
  }

  // Decay factor of group g at hit k's age, computed at most once per lead.
  double decay_factor(Scratch& s, std::uint32_t g, std::uint32_t k) const noexcept {
    double& x = s.factor[g * s.n_hits + k];
    if (std::isnan(x)) x = rules_->groups[g].decay.factor(s.age[k]);
    return x;
  }

  struct Context {
    const Scratch& scratch;
    const double* groups;  // set during qualification
    double total;
  };

  bool event_test(const EventTest& t, const Scratch& s) const noexcept {
    const auto [b, e] = window(s, t.filter, t.within_days);
    switch (t.measure) {
      case EventMeasure::count: return t.range.contains(static_cast<double>(e - b));
      case EventMeasure::sum: {
        double sum = 0;
        for (std::uint32_t k = b; k < e; ++k)
          if (!std::isnan(s.hits[k].hit.value)) sum += s.hits[k].hit.value;
        return t.range.contains(sum);
      }
      case EventMeasure::last_days: return e > b && t.range.contains(s.age[e - 1]);
    }
    return false;
  }

  bool eval(std::uint32_t node, const Context& c) const {
    const RuleSet& rs = *rules_;
    const ConditionNode& n = rs.nodes[node];
    switch (n.kind) {
      case NodeKind::all:
        for (std::uint32_t k = 0; k < n.count; ++k)
          if (!eval(rs.children[n.first + k], c)) return false;
        return true;
      case NodeKind::any:
        for (std::uint32_t k = 0; k < n.count; ++k)
          if (eval(rs.children[n.first + k], c)) return true;
        return false;
      case NodeKind::negate: return !eval(rs.children[n.first], c);
      case NodeKind::field: return c.scratch.field(n.index);
      case NodeKind::score: {
        const ScoreTest& t = rs.scores[n.index];
        return t.range.contains(t.group < 0 ? c.total : c.groups[t.group]);
      }
      case NodeKind::event: return event_test(rs.events[n.index], c.scratch);
    }
    return false;
  }

  // Rule r's points for the lead prepared in `s` after decay and its cap;
  // 0 when it does not fire.
  double rule_points(Scratch& s, const Context& c, std::uint32_t r) const {
    const RuleSet& rs = *rules_;
    const Rule& rule = rs.rules[r];
    const Plan plan = plans_[r];
    switch (plan.test) {
      case Test::always: break;
      case Test::field:
        if (!s.field(plan.index)) return 0;
        break;
      case Test::event:
        if (!event_test(rs.events[plan.index], s)) return 0;
        break;
      case Test::tree:
        if (!eval(plan.index, c)) return 0;
        break;
    }
    double points = 0;
    if (rule.each) {
      const auto [b, e] = window(s, rule.each->filter, rule.each->within_days);
      for (std::uint32_t k = b; k < e; ++k) points += rule.points * decay_factor(s, rule.group, k);
    } else {
      // Event-driven once-rules decay by the age of the latest event their
      // condition looks at; profile rules keep their points.
      constexpr std::uint32_t none = 0xFFFFFFFFu;
      std::uint32_t latest = none;  // the latest hit, whose decay factor may be known already
      for (std::uint32_t f : rule.event_filters) {
        if (s.end[f] == s.begin[f]) continue;
        const std::uint32_t k = s.end[f] - 1;
        if (latest == none || s.hits[k].hit.time > s.hits[latest].hit.time) latest = k;
      }
      points = latest != none ? rule.points * decay_factor(s, rule.group, latest) : rule.points;
    }
    if (std::abs(points) > rule.max_points) points = std::copysign(rule.max_points, points);
    return points;
  }

  // Scores the lead prepared in `s` (hits and field results). `keep` is
  // the stage a customer keeps (no_stage when the rules decide). Leaves the
  // group scores and the sorted reasons in `s`.
  static constexpr std::uint8_t no_stage = 0xFF;
  Result evaluate(Scratch& s, std::uint8_t keep) const {
    const RuleSet& rs = *rules_;
    const Context c{s, nullptr, 0};
    std::fill(s.pos.begin(), s.pos.end(), 0.0);
    std::fill(s.neg.begin(), s.neg.end(), 0.0);
    s.reasons.clear();
    // Only the rules that can fire for this lead, in rule order (the order
    // points are added in): a lead touches a few of the filters and passes
    // a few of the field tests.
    const std::size_t words = s.candidates.size();
    const std::size_t n_field_words = field_words();
    if (words == 1) {  // up to 64 rules: one word, no loops over words
      std::uint64_t bits = always_rules_[0];
      for (std::size_t f = 0; f < s.begin.size(); ++f)
        bits |= s.end[f] != s.begin[f] ? rules_by_filter_[f] : 0;
      for (std::size_t w = 0; w < n_field_words; ++w)
        for (std::uint64_t passed = s.fields[w]; passed != 0; passed &= passed - 1)
          bits |= rules_by_field_[w * 64 + static_cast<std::size_t>(std::countr_zero(passed))];
      s.candidates[0] = bits;
    } else {
      std::copy(always_rules_.begin(), always_rules_.end(), s.candidates.begin());
      const auto add = [&](const std::uint64_t* mask) {
        for (std::size_t w = 0; w < words; ++w) s.candidates[w] |= mask[w];
      };
      for (std::size_t f = 0; f < s.begin.size(); ++f)
        if (s.end[f] != s.begin[f]) add(rules_by_filter_.data() + f * words);
      for (std::size_t w = 0; w < n_field_words; ++w)
        for (std::uint64_t passed = s.fields[w]; passed != 0; passed &= passed - 1)
          add(rules_by_field_.data() + (w * 64 + static_cast<std::size_t>(std::countr_zero(passed))) * words);
    }
    for (std::size_t w = 0; w < words; ++w)
      for (std::uint64_t bits = s.candidates[w]; bits != 0; bits &= bits - 1) {
        const auto r = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
        const double points = rule_points(s, c, r);
        if (points == 0) continue;
        (points > 0 ? s.pos : s.neg)[rs.rules[r].group] += points;
        s.reasons.push_back({r, points});
      }
    // Group caps scale the group's positive (or negative) reasons alike.
    Result out;
    bool capped = false;
    for (std::size_t g = 0; g < rs.groups.size(); ++g) {
      const Group& group = rs.groups[g];
      const double pos = s.pos[g], neg = s.neg[g], sum = pos + neg;
      double fp = 1, fn = 1;
      if (sum > group.max && pos > 0) fp = std::max(0.0, group.max - neg) / pos, capped = true;
      if (sum < group.min && neg < 0) fn = std::min(0.0, group.min - pos) / neg, capped = true;
      s.group_score[g] = std::clamp(sum, group.min, group.max);
      out.total += s.group_score[g];
      s.pos[g] = fp;  // from here on, pos and neg hold the scale factors
      s.neg[g] = fn;
    }
    if (capped) {  // most leads reach no cap: their reasons stand as they are
      std::size_t kept = 0;
      for (const RuleReason& r : s.reasons) {
        const std::uint32_t g = rs.rules[r.rule].group;
        const double p = r.points * (r.points > 0 ? s.pos[g] : s.neg[g]);
        if (p != 0) s.reasons[kept++] = {r.rule, p};
      }
      s.reasons.resize(kept);
    }
    const std::size_t kept = s.reasons.size();
    // Largest contribution (in absolute value) first, ties by rule. The
    // reasons are in rule order, so for the usual few a stable insertion
    // sort by |points| gives that order.
    if (kept <= 32) {
      for (std::size_t i = 1; i < kept; ++i) {
        const RuleReason x = s.reasons[i];
        const double ax = std::abs(x.points);
        std::size_t j = i;
        for (; j > 0 && std::abs(s.reasons[j - 1].points) < ax; --j) s.reasons[j] = s.reasons[j - 1];
        s.reasons[j] = x;
      }
    } else {
      std::sort(s.reasons.begin(), s.reasons.end(), [](const RuleReason& a, const RuleReason& x) {
        const double aa = std::abs(a.points), ax = std::abs(x.points);
        return aa != ax ? aa > ax : a.rule < x.rule;
      });
    }
    const auto score_of = [&](std::int32_t g) { return g < 0 ? out.total : s.group_score[static_cast<std::size_t>(g)]; };
    out.grade = static_cast<std::uint32_t>(rs.grade.pick(score_of(rs.grade.group)));
    out.level = rs.level ? static_cast<std::int32_t>(rs.level->pick(score_of(rs.level->group))) : -1;
    if (keep != no_stage) {
      out.stage = static_cast<LifecycleStage>(keep);
      return out;
    }
    const Context q{s, s.group_score.data(), out.total};
    for (const StageRule& st : rs.stages)
      if (eval(st.condition, q)) {
        out.stage = st.stage;
        break;
      }
    return out;
  }

  std::shared_ptr<const RuleSet> rules_;
  std::uint64_t fingerprint_ = 0;
  std::vector<TypeFilters> by_type_;  // filters per event type
  // How each rule's condition is tested: most are one field or event test,
  // evaluated without walking a tree.
  enum class Test : std::uint8_t { always, field, event, tree };
  struct Plan {
    Test test = Test::always;
    std::uint32_t index = 0;  // field test, event test or root node
  };
  std::vector<Plan> plans_;
  // Filters whose event values some test sums (the others' values are
  // never read once an event has matched).
  std::vector<std::uint8_t> summed_;

  // Which rules can fire for a lead, by what it has. Each rule is listed
  // under some field tests and filters, one of which a lead must pass or
  // have hits in for the rule to fire (whatever else the lead has); a rule
  // with no such list (one that can fire with no hits at all) is looked at
  // for every lead. Skipping the others changes nothing: they would not
  // fire. Bits over the rules, one row of `words` per filter and per field
  // test.
  std::vector<std::uint64_t> always_rules_, rules_by_filter_, rules_by_field_;

  // Field tests and filters of which a lead must pass one (or have hits in
  // one) for condition `node` to hold; nullopt when it can hold without
  // any (a negation, a count or sum that 0 satisfies).
  struct Needs {
    std::vector<std::uint32_t> fields, filters;
    std::size_t size() const noexcept { return fields.size() + filters.size(); }
  };
  std::optional<Needs> needs(std::uint32_t node) const {
    const RuleSet& rs = *rules_;
    const ConditionNode& n = rs.nodes[node];
    switch (n.kind) {
      case NodeKind::field: return Needs{{n.index}, {}};
      case NodeKind::event: {
        const EventTest& t = rs.events[n.index];
        const bool holds_without_hits = t.measure != EventMeasure::last_days && t.range.contains(0);
        if (holds_without_hits) return std::nullopt;
        return Needs{{}, {t.filter}};
      }
      case NodeKind::all: {  // every child must hold: the smallest child's needs will do
        std::optional<Needs> best;
        for (std::uint32_t k = 0; k < n.count; ++k) {
          auto c = needs(rs.children[n.first + k]);
          if (c && (!best || c->size() < best->size())) best = std::move(c);
        }
        return best;
      }
      case NodeKind::any: {  // some child must hold: the needs of all children
        Needs out;
        for (std::uint32_t k = 0; k < n.count; ++k) {
          auto c = needs(rs.children[n.first + k]);
          if (!c) return std::nullopt;
          out.fields.insert(out.fields.end(), c->fields.begin(), c->fields.end());
          out.filters.insert(out.filters.end(), c->filters.begin(), c->filters.end());
        }
        return out;
      }
      case NodeKind::negate:
      case NodeKind::score: return std::nullopt;
    }
    return std::nullopt;
  }

  void index_candidates() {
    const RuleSet& rs = *rules_;
    const std::size_t words = (rs.rules.size() + 63) / 64;
    always_rules_.assign(words, 0);
    rules_by_filter_.assign(rs.filters.size() * words, 0);
    rules_by_field_.assign(rs.fields.size() * words, 0);
    for (std::uint32_t r = 0; r < rs.rules.size(); ++r) {
      const Rule& rule = rs.rules[r];
      const std::uint64_t bit = std::uint64_t{1} << (r % 64);
      const std::size_t w = r / 64;
      if (rule.each) {  // points only from hits of its filter
        rules_by_filter_[rule.each->filter * words + w] |= bit;
        continue;
      }
      const auto need = rule.condition < 0 ? std::nullopt : needs(static_cast<std::uint32_t>(rule.condition));
      if (!need) {
        always_rules_[w] |= bit;
        continue;
      }
      for (std::uint32_t t : need->fields) rules_by_field_[t * words + w] |= bit;
      for (std::uint32_t f : need->filters) rules_by_filter_[f * words + w] |= bit;
    }
  }

};

}  // namespace leadscore::scoring
