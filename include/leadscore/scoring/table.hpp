#pragma once
// Tables of typed columns for the learned scorers: each column is numeric
// (double, NaN = missing) or categorical (int32 codes into a list of levels,
// -1 = missing). A TableView borrows the memory (no copies: numpy and pandas
// buffers reach the models as they are); a DataTable owns it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/io/csv.hpp"

namespace leadscore::scoring {

enum class ColumnKind { numeric, categorical };

/// One column, borrowed. numeric: `numbers`; categorical: `codes` and `levels`.
struct ColumnView {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  std::span<const double> numbers;
  std::span<const std::int32_t> codes;
  std::span<const std::string> levels;

  bool missing(std::size_t row) const noexcept {
    return kind == ColumnKind::numeric ? numbers[row] != numbers[row] : codes[row] < 0;
  }
  /// The value of `row` as text (categorical level or number), "" when missing.
  std::string text(std::size_t row) const;
};

/// Columns of equal length, borrowed.
class TableView {
 public:
  TableView() = default;
  /// Throws InvalidInput when columns differ in length, names repeat, a code
  /// is out of range or a number is infinite.
  TableView(std::vector<ColumnView> columns);

  std::size_t rows() const noexcept { return rows_; }
  const std::vector<ColumnView>& columns() const noexcept { return columns_; }
  /// The column called `name`, or nullptr.
  const ColumnView* find(std::string_view name) const noexcept;
  /// The column called `name`; throws InvalidInput naming the columns there are.
  const ColumnView& column(std::string_view name) const;
  /// How many values of `column` (one of columns()) are missing; counted once,
  /// by the constructor.
  std::size_t missing_count(const ColumnView& column) const;

 private:
  std::vector<ColumnView> columns_;
  std::vector<std::size_t> missing_;
  std::size_t rows_ = 0;
};

/// A table that owns its columns.
struct DataTable {
  struct Column {
    std::string name;
    ColumnKind kind = ColumnKind::numeric;
    std::vector<double> numbers;
    std::vector<std::int32_t> codes;
    std::vector<std::string> levels;
  };
  std::vector<Column> columns;

  TableView view() const;
  /// The rows `rows` of every column, in that order (for splits and folds).
  DataTable take(std::span<const std::size_t> rows) const;
};

struct ReadTableOptions {
  /// Field texts that mean "missing" (compared after trimming blanks). The
  /// empty field is always missing.
  std::vector<std::string> missing_values{"NA", "N/A", "NaN", "nan", "null", "NULL"};
  /// Columns read as categorical even when every value is a number.
  std::set<std::string> categorical;
  /// Columns that must be numeric: a field that is not a number is a
  /// ParseError at its file, line and column.
  std::set<std::string> numeric;
  /// Columns to read; empty means all.
  std::set<std::string> only;
};

/// Reads a delimited file into typed columns: a column is numeric when each
/// of its non-missing fields is a finite number, categorical otherwise.
/// Throws ParseError (file, line, column) on ragged rows, missing columns
/// named in `options`, or non-numbers in a `numeric` column.
DataTable read_table(const std::string& path, const CsvOptions& csv = {},
                     const ReadTableOptions& options = {});

/// Binary targets from a column: numeric 0/1; text true/false, yes/no, 1/0
/// (any case); or, when `positive` is given, 1 where the value equals it and
/// 0 elsewhere. Missing or other values throw InvalidInput naming the column,
/// the row (1-based) and the value.
std::vector<double> binary_target(const ColumnView& column,
                                  const std::optional<std::string>& positive = std::nullopt);

/// The text of a target value read as positive by binary_target (for reports).
std::string positive_label(const ColumnView& column, const std::optional<std::string>& positive);

}  // namespace leadscore::scoring
