// Rule-scoring files: profile and event CSV readers, engine and state
// archives; see leadscore/scoring/rules_io.hpp.
#include "leadscore/scoring/rules_io.hpp"

#include <fast_float/fast_float.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include "../io/model_archive.hpp"

namespace leadscore::scoring {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  const char* first = text.data();
  if (*first == '+') ++first;
  double value = 0;
  const auto r = fast_float::from_chars(first, text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Archives of the engine and of lead states.
struct EngineRecord {
  std::string json;
  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    ar & json;
  }
};

struct StateRecord {
  std::uint64_t fingerprint = 0;
  std::vector<std::uint64_t> sizes;  // hits per filter
  std::vector<std::int64_t> times;
  std::vector<std::uint64_t> values;  // bit patterns: exact, NaN-safe
  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    ar & fingerprint & sizes & times & values;
  }
};

using archive_detail::decode;
using archive_detail::encode;

}  // namespace
}  // namespace leadscore::scoring

BOOST_CLASS_VERSION(leadscore::scoring::EngineRecord, 1)
BOOST_CLASS_VERSION(leadscore::scoring::StateRecord, 1)

namespace leadscore::scoring {

ProfileTable read_profiles(const std::string& path, IdInterner& ids, const CsvOptions& options,
                           const ColumnRef& id) {
  CsvReader reader(path, options);
  const std::size_t id_col = reader.resolve(id);
  const std::size_t n_cols = reader.header().empty() ? 0 : reader.header().size();
  std::vector<TextColumn> cells;  // every column as text first
  std::vector<std::string_view> fields;
  ProfileTable table;
  while (reader.next(fields)) {
    if (cells.empty()) cells.resize(std::max(n_cols, fields.size()));
    const std::string_view key = trim(fields[id_col]);
    if (key.empty()) reader.fail(id_col, "empty lead id");
    if (!is_valid_utf8(key)) reader.fail(id_col, "lead id is not valid UTF-8");
    const std::size_t before = ids.size();
    const std::uint32_t code = ids.intern(key);
    if (ids.size() == before) reader.fail(id_col, "lead '" + std::string(key) + "' appears twice");
    table.customer.push_back(code);
    for (std::size_t c = 0; c < fields.size(); ++c) {
      if (c == id_col) continue;
      const std::string_view v = trim(fields[c]);
      if (!is_valid_utf8(v)) reader.fail(c, "not valid UTF-8");
      cells[c].push_back(v.empty() ? std::nullopt : std::optional<std::string_view>(v));
    }
  }
  if (table.customer.empty()) reader.fail_file(options.header ? 2 : 1, "no rows in the file");
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (c == id_col) continue;
    ProfileColumn col;
    col.name = reader.column_name(c);
    // Numeric when every distinct value is a number (each parsed once).
    TextColumn& text = cells[c];
    std::vector<double> number_of(text.texts.size());
    bool numeric = true;
    for (std::uint32_t k = 0; k < text.texts.size() && numeric; ++k) {
      const auto x = parse_number(text.texts[k]);
      numeric = x.has_value();
      if (numeric) number_of[k] = *x;
    }
    if (numeric) {
      std::vector<double> numbers(text.size());
      for (std::size_t i = 0; i < numbers.size(); ++i)
        numbers[i] = text.codes[i] == TextColumn::missing ? std::numeric_limits<double>::quiet_NaN()
                                                          : number_of[text.codes[i]];
      col.values = std::move(numbers);
    } else {
      col.values = std::move(text);
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

EventBatch read_events(const std::string& path, const IdInterner& ids, const CsvOptions& options,
                       const EventColumns& columns) {
  CsvReader reader(path, options);
  const std::size_t id_col = reader.resolve(columns.id);
  const std::size_t type_col = reader.resolve(columns.type);
  const std::size_t time_col = reader.resolve(columns.time);
  std::optional<std::size_t> value_col;
  if (!columns.value.empty()) {
    const auto& h = reader.header();
    if (std::find(h.begin(), h.end(), columns.value.name) != h.end() || !options.header)
      value_col = reader.resolve(columns.value);
  }
  const DateFormat format(columns.date_format);
  EventBatch batch;
  std::vector<std::string_view> fields;
  std::vector<PropertyCode> props;
  std::vector<std::uint32_t> key_code;  // by column, coded when first used
  while (reader.next(fields)) {
    const std::string_view key = trim(fields[id_col]);
    const std::int64_t code = ids.find(key);
    if (code < 0) reader.fail(id_col, "lead '" + std::string(key) + "' is not in the leads file");
    const std::string_view type_text = trim(fields[type_col]);
    const auto type = parse_event_type(type_text);
    if (!type) {
      std::string list;
      for (auto t : all_event_types) list += (list.empty() ? "" : ", ") + std::string(to_string(t));
      reader.fail(type_col, "unknown event type '" + std::string(type_text) + "' (known: " + list + ")");
    }
    const auto time = format.parse(trim(fields[time_col]));
    if (!time)
      reader.fail(time_col, "cannot parse '" + std::string(trim(fields[time_col])) + "' as a date (" +
                                format.pattern() + ")");
    double value = std::numeric_limits<double>::quiet_NaN();
    if (value_col && !trim(fields[*value_col]).empty()) {
      const auto x = parse_number(fields[*value_col]);
      if (!x) reader.fail(*value_col, "cannot parse '" + std::string(trim(fields[*value_col])) + "' as a finite number");
      value = *x;
    }
    props.clear();
    for (std::size_t c = 0; c < fields.size(); ++c) {
      if (c == id_col || c == type_col || c == time_col || (value_col && c == *value_col)) continue;
      const std::string_view v = trim(fields[c]);
      if (v.empty()) continue;
      if (!is_valid_utf8(v)) reader.fail(c, "not valid UTF-8");
      if (c >= key_code.size()) key_code.resize(c + 1, TextPool::npos);
      if (key_code[c] == TextPool::npos) key_code[c] = batch.texts.intern(reader.column_name(c));
      props.push_back({key_code[c], batch.texts.intern(v)});
    }
    batch.add(static_cast<std::uint32_t>(code), *type, *time, value, props);
  }
  return batch;
}

std::string to_bytes(const RuleEngine& engine) { return encode("rule-set", EngineRecord{engine.rules().json}); }

RuleEngine rule_engine_from_bytes(std::string_view bytes) {
  const auto rec = decode<EngineRecord>("rule-set", bytes);
  try {
    return RuleEngine(parse_rule_set(rec.json, "<saved rule set>"));
  } catch (const Error& e) {
    throw SerializationError(std::string("load: invalid rule set in archive: ") + e.what());
  }
}

void save(const RuleEngine& engine, const std::string& path) { archive_detail::write_file(path, to_bytes(engine)); }

RuleEngine load_rule_engine(const std::string& path) {
  return rule_engine_from_bytes(archive_detail::read_file(path));
}

std::string to_bytes(const LeadState& state) {
  StateRecord rec;
  rec.fingerprint = state.fingerprint;
  // Archived per filter (sizes, then times and values) as when the state
  // held one list per filter, so those archives load unchanged; sizes stop
  // at the last filter with a hit.
  if (!std::is_sorted(state.hits.begin(), state.hits.end(), filter_hit_before))
    throw InvalidInput("to_bytes: the lead state's hits are not in filter, then time order");
  const std::size_t n_filters = state.hits.empty() ? 0 : std::size_t{state.hits.back().filter} + 1;
  rec.sizes.assign(n_filters, 0);
  for (const FilterHit& h : state.hits) {
    ++rec.sizes[h.filter];
    rec.times.push_back(h.hit.time);
    rec.values.push_back(std::bit_cast<std::uint64_t>(h.hit.value));
  }
  return encode("lead-state", rec);
}

LeadState lead_state_from_bytes(std::string_view bytes, const RuleEngine& engine) {
  const auto rec = decode<StateRecord>("lead-state", bytes);
  if (rec.fingerprint != engine.fingerprint() || rec.sizes.size() > engine.rules().filters.size())
    throw SerializationError("load: the lead state belongs to another rule set");
  if (rec.times.size() != rec.values.size()) throw SerializationError("load: damaged lead state");
  LeadState state = engine.new_state();
  std::size_t k = 0;
  for (std::size_t f = 0; f < rec.sizes.size(); ++f) {
    if (rec.sizes[f] > rec.times.size() - k) throw SerializationError("load: damaged lead state");
    for (std::uint64_t j = 0; j < rec.sizes[f]; ++j, ++k)
      state.hits.push_back({static_cast<std::uint32_t>(f), {rec.times[k], std::bit_cast<double>(rec.values[k])}});
  }
  if (!std::is_sorted(state.hits.begin(), state.hits.end(), filter_hit_before))
    throw SerializationError("load: damaged lead state (events out of order)");
  if (k != rec.times.size()) throw SerializationError("load: damaged lead state");
  return state;
}

}  // namespace leadscore::scoring
