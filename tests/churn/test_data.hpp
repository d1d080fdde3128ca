#pragma once
// Test data for the churn and value engines: numeric tables read with the
// library's own reader, and the unrounded CDNOW calibration summary.
#include <stdexcept>
#include <string>
#include <vector>

#include "leadscore/io/csv.hpp"
#include "leadscore/summary/summarize.hpp"

namespace leadscore::test {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> cols;
  std::vector<std::string> first;  // first column as text
  const std::vector<double>& col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return cols[i];
    throw std::runtime_error("no column " + name);
  }
};

/// Every column of a file with a header; the first also as text.
inline Table read_csv(const std::string& rel) {
  const std::string path = std::string(LEADSCORE_SOURCE_DIR) + "/" + rel;
  const CsvReader probe(path, {});
  std::vector<ColumnRef> columns(probe.header().begin(), probe.header().end());
  NumericTable numbers = read_numeric_table(path, {}, columns.front(), columns);
  return Table{probe.header(), std::move(numbers.values), std::move(numbers.id)};
}

/// The CDNOW calibration summary computed from the 6,919 transactions, in
/// weeks, unrounded: the data the papers fitted. (The shipped summary files
/// round recency, T and zbar to two decimals, which moves Pareto/NBD's beta
/// and Gamma-Gamma's gamma in the last printed digit.)
inline const CustomerSummary& cdnow_exact() {
  static const CustomerSummary s = [] {
    const CsvOptions csv{.delimiter = CsvOptions::whitespace, .header = false};
    const TransactionColumns columns{.id = "1", .date = "2", .amount = "4", .discount = {},
                                     .date_format = "%Y%m%d"};
    const auto tx = read_transactions(std::string(LEADSCORE_SOURCE_DIR) + "/data/cdnow/CDNOW_sample.txt",
                                      csv, columns);
    return summarize(tx, {.time_unit = TimeUnit::weeks, .calibration_end = *make_day(1997, 9, 30),
                          .observation_end = *make_day(1998, 6, 30)});
  }();
  return s;
}

}  // namespace leadscore::test
