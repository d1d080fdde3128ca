#pragma once
// The fast path of read_transactions: the file mapped into memory, cut into
// one chunk per core at line ends and parsed in parallel, ids interned per
// chunk and merged in file order. It handles the common shape only (a
// one-character delimiter, no quoted field, columns named in the header or
// given by index, no discount column) and gives up, returning nullopt, on
// anything else, including every error: the general reader then reads the
// file again and reports the error with its file:line:column.

#include <optional>
#include <string>

#include "leadscore/io/csv.hpp"

namespace leadscore::detail {

/// The batch read_transactions would return, or nullopt when the fast path
/// does not apply or the file has an error.
std::optional<TransactionBatch> read_transactions_fast(const std::string& path,
                                                       const CsvOptions& options,
                                                       const TransactionColumns& columns);

}  // namespace leadscore::detail
