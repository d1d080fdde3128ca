// The JSON reader and validator of rule sets; see leadscore/scoring/rule_set.hpp.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/rule_set.hpp"

namespace leadscore::scoring {

std::string_view to_string(FieldOp op) noexcept {
  switch (op) {
    case FieldOp::eq: return "eq";
    case FieldOp::ne: return "ne";
    case FieldOp::in: return "in";
    case FieldOp::not_in: return "not_in";
    case FieldOp::lt: return "lt";
    case FieldOp::lte: return "lte";
    case FieldOp::gt: return "gt";
    case FieldOp::gte: return "gte";
    case FieldOp::between: return "between";
    case FieldOp::exists: return "exists";
    case FieldOp::missing: return "missing";
    case FieldOp::contains: return "contains";
    case FieldOp::starts_with: return "starts_with";
    case FieldOp::ends_with: return "ends_with";
  }
  return "unknown";
}

namespace {

using Json = nlohmann::json;

constexpr std::initializer_list<FieldOp> all_ops{
    FieldOp::eq,      FieldOp::ne,     FieldOp::in,      FieldOp::not_in,   FieldOp::lt,
    FieldOp::lte,     FieldOp::gt,     FieldOp::gte,     FieldOp::between,  FieldOp::exists,
    FieldOp::missing, FieldOp::contains, FieldOp::starts_with, FieldOp::ends_with};

bool numeric_only(FieldOp op) {
  return op == FieldOp::lt || op == FieldOp::lte || op == FieldOp::gt || op == FieldOp::gte ||
         op == FieldOp::between;
}
bool text_only(FieldOp op) {
  return op == FieldOp::contains || op == FieldOp::starts_with || op == FieldOp::ends_with;
}

// JSON Pointer (RFC 6901) of a key below `path`.
std::string at(const std::string& path, std::string_view key) {
  std::string out = path + "/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}
std::string at(const std::string& path, std::size_t index) { return path + "/" + std::to_string(index); }

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw JsonError(path.empty() ? "/" : path, what);
}

const char* type_name(const Json& j) { return j.type_name(); }

const Json& object(const Json& j, const std::string& path) {
  if (!j.is_object()) fail(path, std::string("expected an object, found ") + type_name(j));
  return j;
}

void only_keys(const Json& j, const std::string& path, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : j.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(at(path, key), "unknown key '" + key + "' (expected one of: " + list + ")");
    }
}

double number(const Json& j, const std::string& path) {
  if (!j.is_number()) fail(path, std::string("expected a number, found ") + type_name(j));
  const double d = j.get<double>();
  if (!std::isfinite(d)) fail(path, "not a finite number");
  return d;
}

double positive(const Json& j, const std::string& path) {
  const double d = number(j, path);
  if (!(d > 0)) fail(path, "must be greater than 0");
  return d;
}

std::string text(const Json& j, const std::string& path) {
  if (!j.is_string()) fail(path, std::string("expected a string, found ") + type_name(j));
  return j.get<std::string>();
}

std::string name(const Json& j, const std::string& path) {
  std::string s = text(j, path);
  if (s.empty()) fail(path, "must not be empty");
  return s;
}

// A range given as {gte, gt, lte, lt, eq, between}; at least one bound.
Range range(const Json& j, const std::string& path) {
  object(j, path);
  only_keys(j, path, {"gte", "gt", "lte", "lt", "eq", "between"});
  if (j.empty()) fail(path, "a range needs at least one of gte, gt, lte, lt, eq, between");
  Range r;
  for (const auto& [key, value] : j.items()) {
    const std::string p = at(path, key);
    if (key == "between") {
      if (!value.is_array() || value.size() != 2) fail(p, "between takes [low, high]");
      const double lo = number(value[0], at(p, 0)), hi = number(value[1], at(p, 1));
      if (lo > hi) fail(p, "low is greater than high");
      r.min = std::max(r.min, lo);
      r.max = std::min(r.max, hi);
      continue;
    }
    const double x = number(value, p);
    if (key == "gte") r.min = std::max(r.min, x);
    if (key == "gt") r.min = std::max(r.min, std::nextafter(x, unbounded));
    if (key == "lte") r.max = std::min(r.max, x);
    if (key == "lt") r.max = std::min(r.max, std::nextafter(x, -unbounded));
    if (key == "eq") r.min = std::max(r.min, x), r.max = std::min(r.max, x);
  }
  if (r.min > r.max) fail(path, "the range is empty");
  return r;
}

class Parser {
 public:
  explicit Parser(const Json& doc) : doc_(doc) {}

  RuleSet run() {
    object(doc_, "");
    only_keys(doc_, "", {"$schema", "name", "description", "groups", "conditions", "rules", "grade",
                         "level", "qualification"});
    if (doc_.contains("name")) rs_.name = text(doc_["name"], "/name");
    if (doc_.contains("description")) text(doc_["description"], "/description");
    if (doc_.contains("conditions")) {
      object(doc_["conditions"], "/conditions");
      named_ = &doc_["conditions"];
    }
    parse_groups();
    parse_rules();
    if (!doc_.contains("grade")) fail("/grade", "missing: the bands that grade the fit score");
    rs_.grade = bands(doc_["grade"], "/grade");
    if (doc_.contains("level")) rs_.level = bands(doc_["level"], "/level");
    if (doc_.contains("qualification")) parse_qualification();
    // Named conditions no rule used are still checked.
    if (named_)
      for (const auto& [key, value] : named_->items()) {
        allow_scores_ = true;
        reference(key, "/conditions");
      }
    rs_.json = doc_.dump();
    return std::move(rs_);
  }

 private:
  void parse_groups() {
    if (!doc_.contains("groups")) fail("/groups", "missing: a rule set needs at least one group");
    const Json& groups = doc_["groups"];
    if (!groups.is_array() || groups.empty()) fail("/groups", "expected a non-empty array of groups");
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const std::string p = at("/groups", i);
      const Json& g = object(groups[i], p);
      only_keys(g, p, {"name", "description", "min", "max", "decay"});
      Group group;
      if (!g.contains("name")) fail(p, "a group needs a name");
      group.name = name(g["name"], at(p, "name"));
      if (group.name == "total") fail(at(p, "name"), "'total' is reserved for the sum of all groups");
      if (rs_.group_index(group.name)) fail(at(p, "name"), "duplicate group '" + group.name + "'");
      if (g.contains("description")) text(g["description"], at(p, "description"));
      if (g.contains("min")) group.min = number(g["min"], at(p, "min"));
      if (g.contains("max")) group.max = number(g["max"], at(p, "max"));
      if (group.min > group.max) fail(p, "min is greater than max");
      if (g.contains("decay")) {
        const std::string dp = at(p, "decay");
        const Json& d = object(g["decay"], dp);
        only_keys(d, dp, {"half_life_days", "expire_days"});
        if (d.size() != 1) fail(dp, "give exactly one of half_life_days, expire_days");
        if (d.contains("half_life_days")) {
          group.decay = {DecayKind::half_life, positive(d["half_life_days"], at(dp, "half_life_days"))};
        } else {
          group.decay = {DecayKind::expire, positive(d["expire_days"], at(dp, "expire_days"))};
        }
      }
      rs_.groups.push_back(std::move(group));
    }
  }

  std::uint32_t group_of(const Json& j, const std::string& path) {
    const std::string g = name(j, path);
    const auto index = rs_.group_index(g);
    if (!index) fail(path, "unknown group '" + g + "'");
    return static_cast<std::uint32_t>(*index);
  }

  void parse_rules() {
    if (!doc_.contains("rules")) fail("/rules", "missing: a rule set needs rules");
    const Json& rules = doc_["rules"];
    if (!rules.is_array() || rules.empty()) fail("/rules", "expected a non-empty array of rules");
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::string p = at("/rules", i);
      const Json& r = object(rules[i], p);
      only_keys(r, p, {"id", "description", "group", "points", "when", "each", "max_points"});
      Rule rule;
      if (!r.contains("id")) fail(p, "a rule needs an id");
      rule.id = name(r["id"], at(p, "id"));
      for (const auto& other : rs_.rules)
        if (other.id == rule.id) fail(at(p, "id"), "duplicate rule id '" + rule.id + "'");
      if (r.contains("description")) rule.description = text(r["description"], at(p, "description"));
      if (!r.contains("group")) fail(p, "a rule needs a group");
      rule.group = group_of(r["group"], at(p, "group"));
      if (!r.contains("points")) fail(p, "a rule needs points");
      rule.points = number(r["points"], at(p, "points"));
      allow_scores_ = false;
      if (r.contains("when")) rule.condition = static_cast<std::int32_t>(condition(r["when"], at(p, "when")));
      if (r.contains("each")) rule.each = event_test(r["each"], at(p, "each"), false);
      if (r.contains("max_points")) rule.max_points = positive(r["max_points"], at(p, "max_points"));
      if (rule.condition >= 0) collect_filters(static_cast<std::uint32_t>(rule.condition), rule.event_filters);
      rs_.rules.push_back(std::move(rule));
    }
  }

  void collect_filters(std::uint32_t node, std::vector<std::uint32_t>& out) const {
    const ConditionNode& n = rs_.nodes[node];
    if (n.kind == NodeKind::event) {
      const std::uint32_t f = rs_.events[n.index].filter;
      if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
    if (n.kind == NodeKind::all || n.kind == NodeKind::any || n.kind == NodeKind::negate)
      for (std::uint32_t c = 0; c < n.count; ++c) collect_filters(rs_.children[n.first + c], out);
  }

  Bands bands(const Json& j, const std::string& path) {
    object(j, path);
    only_keys(j, path, {"group", "bands"});
    Bands out;
    if (!j.contains("group")) fail(path, "name the group to band, or \"total\"");
    if (j["group"] == "total") {
      out.group = -1;
    } else {
      out.group = static_cast<std::int32_t>(group_of(j["group"], at(path, "group")));
    }
    const std::string bp = at(path, "bands");
    if (!j.contains("bands") || !j["bands"].is_array() || j["bands"].empty())
      fail(bp, "expected a non-empty array of bands");
    const Json& bands = j["bands"];
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const std::string p = at(bp, i);
      const Json& b = object(bands[i], p);
      only_keys(b, p, {"label", "min"});
      Band band;
      if (!b.contains("label")) fail(p, "a band needs a label");
      band.label = name(b["label"], at(p, "label"));
      for (const auto& other : out.bands)
        if (other.label == band.label) fail(at(p, "label"), "duplicate label '" + band.label + "'");
      const bool last = i + 1 == bands.size();
      if (last && b.contains("min")) fail(at(p, "min"), "the last band takes every lower score: leave out min");
      if (!last) {
        if (!b.contains("min")) fail(p, "every band but the last needs a min");
        band.min = number(b["min"], at(p, "min"));
        if (!out.bands.empty() && band.min >= out.bands.back().min)
          fail(at(p, "min"), "band minimums must decrease");
      }
      out.bands.push_back(std::move(band));
    }
    return out;
  }

  void parse_qualification() {
    const std::string path = "/qualification";
    const Json& q = object(doc_["qualification"], path);
    only_keys(q, path, {"stage_field", "stages"});
    if (q.contains("stage_field")) rs_.stage_field = name(q["stage_field"], at(path, "stage_field"));
    const std::string sp = at(path, "stages");
    if (!q.contains("stages") || !q["stages"].is_array()) fail(sp, "expected an array of stages");
    const Json& stages = q["stages"];
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const std::string p = at(sp, i);
      const Json& s = object(stages[i], p);
      only_keys(s, p, {"stage", "when", "description"});
      if (!s.contains("stage")) fail(p, "name the stage");
      const std::string stage_name = name(s["stage"], at(p, "stage"));
      const auto stage = parse_lifecycle_stage(stage_name);
      if (stage != LifecycleStage::prospect && stage != LifecycleStage::opportunity)
        fail(at(p, "stage"), "qualification sets 'prospect' or 'opportunity', not '" + stage_name + "'");
      for (const auto& other : rs_.stages)
        if (other.stage == *stage) fail(at(p, "stage"), "duplicate stage '" + stage_name + "'");
      if (s.contains("description")) text(s["description"], at(p, "description"));
      if (!s.contains("when")) fail(p, "a stage needs a condition (when)");
      allow_scores_ = true;
      rs_.stages.push_back({*stage, condition(s["when"], at(p, "when"))});
    }
    std::stable_sort(rs_.stages.begin(), rs_.stages.end(),
                     [](const StageRule& a, const StageRule& b) { return a.stage > b.stage; });
  }

  std::uint32_t add_node(ConditionNode node) {
    rs_.nodes.push_back(node);
    return static_cast<std::uint32_t>(rs_.nodes.size() - 1);
  }

  std::uint32_t condition(const Json& j, const std::string& path) {
    object(j, path);
    for (const char* key : {"all", "any"}) {
      if (!j.contains(key)) continue;
      only_keys(j, path, {key});
      const std::string p = at(path, key);
      const Json& list = j[key];
      if (!list.is_array()) fail(p, "expected an array of conditions");
      if (list.empty()) fail(p, std::string("an empty '") + key + "' list");
      std::vector<std::uint32_t> kids;
      for (std::size_t i = 0; i < list.size(); ++i) kids.push_back(condition(list[i], at(p, i)));
      const auto first = static_cast<std::uint32_t>(rs_.children.size());
      rs_.children.insert(rs_.children.end(), kids.begin(), kids.end());
      return add_node({std::string_view(key) == "all" ? NodeKind::all : NodeKind::any, 0, first,
                       static_cast<std::uint32_t>(kids.size())});
    }
    if (j.contains("not")) {
      only_keys(j, path, {"not"});
      const std::uint32_t kid = condition(j["not"], at(path, "not"));
      const auto first = static_cast<std::uint32_t>(rs_.children.size());
      rs_.children.push_back(kid);
      return add_node({NodeKind::negate, 0, first, 1});
    }
    if (j.contains("ref")) {
      only_keys(j, path, {"ref"});
      return reference(name(j["ref"], at(path, "ref")), at(path, "ref"));
    }
    if (j.contains("field")) {
      rs_.fields.push_back(field_test(j, path, false));
      return add_node({NodeKind::field, static_cast<std::uint32_t>(rs_.fields.size() - 1), 0, 0});
    }
    if (j.contains("event")) {
      rs_.events.push_back(event_test(j, path, true));
      return add_node({NodeKind::event, static_cast<std::uint32_t>(rs_.events.size() - 1), 0, 0});
    }
    if (j.contains("score")) {
      if (!allow_scores_) fail(at(path, "score"), "score conditions are allowed in qualification only");
      only_keys(j, path, {"score", "gte", "gt", "lte", "lt", "eq", "between"});
      ScoreTest t;
      const std::string g = name(j["score"], at(path, "score"));
      t.group = g == "total" ? -1 : static_cast<std::int32_t>(group_of(j["score"], at(path, "score")));
      Json bounds = j;
      bounds.erase("score");
      t.range = range(bounds, path);
      rs_.scores.push_back(t);
      return add_node({NodeKind::score, static_cast<std::uint32_t>(rs_.scores.size() - 1), 0, 0});
    }
    fail(path, "a condition needs one of: all, any, not, ref, field, event, score");
  }

  std::uint32_t reference(const std::string& ref, const std::string& path) {
    if (!named_ || !named_->contains(ref)) fail(path, "unknown condition '" + ref + "'");
    if (std::find(stack_.begin(), stack_.end(), ref) != stack_.end()) {
      std::string cycle;
      for (const auto& s : stack_) cycle += s + " -> ";
      fail(path, "cycle between named conditions: " + cycle + ref);
    }
    stack_.push_back(ref);
    const std::uint32_t node = condition((*named_)[ref], at("/conditions", ref));
    stack_.pop_back();
    return node;
  }

  // {"field": name, <op>: operand}, or for event properties {<op>: operand}
  // under the property name.
  FieldTest field_test(const Json& j, const std::string& path, bool property) {
    FieldTest t;
    t.path = path;
    std::string op_key;
    for (const auto& [key, value] : j.items()) {
      if (!property && key == "field") continue;
      if (!op_key.empty()) fail(at(path, key), "one operator per test (found '" + op_key + "' and '" + key + "')");
      op_key = key;
    }
    if (!property) t.field = name(j["field"], at(path, "field"));
    if (op_key.empty()) fail(path, "an operator is missing (eq, ne, in, not_in, lt, lte, gt, gte, between, exists, missing, contains, starts_with, ends_with)");
    const std::string p = at(path, op_key);
    const auto op = std::find_if(all_ops.begin(), all_ops.end(), [&](FieldOp o) { return to_string(o) == op_key; });
    if (op == all_ops.end()) fail(p, "unknown operator '" + op_key + "'");
    t.op = *op;
    const Json& v = j[op_key];
    auto operand = [&](const Json& x, const std::string& xp) {
      if (x.is_number()) {
        if (property) fail(xp, "event properties are text: compare them with strings");
        t.numbers.push_back(number(x, xp));
      } else if (x.is_string()) {
        t.strings.push_back(x.get<std::string>());
      } else {
        fail(xp, std::string("expected a string or a number, found ") + type_name(x));
      }
    };
    switch (t.op) {
      case FieldOp::exists:
      case FieldOp::missing:
        if (!v.is_boolean() || !v.get<bool>()) fail(p, "takes the value true");
        break;
      case FieldOp::eq:
      case FieldOp::ne: operand(v, p); break;
      case FieldOp::in:
      case FieldOp::not_in:
      case FieldOp::contains:
      case FieldOp::starts_with:
      case FieldOp::ends_with:
        if (v.is_array()) {
          if (v.empty()) fail(p, "an empty list");
          for (std::size_t i = 0; i < v.size(); ++i) operand(v[i], at(p, i));
        } else if (t.op == FieldOp::in || t.op == FieldOp::not_in) {
          fail(p, std::string("expected an array, found ") + type_name(v));
        } else {
          operand(v, p);
        }
        break;
      case FieldOp::lt:
      case FieldOp::lte:
      case FieldOp::gt:
      case FieldOp::gte:
        if (property) fail(p, "event properties are text: use eq, ne, in, not_in, exists, missing, contains, starts_with or ends_with");
        t.numbers.push_back(number(v, p));
        break;
      case FieldOp::between:
        if (property) fail(p, "event properties are text: between does not apply");
        if (!v.is_array() || v.size() != 2) fail(p, "between takes [low, high]");
        t.numbers = {number(v[0], at(p, 0)), number(v[1], at(p, 1))};
        if (t.numbers[0] > t.numbers[1]) fail(p, "low is greater than high");
        break;
    }
    if (!t.numbers.empty() && !t.strings.empty()) fail(p, "mixes numbers and strings");
    if (text_only(t.op) && !t.numbers.empty()) fail(p, std::string(to_string(t.op)) + " takes strings");
    t.numeric = !t.numbers.empty() || numeric_only(t.op);
    return t;
  }

  EventTest event_test(const Json& j, const std::string& path, bool measured) {
    object(j, path);
    if (measured)
      only_keys(j, path, {"event", "where", "value", "within_days", "count", "sum", "last_days"});
    else
      only_keys(j, path, {"event", "where", "value", "within_days"});
    EventFilter f;
    f.path = path;
    if (!j.contains("event")) fail(path, "name the event type (event)");
    const std::string type = name(j["event"], at(path, "event"));
    const auto parsed = parse_event_type(type);
    if (!parsed) {
      std::string list;
      for (auto t : all_event_types) list += (list.empty() ? "" : ", ") + std::string(to_string(t));
      fail(at(path, "event"), "unknown event type '" + type + "' (known: " + list + ")");
    }
    f.type = *parsed;
    if (j.contains("where")) {
      const std::string wp = at(path, "where");
      const Json& where = object(j["where"], wp);
      for (const auto& [key, value] : where.items()) {
        const std::string kp = at(wp, key);
        if (key.empty()) fail(kp, "an empty property name");
        FieldTest t;
        if (value.is_object()) {
          t = field_test(value, kp, true);
        } else if (value.is_string()) {
          t = field_test(Json{{"eq", value}}, kp, true);
        } else {
          fail(kp, std::string("expected a string or an operator object, found ") + type_name(value));
        }
        t.field = key;
        f.where.push_back(std::move(t));
      }
    }
    if (j.contains("value")) {
      f.value = range(j["value"], at(path, "value"));
      f.value_bounded = true;
    }
    EventTest t;
    t.filter = filter_index(std::move(f));
    if (j.contains("within_days")) t.within_days = positive(j["within_days"], at(path, "within_days"));
    int measures = 0;
    for (const char* key : {"count", "sum", "last_days"}) {
      if (!j.contains(key)) continue;
      if (++measures > 1) fail(at(path, key), "give one of count, sum, last_days");
      t.range = range(j[key], at(path, key));
      t.measure = std::string_view(key) == "count" ? EventMeasure::count
                  : std::string_view(key) == "sum" ? EventMeasure::sum
                                                   : EventMeasure::last_days;
    }
    return t;
  }

  // Equal filters share one index, so each event is tested once per filter.
  std::uint32_t filter_index(EventFilter f) {
    std::string key = std::to_string(static_cast<int>(f.type));
    for (const auto& w : f.where) {
      key += '\x1f' + w.field + '\x1e' + std::string(to_string(w.op));
      for (const auto& s : w.strings) key += '\x1d' + s;
    }
    if (f.value_bounded) key += fmt_range(f.value);
    const auto [it, inserted] = filter_keys_.emplace(key, static_cast<std::uint32_t>(rs_.filters.size()));
    if (inserted) rs_.filters.push_back(std::move(f));
    return it->second;
  }

  static std::string fmt_range(const Range& r) {
    std::ostringstream os;
    os.precision(17);
    os << '\x1c' << r.min << ':' << r.max;
    return os.str();
  }

  const Json& doc_;
  RuleSet rs_;
  const Json* named_ = nullptr;
  std::vector<std::string> stack_;
  std::map<std::string, std::uint32_t> filter_keys_;
  bool allow_scores_ = false;
};

}  // namespace

RuleSet parse_rule_set(std::string_view json_text, const std::string& source, const DataSchema* schema) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    std::size_t line = 1, column = 1;
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, json_text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (json_text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    std::string what = e.what();
    if (const auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    throw ParseError(source, line, column, "invalid JSON: " + what);
  } catch (const Json::exception& e) {  // a number too large for a double
    throw ParseError(source, 0, 0, std::string("invalid JSON: ") + e.what());
  }
  RuleSet rs = Parser(doc).run();
  if (schema) check_schema(rs, *schema);
  return rs;
}

RuleSet load_rule_set(const std::string& path, const DataSchema* schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, 0, "cannot open the rule file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_rule_set(ss.str(), path, schema);
}

void check_schema(const RuleSet& rules, const DataSchema& schema) {
  auto find = [&](const std::string& field) -> const DataSchema::Field* {
    for (const auto& f : schema.fields)
      if (f.name == field) return &f;
    return nullptr;
  };
  auto field_list = [&] {
    std::string list;
    for (const auto& f : schema.fields) list += (list.empty() ? "" : ", ") + f.name;
    return list;
  };
  if (schema.check_fields) {
    for (const auto& t : rules.fields) {
      const auto* f = find(t.field);
      const std::string p = at(t.path, "field");
      if (!f) fail(p, "field '" + t.field + "' is not in the data (fields: " + field_list() + ")");
      const std::string op_path = at(t.path, to_string(t.op));
      if (f->numeric && (text_only(t.op) || !t.strings.empty()))
        fail(op_path, "field '" + t.field + "' is numeric: " + std::string(to_string(t.op)) + " needs numbers");
      if (!f->numeric && t.numeric)
        fail(op_path, "field '" + t.field + "' is text: " + std::string(to_string(t.op)) + " needs strings");
    }
    if (!rules.stage_field.empty() && !find(rules.stage_field))
      fail("/qualification/stage_field",
           "field '" + rules.stage_field + "' is not in the data (fields: " + field_list() + ")");
  }
  if (schema.check_event_types)
    for (const auto& f : rules.filters)
      if (std::find(schema.event_types.begin(), schema.event_types.end(), f.type) == schema.event_types.end())
        fail(at(f.path, "event"), "the events have no '" + std::string(to_string(f.type)) + "' events");
}

}  // namespace leadscore::scoring
