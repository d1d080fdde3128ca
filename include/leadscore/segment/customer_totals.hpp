#pragma once
// Per customer last purchase, purchase count and spend, gathered while the
// rows are read: each thread adds the rows of its own chunk to its own
// CustomerTotalsChunk, and merge_totals joins the chunks in row order. No
// array per row is built, so RFM of a file or DataFrame reads every row once.
//
//   std::vector<CustomerTotalsChunk> chunks;  // one per thread, in row order
//   chunks.emplace_back(end, 0); chunks.emplace_back(end, rows_of_chunk_1);
//   ... in parallel: chunk.add(id, same_as_previous_row, row, time, amount);
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
  std::vector<std::int64_t> first_row;  // the row given to add() when first seen
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
  CustomerTotalsChunk(std::int64_t end, std::size_t log_capacity);
  ~CustomerTotalsChunk();
  CustomerTotalsChunk(CustomerTotalsChunk&& other) noexcept;
  CustomerTotalsChunk& operator=(CustomerTotalsChunk&&) = delete;

  /// Adds a purchase of customer `id` (its characters must outlive the
  /// totals); `row` is recorded as its first row when new. `same` says id
  /// equals the previous add's id (a hint the caller usually has for free;
  /// false is always right). False (and the chunk is spoiled) on an amount
  /// that is negative or not finite, or a time at or after `end`: the caller
  /// then takes the row-by-row path, whose errors name the row. A row past
  /// the log's capacity spoils the chunk too (now, or when it leaves the
  /// queue).
  ///
  /// While the ids come sorted (as files exported by customer id do), a
  /// new id is a new customer, known without a table: rows are added as
  /// they come. From the first id out of order on, customers are coded
  /// through a hash table, and rows wait in a short queue, so that the
  /// cache misses of a table of millions overlap other rows: a new id's
  /// table slot is prefetched when it arrives and looked up 8 rows later,
  /// when its totals are prefetched in turn, to be added to 8 rows after
  /// that (first in, first out: spend is still summed in row order).
  bool add(std::string_view id, bool same, std::int64_t row, std::int64_t time, double amount) {
    if (!(amount >= 0 && amount <= std::numeric_limits<double>::max()) || time >= end_) return ok_ = false;
    if (sorted_) {
      if (!same || acc_.empty()) {
        const int order = acc_.empty() ? -1 : sorted_names_.back().compare(id);
        if (order > 0) {
          unsort();
          return add(id, false, row, time, amount);
        }
        if (order < 0) {
          sorted_names_.push_back(id);
          acc_.push_back({std::numeric_limits<std::int64_t>::min(), 0, 0.0, row});
        }
      }
      add_to(static_cast<std::uint32_t>(acc_.size() - 1), time, amount);
      return ok_;
    }
    Pending& p = queue_[queued_++ % kQueue];
    p = {id, same ? last_hash_ : ViewIds::hash(id), row, time, amount, 0, same};
    if (!same) ids_.prefetch(p.hash);
    last_hash_ = p.hash;
    if (queued_ - coded_ == kQueue / 2) code(queue_[coded_++ % kQueue]);
    if (queued_ - resolved_ == kQueue) resolve(queue_[resolved_++ % kQueue]);
    return true;
  }

  /// Adds the queued rows; merge_totals calls it.
  void flush() {
    while (coded_ < queued_) code(queue_[coded_++ % kQueue]);
    while (resolved_ < queued_) resolve(queue_[resolved_++ % kQueue]);
  }

  /// Later chunks log their rows, about a fifth more work per row (10M
  /// rows, two chunks cut equally: the logging one finished that much
  /// later), so a first chunk may take this many times as many rows as each.
  static constexpr double first_share = 1.2;

  /// Customers so far (queued rows excepted).
  std::size_t size() const noexcept { return names().size(); }
  bool ok() const noexcept { return ok_; }

 private:
  friend std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks);
  struct Acc {
    std::int64_t last;
    std::uint64_t count;
    double spend;
    std::int64_t first_row;
  };
  struct Pending {
    std::string_view id;
    std::size_t hash;
    std::int64_t row, time;
    double amount;
    std::uint32_t code;
    bool same;
  };
  static constexpr std::size_t kQueue = 16;

  void code(Pending& p) {
    if (!p.same || !any_) {
      const std::size_t before = ids_.size();
      code_ = ids_.intern(p.id, p.hash);
      if (code_ == before) acc_.push_back({std::numeric_limits<std::int64_t>::min(), 0, 0.0, p.row});
      any_ = true;
    }
    p.code = code_;
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(&acc_[code_], 1);
#endif
  }

  void resolve(const Pending& p) { add_to(p.code, p.time, p.amount); }

  void add_to(std::uint32_t code, std::int64_t time, double amount) {
    Acc& a = acc_[code];
    a.last = time > a.last ? time : a.last;
    ++a.count;
    a.spend += amount;
    if (log_capacity_ > 0) {
      if (logged_ == log_capacity_) {
        ok_ = false;
        return;
      }
      log_code_[logged_] = code;
      log_amount_[logged_++] = amount;
    }
  }

  // The ids by code, in order of first sight.
  const std::vector<std::string_view>& names() const noexcept { return sorted_ ? sorted_names_ : ids_.names(); }

  // Puts the ids seen so far, sorted, in the hash table (their codes stay).
  void unsort() {
    ids_.reserve(sorted_names_.size());
    for (std::string_view id : sorted_names_) ids_.intern(id);
    sorted_names_ = {};
    sorted_ = false;
  }

  std::int64_t end_;
  std::size_t log_capacity_, logged_ = 0;
  void* log_ = nullptr;  // mapped pages: log_capacity_ amounts, then as many codes
  double* log_amount_ = nullptr;
  std::uint32_t* log_code_ = nullptr;
  bool ok_ = true, any_ = false;
  bool sorted_ = true;                           // every id so far above the one before
  std::vector<std::string_view> sorted_names_;  // while sorted_: the ids, by code
  ViewIds ids_;
  std::vector<Acc> acc_;
  Pending queue_[kQueue];
  std::size_t queued_ = 0, coded_ = 0, resolved_ = 0, last_hash_ = 0;
  std::uint32_t code_ = 0;
};

/// The chunks joined in order, or nullopt when a chunk was spoiled. Throws
/// InvalidInput when a chunk after the first has rows but no log.
std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks);

}  // namespace leadscore::segment
