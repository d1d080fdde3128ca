#pragma once
// Per customer last purchase, purchase count and spend, gathered while the
// rows are read: each thread adds the rows of its own chunk to its own
// CustomerTotalsChunk, and merge_totals joins the chunks in row order. No
// array per row is built, so RFM of a file or DataFrame reads every row once.
//
//   std::vector<CustomerTotalsChunk> chunks;  // one per thread, in row order
//   chunks.emplace_back(end, 0); chunks.emplace_back(end, rows_of_chunk_1);
//   ... in parallel: c = chunk.intern(id, row); chunk.add(c, time, amount);
//   std::optional<CustomerTotals> totals = merge_totals(chunks);
//
// Spend is summed in row order exactly as one pass over all rows would sum
// it (floating-point sums depend on order): a chunk after the first logs its
// rows, and merge_totals re-adds, in order, those of customers an earlier
// chunk has seen.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "leadscore/io/view_ids.hpp"

namespace leadscore::segment {

/// The chunks' customers in order of first sight (the first chunk's, then
/// each later chunk's new ones). ids view the characters the chunks viewed.
struct CustomerTotals {
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> first_row;  // the row given to intern when first seen
  std::vector<std::int64_t> last;       // latest time, in the caller's ticks
  std::vector<std::uint64_t> count;
  std::vector<double> spend;
  std::shared_ptr<const void> owner;  // what ids view, when the totals keep it (a mapped file)

  std::size_t size() const noexcept { return ids.size(); }
};

/// The customers of one chunk of rows, with chunk-local codes.
class CustomerTotalsChunk {
 public:
  /// Times must be before `end` (the first tick after the as-of day).
  /// Every chunk but the first logs each row's customer and amount for
  /// merge_totals, and needs `log_capacity` of at least its rows (reserved,
  /// not touched: pages a chunk does not fill cost nothing).
  CustomerTotalsChunk(std::int64_t end, std::size_t log_capacity)
      : end_(end),
        log_capacity_(log_capacity),
        log_code_(std::make_unique_for_overwrite<std::uint32_t[]>(log_capacity)),
        log_amount_(std::make_unique_for_overwrite<double[]>(log_capacity)) {}

  /// The chunk-local code of `id` (its characters must outlive the totals);
  /// a new id records `row` as its first row.
  std::uint32_t intern(std::string_view id, std::int64_t row) {
    const std::size_t before = ids_.size();
    const std::uint32_t code = ids_.intern(id);
    if (code == before) acc_.push_back({std::numeric_limits<std::int64_t>::min(), 0, 0.0, row});
    return code;
  }

  /// Adds a purchase of customer `code`. False (and the chunk is spoiled) on
  /// an amount that is negative or not finite, or a time at or after `end`:
  /// the caller then takes the row-by-row path, whose errors name the row.
  bool add(std::uint32_t code, std::int64_t time, double amount) {
    if (!(amount >= 0 && amount <= std::numeric_limits<double>::max()) || time >= end_) return ok_ = false;
    Acc& a = acc_[code];
    a.last = time > a.last ? time : a.last;
    ++a.count;
    a.spend += amount;
    if (log_capacity_ > 0) {
      if (logged_ == log_capacity_) return ok_ = false;
      log_code_[logged_] = code;
      log_amount_[logged_++] = amount;
    }
    return true;
  }

  std::size_t size() const noexcept { return ids_.size(); }
  bool ok() const noexcept { return ok_; }

 private:
  friend std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks);
  struct Acc {
    std::int64_t last;
    std::uint64_t count;
    double spend;
    std::int64_t first_row;
  };
  std::int64_t end_;
  std::size_t log_capacity_, logged_ = 0;
  std::unique_ptr<std::uint32_t[]> log_code_;
  std::unique_ptr<double[]> log_amount_;
  bool ok_ = true;
  ViewIds ids_;
  std::vector<Acc> acc_;
};

/// The chunks joined in order, or nullopt when a chunk was spoiled. Throws
/// InvalidInput when a chunk after the first has rows but no log.
std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks);

}  // namespace leadscore::segment
