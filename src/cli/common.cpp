#include "common.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "leadscore/core/error.hpp"

namespace leadscore::cli {

CsvOptions TableOptions::csv() const {
  CsvOptions options;
  options.delimiter = CsvOptions::parse_delimiter(delimiter);
  options.header = !no_header;
  return options;
}

void add_table_options(CLI::App& command, TableOptions& table, const std::string& flag,
                       const std::string& what, ColumnsWanted columns) {
  command.add_option(flag, table.file, what)->required()->type_name("FILE");
  command.add_option("--id-col", table.id_col, "Customer id column: a name or a 0-based index")
      ->capture_default_str();
  if (columns.date)
    command.add_option("--date-col", table.date_col, "Date column")->capture_default_str();
  if (columns.amount)
    command.add_option("--amount-col", table.amount_col, "Amount column")->capture_default_str();
  command.add_option("--delimiter", table.delimiter,
                     "Field separator: a character, 'tab' or 'whitespace' (runs of blanks)")
      ->capture_default_str();
  if (columns.date)
    command.add_option("--date-format", table.date_format,
                       "'iso' (ISO 8601) or a pattern such as %Y%m%d or %d/%m/%Y")
        ->capture_default_str();
  command.add_flag("--no-header", table.no_header,
                   "The first line is data; name columns by 0-based index");
}

GlobalOptions& global_options() {
  static GlobalOptions options;
  return options;
}

ProgressFn progress_for(const std::string& what) {
  if (global_options().quiet || !::isatty(STDERR_FILENO)) return {};
  return [what](double fraction) {
    std::fprintf(stderr, "\r%s: %3d%%", what.c_str(), static_cast<int>(fraction * 100 + 0.5));
    if (fraction >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

void write_output(const std::string& path, const std::string& content) {
  const std::string_view part = content;
  write_output(path, std::span(&part, 1));
}

void write_output(const std::string& path, std::span<const std::string_view> parts) {
  if (path.empty() || path == "-") {
    for (const std::string_view content : parts) std::fwrite(content.data(), 1, content.size(), stdout);
    std::fflush(stdout);
    return;
  }
  const std::filesystem::path target(path);
  std::filesystem::path temp = target;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + temp.string());
    for (const std::string_view content : parts) out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw Error("cannot write " + path);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw Error("cannot write " + path + ": " + ec.message());
  }
}

std::string number(double value) { return fmt::format("{}", value); }

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string id_table_csv(const std::vector<std::string>& ids,
                         std::initializer_list<std::pair<std::string_view, const std::vector<double>*>> columns) {
  std::string out = "customer_id";
  for (const auto& [name, values] : columns) (out += ',') += name;
  out += '\n';
  out.reserve(ids.size() * (16 + 20 * columns.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out += csv_field(ids[i]);
    for (const auto& [name, values] : columns) (out += ',') += number((*values)[i]);
    out += '\n';
  }
  return out;
}

}  // namespace leadscore::cli
