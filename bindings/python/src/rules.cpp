// leadscore._core rule scoring: RuleEngine over columns handed over from
// pandas (numeric columns as float64 arrays, text columns as lists of
// str/None), bulk scoring, incremental per-lead states, bytes for pickling.

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <string>

#include "arrays.hpp"
#include "objects.hpp"
#include "leadscore/core/date.hpp"
#include "leadscore/scoring/rule_comparison.hpp"
#include "leadscore/scoring/rules_io.hpp"

namespace leadscore::python {
namespace {

using namespace nb::literals;
using namespace leadscore::scoring;
using Text = std::vector<std::optional<std::string>>;

// Text as pandas codes and categories (the Python side factorizes each
// column once): codes[i] indexes categories, -1 is missing. Each distinct
// value crosses from Python once instead of once per row.
struct Coded {
  InArray<std::int64_t> codes;
  std::vector<std::string> categories;
};

Coded coded(nb::handle h, const std::string& what) {
  if (!nb::isinstance<nb::tuple>(h) || nb::len(h) != 2)
    throw InvalidInput(what + ": expected a (codes, categories) pair");
  const auto t = nb::borrow<nb::tuple>(h);
  Coded c{nb::cast<InArray<std::int64_t>>(t[0]), nb::cast<std::vector<std::string>>(t[1])};
  const auto k = static_cast<std::int64_t>(c.categories.size());
  for (std::size_t i = 0; i < c.codes.shape(0); ++i)
    if (c.codes.data()[i] < -1 || c.codes.data()[i] >= k)
      throw InvalidInput(what + ": row " + std::to_string(i) + ": code " + std::to_string(c.codes.data()[i]) +
                         " is not a category");
  return c;
}

// Each category's code in `texts` (categories that read alike, such as 1
// and "1", share one).
std::vector<std::uint32_t> pool_codes(TextPool& texts, const Coded& c) {
  std::vector<std::uint32_t> out;
  for (const std::string& category : c.categories) out.push_back(texts.intern(category));
  return out;
}

// A text column from codes and categories: each category stored once.
TextColumn text_column(const Coded& c) {
  TextColumn out;
  const std::vector<std::uint32_t> code_of = pool_codes(out.texts, c);
  out.codes.resize(c.codes.shape(0));
  for (std::size_t i = 0; i < out.codes.size(); ++i) {
    const auto k = c.codes.data()[i];
    out.codes[i] = k < 0 ? TextColumn::missing : code_of[static_cast<std::size_t>(k)];
  }
  return out;
}

// A profile table from parallel lists: names, and for each either a float64
// array, a list of str/None or a (codes, categories) pair. Rows are leads
// 0..n-1.
ProfileTable make_profiles(std::size_t n, const std::vector<std::string>& names, const std::vector<nb::object>& columns) {
  if (names.size() != columns.size()) throw InvalidInput("profiles: names and columns differ in length");
  ProfileTable t;
  t.customer.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) t.customer[i] = i;
  for (std::size_t c = 0; c < names.size(); ++c) {
    ProfileColumn col;
    col.name = names[c];
    if (nb::isinstance<InArray<double>>(columns[c])) {
      const auto a = nb::cast<InArray<double>>(columns[c]);
      col.values = std::vector<double>(a.data(), a.data() + a.shape(0));
    } else if (nb::isinstance<nb::tuple>(columns[c])) {
      col.values = text_column(coded(columns[c], "profiles: column '" + col.name + "'"));
    } else {
      col.values = nb::cast<Text>(columns[c]);
    }
    if (col.size() != n)
      throw InvalidInput("profiles: column '" + col.name + "' has " + std::to_string(col.size()) + " values for " +
                         std::to_string(n) + " leads");
    t.columns.push_back(std::move(col));
  }
  return t;
}

// Event types and properties come as (codes, categories) pairs.
EventBatch make_events(const InArray<std::int64_t>& lead, nb::handle type_codes, const InArray<std::int64_t>& time,
                       const InArray<double>& value, const std::vector<std::string>& property_names,
                       const std::vector<nb::object>& property_codes, std::size_t n_leads) {
  const std::size_t n = lead.shape(0);
  const Coded type = coded(type_codes, "events: type");
  if (type.codes.shape(0) != n || time.shape(0) != n || value.shape(0) != n)
    throw InvalidInput("events: lead, type, time and value differ in length");
  if (property_names.size() != property_codes.size()) throw InvalidInput("events: property names and columns differ");
  std::vector<Coded> properties;
  for (std::size_t p = 0; p < property_codes.size(); ++p) {
    properties.push_back(coded(property_codes[p], "events: property '" + property_names[p] + "'"));
    if (properties[p].codes.shape(0) != n)
      throw InvalidInput("events: property '" + property_names[p] + "' has the wrong length");
  }
  std::vector<std::optional<EventType>> type_of;
  for (const auto& name : type.categories) type_of.push_back(parse_event_type(name));
  // Every column sized once, and each distinct key and value stored once:
  // the events hold their codes.
  EventBatch e;
  std::vector<std::uint32_t> key_code;
  std::vector<std::vector<std::uint32_t>> value_code;
  std::size_t n_properties = 0;
  for (std::size_t p = 0; p < properties.size(); ++p) {
    key_code.push_back(e.texts.intern(property_names[p]));
    value_code.push_back(pool_codes(e.texts, properties[p]));
    for (std::size_t i = 0; i < n; ++i) n_properties += properties[p].codes.data()[i] >= 0;
  }
  e.reserve(n, n_properties);
  std::vector<PropertyCode> props;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t who = lead.data()[i];
    if (who < 0 || static_cast<std::size_t>(who) >= n_leads)
      throw InvalidInput("events: row " + std::to_string(i) + " is for a lead that is not in the leads table");
    const std::int64_t code = type.codes.data()[i];
    const auto t = code < 0 ? std::nullopt : type_of[static_cast<std::size_t>(code)];
    if (!t)
      throw InvalidInput("events: row " + std::to_string(i) + ": unknown event type '" +
                         (code < 0 ? std::string() : type.categories[static_cast<std::size_t>(code)]) + "'");
    if (!std::isnan(value.data()[i]) && !std::isfinite(value.data()[i]))
      throw InvalidInput("events: row " + std::to_string(i) + ": value is not finite");
    props.clear();
    for (std::size_t p = 0; p < properties.size(); ++p)
      if (const auto k = properties[p].codes.data()[i]; k >= 0)
        props.push_back({key_code[p], value_code[p][static_cast<std::size_t>(k)]});
    e.add(static_cast<std::uint32_t>(who), *t, time.data()[i], value.data()[i], props);
  }
  return e;
}

nb::dict scores_dict(const RuleEngine& engine, RuleScores&& s, std::size_t top_reasons) {
  const RuleSet& rs = engine.rules();
  const std::size_t n = s.size();
  nb::dict d;
  nb::dict groups;
  for (std::size_t g = 0; g < rs.groups.size(); ++g) {
    std::vector<double> col(n);
    for (std::size_t i = 0; i < n; ++i) col[i] = s.group(i, g);
    groups[rs.groups[g].name.c_str()] = to_numpy(std::move(col));
  }
  d["groups"] = groups;
  // Grades, labels and stages take few values: each is one str object,
  // shared by the leads that have it (not a new string per lead).
  const auto shared = [n](auto&& key_of, auto&& text_of) {
    std::vector<nb::object> made;  // by key, when first needed
    nb::list out;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t key = key_of(i);
      if (key >= made.size()) made.resize(key + 1);
      if (!made[key].is_valid()) {
        const std::string text(text_of(i));
        made[key] = nb::str(text.data(), text.size());
      }
      out.append(made[key]);
    }
    return out;
  };
  const std::size_t n_levels = rs.level ? rs.level->bands.size() + 1 : 1;
  d["grade"] = shared([&](std::size_t i) { return std::size_t{s.grade[i]}; },
                      [&](std::size_t i) { return rs.grade.bands[s.grade[i]].label; });
  d["label"] = shared([&](std::size_t i) { return s.grade[i] * n_levels + static_cast<std::size_t>(s.level[i] + 1); },
                      [&](std::size_t i) { return engine.label(s.grade[i], s.level[i]); });
  d["stage"] = shared([&](std::size_t i) { return static_cast<std::size_t>(s.stage[i]); },
                      [&](std::size_t i) { return to_string(s.stage[i]); });
  // The top reasons of each lead as [(rule id, points), ...]. A rule's
  // points take few values unless they decay: each (rule, points) tuple is
  // made once and shared (tuples are immutable), up to a few per rule.
  constexpr std::size_t shared_per_rule = 64;
  std::vector<nb::object> ids;
  for (const auto& r : rs.rules) ids.push_back(nb::str(r.id.c_str()));
  std::vector<std::vector<std::pair<double, nb::object>>> made(rs.rules.size());
  const auto reason = [&](const RuleReason& r) {
    auto& mine = made[r.rule];
    for (const auto& [points, tuple] : mine)
      if (std::bit_cast<std::uint64_t>(points) == std::bit_cast<std::uint64_t>(r.points)) return tuple;
    nb::object tuple = nb::make_tuple(ids[r.rule], r.points);
    if (mine.size() < shared_per_rule) mine.emplace_back(r.points, tuple);
    return tuple;
  };
  nb::list reasons;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = s.reasons_of(i);
    const std::size_t k = std::min(r.size(), top_reasons);
    nb::object mine = nb::steal(PyList_New(static_cast<Py_ssize_t>(k)));
    if (!mine.is_valid()) throw nb::python_error();
    for (std::size_t j = 0; j < k; ++j)
      PyList_SET_ITEM(mine.ptr(), static_cast<Py_ssize_t>(j), reason(r[j]).release().ptr());
    reasons.append(mine);
  }
  d["reasons"] = reasons;
  d["total"] = to_numpy(std::move(s.total));
  return d;
}

nb::dict lead_dict(const RuleEngine& engine, const LeadScore& s) {
  const RuleSet& rs = engine.rules();
  nb::dict d;
  d["total"] = s.total;
  nb::dict groups;
  for (std::size_t g = 0; g < rs.groups.size(); ++g) groups[rs.groups[g].name.c_str()] = s.groups[g];
  d["groups"] = groups;
  d["grade"] = rs.grade.bands[s.grade].label;
  d["label"] = engine.label(s.grade, s.level);
  d["stage"] = std::string(to_string(s.stage));
  std::vector<std::pair<std::string, double>> reasons;
  for (const RuleReason& r : s.reasons) reasons.emplace_back(rs.rules[r.rule].id, r.points);
  d["reasons"] = reasons;
  return d;
}

// The profile table of an incremental scorer stays alive with its binding.
struct BoundProfiles {
  ProfileTable table;
  ProfileBinding binding;
};

}  // namespace

// Seconds since the epoch of a 1-D object array of str that all have one of
// the two plainest ISO shapes, YYYY-MM-DD or YYYY-MM-DD[ T]hh:mm:ss (the
// same shape in every row), as pd.to_datetime(utc=True) reads them; None
// for anything else (pandas then reads the column, with its errors).
nb::object iso_seconds(nb::handle values) {
  const ObjectArray array(values);
  if (!array.ok()) return nb::none();
  PyObject* const* obj = array.data();
  const std::size_t n = array.size();
  static const DateFormat iso("iso");
  std::vector<Timestamp> out(n);
  std::size_t shape = 0;  // length of every value
  char separator = 0;     // between date and time
  for (std::size_t i = 0; i < n; ++i) {
    const auto ascii = ascii_text(obj[i]);
    if (!ascii) return nb::none();
    const std::string_view text = *ascii;
    if (i == 0) {
      shape = text.size();
      if (shape == 19) separator = text[10];
    }
    if (text.size() != shape || (shape != 10 && shape != 19) || (shape == 19 && text[10] != separator))
      return nb::none();
    if (shape == 19 && text[17] == '6') return nb::none();  // a leap second, which pandas refuses
    const std::optional<Timestamp> t = iso.parse(text);
    if (!t) return nb::none();
    out[i] = *t;
  }
  return nb::cast(to_numpy(std::move(out)));
}

void register_rules(nb::module_& m) {
  m.def("iso_seconds", &iso_seconds, "values"_a,
        "Seconds since the epoch of an object array of str all shaped YYYY-MM-DD, or all YYYY-MM-DD hh:mm:ss "
        "(or with a T); None for anything else.");
  m.def(
      "str_codes",
      [](nb::handle values, bool empty_is_missing) -> nb::object {
        const ObjectArray array(values);
        if (!array.ok()) return nb::none();
        auto found = object_codes(array, "str_codes", empty_is_missing ? MissingIds::coded_or_empty : MissingIds::coded);
        if (!found) return nb::none();
        return nb::make_tuple(to_numpy(std::move(found->code)), to_numpy(std::move(found->first_row)));
      },
      "values"_a, "empty_is_missing"_a = false,
      "pd.factorize's codes of a 1-D object array of str (-1: None, NaN, and \"\" when empty_is_missing) and "
      "the row where each code first appears; None when a value is not a str.");

  nb::class_<LeadState>(m, "LeadState")
      .def("to_bytes",
           [](const LeadState& s) {
             const std::string b = scoring::to_bytes(s);
             return nb::bytes(b.data(), b.size());
           })
      .def_prop_ro("n_events", [](const LeadState& s) { return s.hits.size(); });

  nb::class_<BoundProfiles>(m, "RuleProfiles");

  nb::class_<RuleEngine>(m, "RuleEngine")
      .def(
          "__init__",
          [](RuleEngine* self, const std::string& json, const std::string& source) {
            new (self) RuleEngine(parse_rule_set(json, source));
          },
          "json"_a, "source"_a = "<rules>", "Parses and validates a JSON rule set.")
      .def_static("from_file", [](const std::string& path) { return RuleEngine(load_rule_set(path)); }, "path"_a)
      .def_prop_ro("name", [](const RuleEngine& e) { return e.rules().name; })
      .def_prop_ro("json", [](const RuleEngine& e) { return e.rules().json; })
      .def_prop_ro("group_names",
                   [](const RuleEngine& e) {
                     std::vector<std::string> out;
                     for (const auto& g : e.rules().groups) out.push_back(g.name);
                     return out;
                   })
      .def_prop_ro("rule_ids",
                   [](const RuleEngine& e) {
                     std::vector<std::string> out;
                     for (const auto& r : e.rules().rules) out.push_back(r.id);
                     return out;
                   })
      .def_prop_ro("field_names",
                   [](const RuleEngine& e) {
                     std::vector<std::string> out;
                     for (const auto& t : e.rules().fields) out.push_back(t.field);
                     if (!e.rules().stage_field.empty()) out.push_back(e.rules().stage_field);
                     std::sort(out.begin(), out.end());
                     out.erase(std::unique(out.begin(), out.end()), out.end());
                     return out;
                   },
                   "The profile fields the rules read (their tests and the stage field).")
      .def_prop_ro("grade_labels",
                   [](const RuleEngine& e) {
                     std::vector<std::string> out;
                     for (const auto& b : e.rules().grade.bands) out.push_back(b.label);
                     return out;
                   })
      .def(
          "check",
          [](const RuleEngine& e, std::size_t n, const std::vector<std::string>& names,
             const std::vector<nb::object>& columns, const std::optional<std::vector<std::string>>& event_types) {
            const ProfileTable t = make_profiles(n, names, columns);
            DataSchema schema = schema_of(t);
            if (event_types) {
              schema.check_event_types = true;
              for (const auto& name : *event_types)
                if (const auto type = parse_event_type(name)) schema.event_types.push_back(*type);
            }
            check_schema(e.rules(), schema);
          },
          "n"_a, "names"_a, "columns"_a, "event_types"_a = nb::none(),
          "Throws JsonError unless the rules fit these columns (and event types).")
      .def(
          "score",
          [](const RuleEngine& e, std::size_t n, const std::vector<std::string>& names,
             const std::vector<nb::object>& columns, const InArray<std::int64_t>& lead,
             nb::object type, const InArray<std::int64_t>& time, const InArray<double>& value,
             const std::vector<std::string>& property_names, const std::vector<nb::object>& properties, Timestamp as_of,
             std::size_t top_reasons, std::size_t threads) {
            const ProfileTable t = make_profiles(n, names, columns);
            const EventBatch ev = make_events(lead, type, time, value, property_names, properties, n);
            RuleScores s;
            {
              nb::gil_scoped_release unlocked;
              s = e.score(t, ev, as_of, threads);
            }
            return scores_dict(e, std::move(s), top_reasons);
          },
          "n"_a, "names"_a, "columns"_a, "lead"_a, "type"_a, "time"_a, "value"_a, "property_names"_a,
          "properties"_a, "as_of"_a, "top_reasons"_a = 3, "threads"_a = 0)
      .def(
          "compare",
          [](const RuleEngine& e, const std::vector<const RuleEngine*>& others, std::size_t n,
             const std::vector<std::string>& names, const std::vector<nb::object>& columns,
             const InArray<std::int64_t>& lead, nb::object type, const InArray<std::int64_t>& time,
             const InArray<double>& value, const std::vector<std::string>& property_names,
             const std::vector<nb::object>& properties, Timestamp as_of, const InArray<std::uint8_t>& converted) {
            const ProfileTable t = make_profiles(n, names, columns);
            const EventBatch ev = make_events(lead, type, time, value, property_names, properties, n);
            std::vector<const RuleEngine*> engines{&e};
            engines.insert(engines.end(), others.begin(), others.end());
            const auto reports = compare_rule_sets(engines, t, ev, as_of, view(converted));
            nb::list out;
            for (const auto& r : reports) {
              nb::dict d;
              d["rule_set"] = r.name;
              d["auc"] = r.auc;
              d["lift_top_10"] = r.lift_top_10;
              d["lift_top_20"] = r.lift_top_20;
              for (const auto& [key, bands] : {std::pair{"by_grade", &r.by_grade}, std::pair{"by_stage", &r.by_stage}}) {
                nb::list rows;
                for (const auto& b : *bands) rows.append(nb::make_tuple(b.band, b.leads, b.converted, b.rate()));
                d[key] = rows;
              }
              out.append(d);
            }
            return out;
          },
          "others"_a, "n"_a, "names"_a, "columns"_a, "lead"_a, "type"_a, "time"_a, "value"_a, "property_names"_a,
          "properties"_a, "as_of"_a, "converted"_a)
      .def("new_state", &RuleEngine::new_state)
      .def(
          "update",
          [](const RuleEngine& e, LeadState& state, const std::string& type, Timestamp time, double value,
             const std::vector<std::pair<std::string, std::string>>& properties) {
            const auto t = parse_event_type(type);
            if (!t) throw InvalidInput("update: unknown event type '" + type + "'");
            if (!std::isnan(value) && !std::isfinite(value)) throw InvalidInput("update: value is not finite");
            std::vector<EventProperty> props;
            for (const auto& [k, v] : properties) props.push_back({k, v});
            return e.update(state, *t, time, value, props);
          },
          "state"_a, "type"_a, "time"_a, "value"_a, "properties"_a)
      .def(
          "bind",
          [](const RuleEngine& e, std::size_t n, const std::vector<std::string>& names,
             const std::vector<nb::object>& columns) {
            auto b = std::make_unique<BoundProfiles>();
            b->table = make_profiles(n, names, columns);
            b->binding = e.bind(b->table);
            return b.release();
          },
          "n"_a, "names"_a, "columns"_a, nb::rv_policy::take_ownership)
      .def(
          "score_one",
          [](const RuleEngine& e, const BoundProfiles& profiles, std::size_t row, const LeadState& state,
             Timestamp as_of) { return lead_dict(e, e.score_one(profiles.binding, row, state, as_of)); },
          "profiles"_a, "row"_a, "state"_a, "as_of"_a)
      .def("state_from_bytes",
           [](const RuleEngine& e, nb::bytes data) {
             return lead_state_from_bytes(std::string_view(data.c_str(), data.size()), e);
           })
      .def("to_bytes",
           [](const RuleEngine& e) {
             const std::string b = scoring::to_bytes(e);
             return nb::bytes(b.data(), b.size());
           })
      .def_static("from_bytes", [](nb::bytes data) {
        return rule_engine_from_bytes(std::string_view(data.c_str(), data.size()));
      });
}

}  // namespace leadscore::python
