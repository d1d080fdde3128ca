#pragma once
// A lead-scoring rule set: groups of rules that award points for who a lead
// is (profile fields) and what the lead does (events), grade bands, and the
// qualification rules that move a lead to prospect and opportunity.
//
// A RuleSet is the validated, compiled form of a JSON rule file (see
// docs/rules.md and data/rules/rules.schema.json). It is immutable once
// parsed; parse_rule_set() either returns a complete rule set or throws, so
// there is never a partial one.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/events.hpp"
#include "leadscore/core/lifecycle.hpp"

namespace leadscore::scoring {

inline constexpr double unbounded = std::numeric_limits<double>::infinity();

/// Operators of a test on a profile field or an event property.
enum class FieldOp : std::uint8_t {
  eq, ne, in, not_in, lt, lte, gt, gte, between, exists, missing, contains, starts_with, ends_with
};

/// One test on a profile field (or an event property). A missing value
/// fails every operator except `missing`.
struct FieldTest {
  std::string field;
  FieldOp op = FieldOp::exists;
  bool numeric = false;              ///< operands are numbers (else strings)
  std::vector<double> numbers;       ///< eq/ne: 1, in/not_in: any, lt..gte: 1, between: 2
  std::vector<std::string> strings;  ///< eq/ne/in/not_in/contains/starts_with/ends_with
  std::string path;                  ///< JSON path, for errors found when data is bound
};

/// Inclusive range [min, max].
struct Range {
  double min = -unbounded;
  double max = unbounded;
  bool contains(double x) const noexcept { return x >= min && x <= max; }
};

/// Which events an event condition looks at: a type, tests on properties
/// (page = "pricing") and on the event value. Equal filters are shared.
struct EventFilter {
  EventType type = EventType::page_view;
  std::vector<FieldTest> where;
  Range value;  ///< events without a value fail a bounded range
  bool value_bounded = false;
  std::string path;  ///< JSON path of the first use, for errors
};

/// What an event condition measures over the matching events in its window.
enum class EventMeasure : std::uint8_t {
  count,      ///< how many
  sum,        ///< sum of their values (events without a value add 0)
  last_days,  ///< days since the most recent one (fails when there is none)
};

struct EventTest {
  std::uint32_t filter = 0;          ///< index into RuleSet::filters
  double within_days = unbounded;    ///< only events less than this many days old
  EventMeasure measure = EventMeasure::count;
  Range range{1, unbounded};
};

/// A condition on a score computed by the rules: `group` indexes
/// RuleSet::groups, or is -1 for the total. Only in qualification.
struct ScoreTest {
  std::int32_t group = -1;
  Range range;
};

enum class NodeKind : std::uint8_t { all, any, negate, field, event, score };

/// A node of a condition tree. all/any/negate have children
/// children[first .. first + count); field/event/score nodes point at their
/// test by `index`.
struct ConditionNode {
  NodeKind kind = NodeKind::all;
  std::uint32_t index = 0;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
};

enum class DecayKind : std::uint8_t { none, half_life, expire };

/// How event-driven points lose weight with age at the scoring time.
struct Decay {
  DecayKind kind = DecayKind::none;
  double days = 0;  ///< half-life, or age after which points expire

  double factor(double age_days) const noexcept {
    switch (kind) {
      case DecayKind::none: return 1.0;
      case DecayKind::half_life: return std::exp2(-age_days / days);
      case DecayKind::expire: return age_days <= days ? 1.0 : 0.0;
    }
    return 1.0;
  }
};

struct Group {
  std::string name;
  double min = -unbounded;  ///< floor of the group score
  double max = unbounded;   ///< cap of the group score
  Decay decay;
};

/// Points for a rule: once when the condition holds, or per matching event
/// of `each` (in its window), each decayed by its age; the rule's total is
/// capped at `max_points` in absolute value.
struct Rule {
  std::string id;
  std::string description;
  std::uint32_t group = 0;
  double points = 0;
  std::int32_t condition = -1;            ///< root node, or -1 (always)
  std::optional<EventTest> each;          ///< per-event points
  double max_points = unbounded;
  std::vector<std::uint32_t> event_filters;  ///< filters the condition looks at (for decay)
};

struct Band {
  std::string label;
  double min = -unbounded;
};

/// Labels by score: the first band (highest first) whose `min` the score
/// reaches. The last band has no minimum and catches the rest.
struct Bands {
  std::int32_t group = -1;  ///< -1: the total
  std::vector<Band> bands;
  std::size_t pick(double score) const noexcept {
    for (std::size_t i = 0; i + 1 < bands.size(); ++i)
      if (score >= bands[i].min) return i;
    return bands.size() - 1;
  }
};

struct StageRule {
  LifecycleStage stage = LifecycleStage::prospect;
  std::uint32_t condition = 0;
};

/// The validated, compiled rule set.
struct RuleSet {
  std::string name;
  std::vector<Group> groups;
  std::vector<Rule> rules;
  std::vector<FieldTest> fields;     ///< profile-field tests
  std::vector<EventFilter> filters;  ///< shared event filters
  std::vector<EventTest> events;     ///< event tests of conditions
  std::vector<ScoreTest> scores;
  std::vector<ConditionNode> nodes;
  std::vector<std::uint32_t> children;
  Bands grade;
  std::optional<Bands> level;
  std::vector<StageRule> stages;  ///< most advanced first
  /// A profile field holding the current lifecycle stage: a record at
  /// customer or beyond keeps its stage.
  std::string stage_field;
  /// The source JSON, compacted: what save() stores and to_json() returns.
  std::string json;

  std::optional<std::size_t> group_index(std::string_view group) const noexcept {
    for (std::size_t g = 0; g < groups.size(); ++g)
      if (groups[g].name == group) return g;
    return std::nullopt;
  }
};

/// The fields and event types some data has, to reject at load time a rule
/// set that refers to anything else. An empty list means "not checked".
struct DataSchema {
  struct Field {
    std::string name;
    bool numeric = false;
  };
  std::vector<Field> fields;
  std::vector<EventType> event_types;
  bool check_fields = false;
  bool check_event_types = false;
};

/// Parses and validates a rule set. Throws ParseError (with `source`, line
/// and column) on malformed JSON and JsonError (with the JSON path) on a
/// document that is not a valid rule set: unknown key, operator, group,
/// event type or stage; a value of the wrong type; an empty all/any; a
/// cycle between named conditions; points or bounds that are not finite;
/// and, given a schema, a field or event type the data does not have or an
/// operator that does not fit the field's type.
RuleSet parse_rule_set(std::string_view json_text, const std::string& source = "<rules>",
                       const DataSchema* schema = nullptr);

/// Reads and parses a rule file.
RuleSet load_rule_set(const std::string& path, const DataSchema* schema = nullptr);

/// Checks a parsed rule set against the schema of some data; throws
/// JsonError with the path of the first rule part that does not fit.
void check_schema(const RuleSet& rules, const DataSchema& schema);

std::string_view to_string(FieldOp op) noexcept;

}  // namespace leadscore::scoring
