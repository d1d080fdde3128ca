#pragma once
// Reading delimited text files (CSV, TSV, whitespace-separated) into
// columnar batches, with every error naming file, line and column.

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/transactions.hpp"

namespace leadscore {

/// Called with the fraction of the file read so far (0..1); for progress bars.
using ProgressFn = std::function<void(double)>;

struct CsvOptions {
  /// Field separator; `whitespace` (the NUL character) means runs of spaces
  /// and tabs, with leading and trailing blanks ignored.
  char delimiter = ',';
  /// Whether the first line names the columns.
  bool header = true;

  static constexpr char whitespace = '\0';

  /// "," ";" "|" "tab" or "\t", "whitespace" or "space"; any other single
  /// character is taken as is. Throws InvalidInput otherwise.
  static char parse_delimiter(std::string_view text);
};

/// A column picked by its header name, or by 0-based index: a name made of
/// digits alone is taken as an index when no column has that name.
struct ColumnRef {
  std::string name;

  ColumnRef() = default;
  ColumnRef(std::string n) : name(std::move(n)) {}             // NOLINT: implicit by design
  ColumnRef(const char* n) : name(n) {}                        // NOLINT
  static ColumnRef at(std::size_t index) { return ColumnRef(std::to_string(index)); }
  bool empty() const noexcept { return name.empty(); }
};

/// A file split into rows of fields, read once into memory. Quoted fields
/// ("a, b", with "" for a quote) are unquoted; blank lines are skipped; CRLF
/// line ends are accepted.
class CsvReader {
 public:
  /// Reads the whole file; throws ParseError if it is missing, unreadable
  /// or empty. The header, when `options.header`, is read at once.
  CsvReader(std::string path, CsvOptions options, ProgressFn progress = {});

  /// The header fields (empty without a header).
  const std::vector<std::string>& header() const noexcept { return header_; }

  /// The index of `column`; throws ParseError naming the columns there are.
  std::size_t resolve(const ColumnRef& column) const;

  /// The name of field `index` for messages: the header name, or "#index".
  std::string column_name(std::size_t index) const;

  /// Reads the next row into `fields`; false at end of file. Throws
  /// ParseError on a ragged row or an unterminated quote.
  bool next(std::vector<std::string_view>& fields);

  /// 1-based line of the row last read, and the 1-based character column
  /// where field `index` of that row starts.
  std::size_t line() const noexcept { return row_line_; }
  std::size_t column_of(std::size_t index) const noexcept {
    return index < field_column_.size() ? field_column_[index] : 0;
  }

  /// A ParseError at field `index` of the row last read.
  [[noreturn]] void fail(std::size_t index, const std::string& what) const;
  [[noreturn]] void fail_file(std::size_t line, const std::string& what) const;

  const std::string& path() const noexcept { return path_; }
  /// The file's bytes: fields returned by next() view them for as long as the
  /// reader lives, except fields that held "" (those are valid for one row).
  std::string_view buffer() const noexcept { return data_; }
  std::size_t size_bytes() const noexcept { return data_.size(); }
  /// Rows read so far, the header excluded.
  std::size_t rows_read() const noexcept { return rows_; }

 private:
  bool split_row(std::vector<std::string_view>& fields);

  std::string path_;
  CsvOptions options_;
  ProgressFn progress_;
  std::string data_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;  // line of pos_
  std::size_t row_line_ = 0;
  std::size_t rows_ = 0;
  std::size_t expected_fields_ = 0;
  std::size_t next_progress_ = 0;
  std::vector<std::string> header_;
  std::vector<std::size_t> field_column_;
  std::deque<std::string> unquoted_;  // stable storage for fields that held ""
};

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
/// code points past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

/// Which columns of a transaction file hold what.
struct TransactionColumns {
  ColumnRef id = "customer_id";
  ColumnRef date = "date";
  ColumnRef amount = "amount";
  /// Optional: a 0/1, true/false or yes/no column telling whether a discount
  /// was applied.
  ColumnRef discount;
  /// "iso" or a strftime-style pattern such as "%Y%m%d" (see DateFormat).
  std::string date_format = "iso";
};

/// Reads transactions. Rejects, with file, line and column: a missing file
/// or column, an empty file, a ragged row, an id that is empty or not valid
/// UTF-8, a date that does not match the format, an amount that is not a
/// finite number or is negative.
TransactionBatch read_transactions(const std::string& path, const CsvOptions& options = {},
                                   const TransactionColumns& columns = {},
                                   ProgressFn progress = {});

/// An id column and numeric columns of a file, for summaries and model
/// inputs. values[k][i] is column k of row i.
struct NumericTable {
  std::vector<std::string> id;
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;

  /// The values of the column called `name`; throws InvalidInput if absent.
  const std::vector<double>& column(std::string_view name) const;
};

/// Reads `id` (optional: leave empty to number rows from 1) and the numeric
/// `columns`; every value must be a finite number.
NumericTable read_numeric_table(const std::string& path, const CsvOptions& options,
                                const ColumnRef& id, const std::vector<ColumnRef>& columns,
                                ProgressFn progress = {});

}  // namespace leadscore
