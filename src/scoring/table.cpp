// Typed tables for the learned scorers; see leadscore/scoring/table.hpp.
#include "leadscore/scoring/table.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <limits>
#include <unordered_map>

#include "leadscore/core/error.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view text, double& value) noexcept {
  if (text.empty()) return false;
  const char* first = text.data();
  if (*first == '+') ++first;
  const auto r = fast_float::from_chars(first, text.data() + text.size(), value);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && std::isfinite(value);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string ColumnView::text(std::size_t row) const {
  if (missing(row)) return {};
  if (kind == ColumnKind::categorical) return levels[static_cast<std::size_t>(codes[row])];
  return detail::format_number(numbers[row]);
}

TableView::TableView(std::vector<ColumnView> columns) : columns_(std::move(columns)) {
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    const ColumnView& c = columns_[k];
    const std::size_t n = c.kind == ColumnKind::numeric ? c.numbers.size() : c.codes.size();
    if (k == 0) rows_ = n;
    if (n != rows_)
      throw InvalidInput("table: column '" + c.name + "' has " + std::to_string(n) +
                         " rows, column '" + columns_[0].name + "' has " + std::to_string(rows_));
    for (std::size_t j = 0; j < k; ++j)
      if (columns_[j].name == c.name)
        throw InvalidInput("table: column '" + c.name + "' appears twice");
    // One pass per column counts the missing values and looks for bad ones;
    // only when there is one is the column searched for its row.
    std::size_t missing = 0;
    if (c.kind == ColumnKind::numeric) {
      bool infinite = false;
      for (const double v : c.numbers) {
        missing += v != v ? 1 : 0;
        infinite |= std::abs(v) == std::numeric_limits<double>::infinity();
      }
      for (std::size_t i = 0; infinite && i < n; ++i)
        if (std::isinf(c.numbers[i]))
          throw InvalidInput("table: column '" + c.name + "', row " + std::to_string(i + 1) +
                             ": infinite value");
    } else {
      const auto m = static_cast<std::int32_t>(c.levels.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (c.codes[i] < -1 || c.codes[i] >= m)
          throw InvalidInput("table: column '" + c.name + "', row " + std::to_string(i + 1) +
                             ": code " + std::to_string(c.codes[i]) + " is not a level");
        missing += c.codes[i] < 0 ? 1 : 0;
      }
    }
    missing_.push_back(missing);
  }
}

std::size_t TableView::missing_count(const ColumnView& column) const {
  for (std::size_t k = 0; k < columns_.size(); ++k)
    if (&columns_[k] == &column) return missing_[k];
  throw InvalidInput("table: column '" + column.name + "' is not one of this view's");
}

const ColumnView* TableView::find(std::string_view name) const noexcept {
  for (const auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

const ColumnView& TableView::column(std::string_view name) const {
  if (const ColumnView* c = find(name)) return *c;
  std::string have;
  for (const auto& c : columns_) have += (have.empty() ? "'" : ", '") + c.name + "'";
  throw InvalidInput("no column named '" + std::string(name) + "' (the table has " + have + ")");
}

TableView DataTable::view() const {
  std::vector<ColumnView> views;
  for (const auto& c : columns) views.push_back({c.name, c.kind, c.numbers, c.codes, c.levels});
  return TableView(std::move(views));
}

DataTable DataTable::take(std::span<const std::size_t> rows) const {
  DataTable out;
  for (const auto& c : columns) {
    Column d{c.name, c.kind, {}, {}, c.levels};
    if (c.kind == ColumnKind::numeric)
      for (std::size_t r : rows) d.numbers.push_back(c.numbers.at(r));
    else
      for (std::size_t r : rows) d.codes.push_back(c.codes.at(r));
    out.columns.push_back(std::move(d));
  }
  return out;
}

DataTable read_table(const std::string& path, const CsvOptions& csv,
                     const ReadTableOptions& options) {
  CsvReader reader(path, csv);
  for (const auto* names : {&options.categorical, &options.numeric, &options.only})
    for (const auto& name : *names) (void)reader.resolve(ColumnRef(name));

  // Pass 1: keep every field's text per column (as views into the reader's
  // buffer, which lives until the end of this function), and whether each
  // column is numeric throughout.
  std::vector<std::vector<std::string_view>> text;
  std::deque<std::string> kept;  // fields the reader unquoted: its copies last one row only
  std::vector<std::string_view> fields;
  std::vector<std::size_t> use;
  bool first = true;
  std::vector<std::string> names;
  std::vector<std::size_t> line_of_row;              // for errors: the line of each row
  std::vector<std::vector<std::size_t>> col_of_row;  // and the column where each field starts
  while (reader.next(fields)) {
    if (first) {
      for (std::size_t k = 0; k < fields.size(); ++k) {
        const std::string name = reader.column_name(k);
        if (options.only.empty() || options.only.count(name)) {
          use.push_back(k);
          names.push_back(name);
        }
      }
      text.resize(use.size());
      col_of_row.resize(use.size());
      first = false;
    }
    line_of_row.push_back(reader.line());
    const std::string_view buffer = reader.buffer();
    for (std::size_t j = 0; j < use.size(); ++j) {
      std::string_view field = trim(fields[use[j]]);
      if (!field.empty() &&
          (field.data() < buffer.data() || field.data() >= buffer.data() + buffer.size()))
        field = kept.emplace_back(field);
      text[j].push_back(field);
      col_of_row[j].push_back(reader.column_of(use[j]));
    }
  }
  if (first) reader.fail_file(csv.header ? 2 : 1, "no rows in the file");

  auto is_missing = [&](std::string_view s) {
    if (s.empty()) return true;
    return std::find(options.missing_values.begin(), options.missing_values.end(), s) !=
           options.missing_values.end();
  };

  DataTable table;
  for (std::size_t j = 0; j < use.size(); ++j) {
    DataTable::Column col;
    col.name = names[j];
    const auto& t = text[j];
    bool numeric = !options.categorical.count(col.name);
    std::vector<double> values(t.size(), nan);
    for (std::size_t i = 0; numeric && i < t.size(); ++i) {
      if (is_missing(t[i])) continue;
      if (!parse_number(t[i], values[i])) {
        if (options.numeric.count(col.name))
          throw ParseError(
              path, line_of_row[i], col_of_row[j][i],
              "column '" + col.name + "': cannot parse " + quoted(t[i]) + " as a number");
        numeric = false;
      }
    }
    if (numeric) {
      col.kind = ColumnKind::numeric;
      col.numbers = std::move(values);
    } else {
      col.kind = ColumnKind::categorical;
      std::unordered_map<std::string_view, std::int32_t> index;
      col.codes.resize(t.size(), -1);
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (is_missing(t[i])) continue;
        auto [it, added] = index.try_emplace(t[i], static_cast<std::int32_t>(col.levels.size()));
        if (added) {
          if (!is_valid_utf8(t[i]))
            throw ParseError(path, line_of_row[i], col_of_row[j][i],
                             "column '" + col.name + "': not valid UTF-8");
          col.levels.emplace_back(t[i]);
        }
        col.codes[i] = it->second;
      }
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

std::vector<double> binary_target(const ColumnView& column,
                                  const std::optional<std::string>& positive) {
  const std::size_t n =
      column.kind == ColumnKind::numeric ? column.numbers.size() : column.codes.size();
  std::vector<double> y(n);
  auto bad = [&](std::size_t i, const std::string& why) {
    throw InvalidInput("target column '" + column.name + "', row " + std::to_string(i + 1) + ": " +
                       why);
  };
  if (positive) {
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (column.missing(i)) bad(i, "missing target");
      std::string v = column.text(i);
      if (column.kind == ColumnKind::numeric) {
        double p = 0;
        y[i] = parse_number(*positive, p) && p == column.numbers[i] ? 1.0 : 0.0;
      } else {
        y[i] = v == *positive ? 1.0 : 0.0;
      }
      any = any || y[i] == 1.0;
    }
    if (!any)
      throw InvalidInput("target column '" + column.name + "': no row has the positive value '" +
                         *positive + "'");
    return y;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (column.missing(i)) bad(i, "missing target");
    if (column.kind == ColumnKind::numeric) {
      const double v = column.numbers[i];
      if (v != 0.0 && v != 1.0)
        bad(i, "value " + column.text(i) + " is not 0 or 1 (name the positive class)");
      y[i] = v;
    } else {
      const std::string v = lower(column.levels[static_cast<std::size_t>(column.codes[i])]);
      if (v == "1" || v == "true" || v == "yes")
        y[i] = 1.0;
      else if (v == "0" || v == "false" || v == "no")
        y[i] = 0.0;
      else
        bad(i, "value '" + column.levels[static_cast<std::size_t>(column.codes[i])] +
                   "' is not 0/1, true/false or yes/no (name the positive class)");
    }
  }
  return y;
}

std::string positive_label(const ColumnView& column, const std::optional<std::string>& positive) {
  if (positive) return *positive;
  if (column.kind == ColumnKind::numeric) return "1";
  for (const auto& level : column.levels) {
    const std::string v = lower(level);
    if (v == "1" || v == "true" || v == "yes") return level;
  }
  return "1";
}

}  // namespace leadscore::scoring
