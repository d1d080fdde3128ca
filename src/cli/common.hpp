#pragma once
// Conventions every leadscore subcommand follows: how input tables are named
// and mapped, where results go, how progress and errors are shown.

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadscore/io/csv.hpp"

namespace leadscore::cli {

/// Exit code for bad input or bad options.
inline constexpr int exit_bad_input = 2;

/// Options shared by every subcommand that reads a table.
struct TableOptions {
  std::string file;
  std::string id_col;
  std::string date_col;
  std::string amount_col;
  std::string delimiter = ",";
  std::string date_format = "iso";
  bool no_header = false;

  CsvOptions csv() const;
};

/// Adds --<flag> FILE plus the column-mapping options (--id-col, --date-col,
/// --amount-col as `columns` asks, --delimiter, --date-format, --no-header).
struct ColumnsWanted {
  bool date = false;
  bool amount = false;
};
void add_table_options(CLI::App& command, TableOptions& table, const std::string& flag,
                       const std::string& what, ColumnsWanted columns);

/// Global flags.
struct GlobalOptions {
  bool quiet = false;
};
GlobalOptions& global_options();

/// A progress callback that draws on stderr when it is a terminal and
/// --quiet is off; an empty function otherwise.
ProgressFn progress_for(const std::string& what);

/// Writes `content` to `path` all at once: to a temporary file beside it,
/// then renamed, so a failure never leaves a half-written file. An empty
/// path means stdout.
void write_output(const std::string& path, const std::string& content);
/// The same for content in parts, written one after the other.
void write_output(const std::string& path, std::span<const std::string_view> parts);

/// Formats a number the shortest way that reads back the same.
std::string number(double value);

/// Quotes a CSV field when it needs it.
std::string csv_field(std::string_view text);

/// A CSV table with a customer_id column then one number column per entry
/// of `columns` (name, values), each as long as `ids`.
std::string id_table_csv(const std::vector<std::string>& ids,
                         std::initializer_list<std::pair<std::string_view, const std::vector<double>*>> columns);

}  // namespace leadscore::cli
