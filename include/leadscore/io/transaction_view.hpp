#pragma once
// Transactions read for one pass, as fast as the machine allows: the file is
// mapped, parsed on every core, and ids are views into it (no string per
// customer, no zero-filled arrays). For engines that aggregate a file once,
// such as `leadscore segment rfm`; read_transactions gives an owning batch.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/io/csv.hpp"
#include "leadscore/segment/customer_totals.hpp"

namespace leadscore {

/// Row i is a purchase by customer[i] (a code into ids(), in order of first
/// sight, as TransactionBatch) at time[i] for amount[i]. Immutable; the
/// views stay valid as long as the object (or a move of it) lives.
class TransactionView {
 public:
  std::span<const std::string_view> ids() const noexcept { return ids_; }
  std::span<const std::uint32_t> customer() const noexcept { return {customer_, size_}; }
  std::span<const Timestamp> time() const noexcept { return {time_, size_}; }
  std::span<const double> amount() const noexcept { return {amount_, size_}; }
  std::size_t size() const noexcept { return size_; }
  std::size_t n_customers() const noexcept { return ids_.size(); }

 private:
  friend TransactionView read_transaction_view(const std::string&, const CsvOptions&,
                                               const TransactionColumns&, ProgressFn);
  std::shared_ptr<const void> owner_;  // the mapped file and arrays, or a TransactionBatch
  std::vector<std::string_view> ids_;
  const std::uint32_t* customer_ = nullptr;
  const Timestamp* time_ = nullptr;
  const double* amount_ = nullptr;
  std::size_t size_ = 0;
};

/// The transactions of a file with read_transactions' rules and errors
/// (file:line:column). Plain files (one-character delimiter, no quoted
/// field) take the parallel path; any other file, and any error, goes
/// through read_transactions. `columns.discount` must be empty.
TransactionView read_transaction_view(const std::string& path, const CsvOptions& options = {},
                                      const TransactionColumns& columns = {},
                                      ProgressFn progress = {});

/// Per customer totals of a plain file (as read_transaction_view's parallel
/// path takes) in one pass, no array per row: times in seconds, first_row
/// the byte offset of the customer's first row; the totals keep the mapped
/// file their ids view. nullopt when read_transaction_view would take the
/// general reader, and on a row CustomerTotalsChunk refuses (a time at or
/// after `end`): read_transaction_view then gives the rows and the errors.
std::optional<segment::CustomerTotals> read_customer_totals(const std::string& path, const CsvOptions& options,
                                                            const TransactionColumns& columns, Timestamp end);

}  // namespace leadscore
