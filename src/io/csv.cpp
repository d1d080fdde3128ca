#include "leadscore/io/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "fast_transactions.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore {
namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Shows a bad field in a message without flooding the terminal.
std::string quoted(std::string_view s) {
  constexpr std::size_t max = 40;
  std::string out = "'" + std::string(s.substr(0, max));
  if (s.size() > max) out += "...";
  return out + "'";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, 0, std::string("cannot open file: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size < 0) throw ParseError(path, 0, 0, "cannot read file (is it a directory?)");
  std::string data(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(data.data(), size)) throw ParseError(path, 0, 0, "cannot read file");
  return data;
}

// Parses a whole field as a finite number; nullopt-like via the bool.
bool parse_number(std::string_view text, double& value) noexcept {
  text = trim(text);
  if (text.empty()) return false;
  const char* first = text.data();
  if (*first == '+') ++first;  // fast_float rejects a leading '+'
  const auto result = fast_float::from_chars(first, text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() &&
         std::isfinite(value);
}

}  // namespace

char CsvOptions::parse_delimiter(std::string_view text) {
  if (text == "tab" || text == "\\t" || text == "\t") return '\t';
  if (text == "whitespace" || text == "space" || text == "spaces") return whitespace;
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  throw InvalidInput("delimiter '" + std::string(text) +
                     "' is not one character, 'tab' or 'whitespace'");
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

CsvReader::CsvReader(std::string path, CsvOptions options, ProgressFn progress)
    : path_(std::move(path)), options_(options), progress_(std::move(progress)) {
  data_ = read_file(path_);
  std::vector<std::string_view> fields;
  if (!split_row(fields)) throw ParseError(path_, 0, 0, "file is empty");
  expected_fields_ = fields.size();
  if (options_.header) {
    header_.assign(fields.begin(), fields.end());
    for (auto& h : header_) h = std::string(trim(h));
  } else {
    pos_ = 0, line_ = 1;  // the first line was data: read it again in next()
  }
}

bool CsvReader::split_row(std::vector<std::string_view>& fields) {
  fields.clear();
  field_column_.clear();
  unquoted_.clear();
  const char* d = data_.data();
  const std::size_t n = data_.size();
  const bool ws = options_.delimiter == CsvOptions::whitespace;
  const char delim = options_.delimiter;

  // Skip blank lines.
  for (;;) {
    std::size_t p = pos_;
    while (p < n && (is_blank(d[p]) || d[p] == '\r')) ++p;
    if (p >= n) {
      pos_ = n;
      return false;
    }
    if (d[p] != '\n') break;
    pos_ = p + 1;
    ++line_;
  }
  row_line_ = line_;
  const std::size_t line_start = pos_;
  std::size_t p = pos_;
  if (ws)
    while (p < n && is_blank(d[p])) ++p;

  for (;;) {
    const std::size_t column = p - line_start + 1;
    std::string_view field;
    if (p < n && d[p] == '"') {
      const std::size_t start = ++p;
      bool escaped = false;
      for (;; ++p) {
        if (p >= n) fail_file(row_line_, "unterminated quoted field starting at column " +
                                             std::to_string(column));
        if (d[p] == '"') {
          if (p + 1 < n && d[p + 1] == '"') {
            escaped = true;
            ++p;
            continue;
          }
          break;
        }
        if (d[p] == '\n') ++line_;
      }
      field = std::string_view(d + start, p - start);
      ++p;  // past the closing quote
      if (escaped) {
        std::string plain;
        for (std::size_t i = 0; i < field.size(); ++i) {
          plain += field[i];
          if (field[i] == '"') ++i;
        }
        unquoted_.push_back(std::move(plain));
        field = unquoted_.back();
      }
    } else {
      const std::size_t start = p;
      if (ws) {
        while (p < n && !is_blank(d[p]) && d[p] != '\n' && d[p] != '\r') ++p;
      } else {
        const void* hit = std::memchr(d + p, '\n', n - p);
        const std::size_t eol = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - d) : n;
        const void* sep = std::memchr(d + p, delim, eol - p);
        p = sep ? static_cast<std::size_t>(static_cast<const char*>(sep) - d) : eol;
      }
      std::size_t end = p;
      if (end > start && d[end - 1] == '\r' && (p >= n || d[p] == '\n')) --end;
      field = std::string_view(d + start, end - start);
    }
    fields.push_back(field);
    field_column_.push_back(column);

    if (ws) {
      while (p < n && (is_blank(d[p]) || d[p] == '\r')) ++p;
      if (p >= n || d[p] == '\n') break;
      continue;
    }
    if (p < n && d[p] == delim) {
      ++p;
      continue;
    }
    while (p < n && d[p] == '\r') ++p;
    if (p >= n || d[p] == '\n') break;
    fail_file(row_line_, "unexpected character after a closing quote at column " +
                             std::to_string(p - line_start + 1));
  }
  if (p < n) ++p, ++line_;  // past the '\n'
  pos_ = p;
  return true;
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  if (!split_row(fields)) {
    if (progress_) progress_(1.0);
    return false;
  }
  ++rows_;
  if (fields.size() != expected_fields_) {
    fail(fields.size() > expected_fields_ ? expected_fields_ : fields.size() - 1,
         "expected " + std::to_string(expected_fields_) + " fields, found " +
             std::to_string(fields.size()));
  }
  if (progress_ && pos_ >= next_progress_) {
    progress_(static_cast<double>(pos_) / static_cast<double>(data_.size()));
    next_progress_ = pos_ + std::max<std::size_t>(data_.size() / 100, 1 << 20);
  }
  return true;
}

std::size_t CsvReader::resolve(const ColumnRef& column) const {
  if (column.empty()) fail_file(0, "no column given");
  for (std::size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == column.name) return i;
  if (all_digits(column.name)) {
    const std::size_t index = std::stoul(column.name);
    if (index < expected_fields_) return index;
    fail_file(1, "column index " + column.name + " is out of range: the file has " +
                     std::to_string(expected_fields_) + " columns (indexes start at 0)");
  }
  if (!options_.header)
    fail_file(1, "the file has no header, so column '" + column.name +
                     "' must be given as a 0-based index");
  std::string names;
  for (const auto& h : header_) names += (names.empty() ? "" : ", ") + h;
  fail_file(1, "no column named '" + column.name + "' (columns: " + names + ")");
}

std::string CsvReader::column_name(std::size_t index) const {
  return index < header_.size() ? header_[index] : "#" + std::to_string(index);
}

void CsvReader::fail(std::size_t index, const std::string& what) const {
  throw ParseError(path_, row_line_, column_of(index),
                   "column '" + column_name(index) + "': " + what);
}

void CsvReader::fail_file(std::size_t line, const std::string& what) const {
  throw ParseError(path_, line, 0, what);
}

TransactionBatch read_transactions(const std::string& path, const CsvOptions& options,
                                   const TransactionColumns& columns, ProgressFn progress) {
  if (auto batch = detail::read_transactions_fast(path, options, columns)) {
    if (progress) progress(1.0);
    return std::move(*batch);
  }
  CsvReader reader(path, options, std::move(progress));
  const std::size_t id_col = reader.resolve(columns.id);
  const std::size_t date_col = reader.resolve(columns.date);
  const std::size_t amount_col = reader.resolve(columns.amount);
  const bool has_discount = !columns.discount.empty();
  const std::size_t discount_col = has_discount ? reader.resolve(columns.discount) : 0;
  const DateFormat format(columns.date_format);

  TransactionBatch batch;
  batch.reserve(reader.size_bytes() / 24 + 16);  // a typical row is 20-40 bytes
  std::vector<std::string_view> fields;
  while (reader.next(fields)) {
    const std::string_view id = trim(fields[id_col]);
    if (id.empty()) reader.fail(id_col, "empty customer id");
    if (!is_valid_utf8(id)) reader.fail(id_col, "customer id is not valid UTF-8");

    const std::string_view date = trim(fields[date_col]);
    const auto time = format.parse(date);
    if (!time)
      reader.fail(date_col, "cannot parse " + quoted(date) + " as a date with format '" +
                                format.pattern() + "'");

    double amount = 0;
    if (!parse_number(fields[amount_col], amount))
      reader.fail(amount_col, "cannot parse " + quoted(trim(fields[amount_col])) +
                                  " as a finite number");
    if (amount < 0) reader.fail(amount_col, "negative amount " + quoted(trim(fields[amount_col])));

    if (has_discount) {
      const std::string_view flag = trim(fields[discount_col]);
      if (flag == "1" || flag == "true" || flag == "True" || flag == "TRUE" || flag == "yes")
        batch.discounted.push_back(1);
      else if (flag == "0" || flag == "false" || flag == "False" || flag == "FALSE" ||
               flag == "no" || flag.empty())
        batch.discounted.push_back(0);
      else
        reader.fail(discount_col, "cannot parse " + quoted(flag) + " as true/false");
    }
    batch.add(id, *time, amount);
  }
  if (batch.size() == 0) reader.fail_file(options.header ? 2 : 1, "no transactions in the file");
  return batch;
}

const std::vector<double>& NumericTable::column(std::string_view name) const {
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return values[k];
  throw InvalidInput("no column named '" + std::string(name) + "'");
}

NumericTable read_numeric_table(const std::string& path, const CsvOptions& options,
                                const ColumnRef& id, const std::vector<ColumnRef>& columns,
                                ProgressFn progress) {
  CsvReader reader(path, options, std::move(progress));
  const bool has_id = !id.empty();
  const std::size_t id_col = has_id ? reader.resolve(id) : 0;
  std::vector<std::size_t> cols;
  NumericTable table;
  for (const auto& c : columns) {
    cols.push_back(reader.resolve(c));
    table.names.push_back(c.name);
  }
  table.values.resize(cols.size());
  std::vector<std::string_view> fields;
  while (reader.next(fields)) {
    if (has_id) {
      const std::string_view value = trim(fields[id_col]);
      if (value.empty()) reader.fail(id_col, "empty id");
      if (!is_valid_utf8(value)) reader.fail(id_col, "id is not valid UTF-8");
      table.id.emplace_back(value);
    } else {
      table.id.push_back(std::to_string(reader.rows_read()));
    }
    for (std::size_t k = 0; k < cols.size(); ++k) {
      double value = 0;
      if (!parse_number(fields[cols[k]], value))
        reader.fail(cols[k], "cannot parse " + quoted(trim(fields[cols[k]])) +
                                 " as a finite number");
      table.values[k].push_back(value);
    }
  }
  if (table.id.empty()) reader.fail_file(options.header ? 2 : 1, "no rows in the file");
  return table;
}

}  // namespace leadscore
