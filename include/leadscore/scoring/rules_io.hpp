#pragma once
// Files for rule scoring: lead profiles and events from CSV, and saving
// engines and per-lead states (Boost.Serialization inside src/).

#include <string>
#include <string_view>

#include "leadscore/core/events.hpp"
#include "leadscore/core/ids.hpp"
#include "leadscore/core/profile.hpp"
#include "leadscore/io/csv.hpp"
#include "leadscore/scoring/rules.hpp"

namespace leadscore::scoring {

/// Lead profiles: one row per lead, an id column, and every other column a
/// profile field. A column is numeric when every non-empty value in it is a
/// finite number, text otherwise; an empty cell is a missing value.
/// Rejects, with file, line and column: a missing id column, an empty or
/// repeated id, text that is not UTF-8, an empty file.
ProfileTable read_profiles(const std::string& path, IdInterner& ids, const CsvOptions& options = {},
                           const ColumnRef& id = "lead_id");

struct EventColumns {
  ColumnRef id = "lead_id";
  ColumnRef type = "type";
  ColumnRef time = "time";
  /// Optional: the event value (amount, NPS...); an empty cell means none.
  ColumnRef value = "value";
  std::string date_format = "iso";
};

/// Events: one row per event. Every column other than id, type, time and
/// value is a property (an empty cell: the event lacks it). Rejects, with
/// file, line and column: a lead id that `ids` does not know, an unknown
/// event type, a bad time or a value that is not a finite number.
EventBatch read_events(const std::string& path, const IdInterner& ids, const CsvOptions& options = {},
                       const EventColumns& columns = {});

/// Save / load an engine: the rule set's JSON in a versioned archive.
/// Written to a temporary name and renamed. Loading validates the rule set
/// again; a damaged file throws SerializationError.
void save(const RuleEngine& engine, const std::string& path);
RuleEngine load_rule_engine(const std::string& path);
std::string to_bytes(const RuleEngine& engine);
RuleEngine rule_engine_from_bytes(std::string_view bytes);

/// A lead's state as bytes, and back. Loading checks it against the
/// engine's rule set (SerializationError if it belongs to another).
std::string to_bytes(const LeadState& state);
LeadState lead_state_from_bytes(std::string_view bytes, const RuleEngine& engine);

}  // namespace leadscore::scoring
