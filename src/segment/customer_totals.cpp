// Joining per-chunk customer totals; see leadscore/segment/customer_totals.hpp.
#include "leadscore/segment/customer_totals.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <iterator>
#include <new>
#include <utility>

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::segment {

// The log is mapped, not allocated: pages a chunk never fills cost nothing.
// (Not huge pages: the log is written in order, and zeroing and compacting
// 2 MB pages on its faults made the logging chunk 0.2 s slower.)
CustomerTotalsChunk::CustomerTotalsChunk(std::int64_t end, std::size_t log_capacity)
    : end_(end), log_capacity_(log_capacity) {
  if (log_capacity == 0) return;
  const std::size_t bytes = log_capacity * (sizeof(double) + sizeof(std::uint32_t));
  log_ = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (log_ == MAP_FAILED) {
    log_ = nullptr;
    throw std::bad_alloc();
  }
  log_amount_ = static_cast<double*>(log_);
  log_code_ = reinterpret_cast<std::uint32_t*>(log_amount_ + log_capacity);
}

CustomerTotalsChunk::~CustomerTotalsChunk() {
  if (log_) ::munmap(log_, log_capacity_ * (sizeof(double) + sizeof(std::uint32_t)));
}

CustomerTotalsChunk::CustomerTotalsChunk(CustomerTotalsChunk&& o) noexcept
    : end_(o.end_),
      log_capacity_(std::exchange(o.log_capacity_, 0)),
      logged_(std::exchange(o.logged_, 0)),
      log_(std::exchange(o.log_, nullptr)),
      log_amount_(std::exchange(o.log_amount_, nullptr)),
      log_code_(std::exchange(o.log_code_, nullptr)),
      ok_(o.ok_),
      any_(o.any_),
      sorted_(o.sorted_),
      sorted_names_(std::move(o.sorted_names_)),
      ids_(std::move(o.ids_)),
      acc_(std::move(o.acc_)),
      queued_(o.queued_),
      coded_(o.coded_),
      resolved_(o.resolved_),
      last_hash_(o.last_hash_),
      code_(o.code_) {
  std::copy(std::begin(o.queue_), std::end(o.queue_), std::begin(queue_));
}

std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks) {
  std::size_t upper = 0;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    CustomerTotalsChunk& c = chunks[k];
    c.flush();
    if (!c.ok()) return std::nullopt;
    if (k > 0 && c.log_capacity_ == 0 && c.size() > 0)
      throw InvalidInput("merge_totals: chunks after the first must log their rows");
    upper += c.size();
  }
  const std::size_t n_chunks = chunks.size();

  // Where a later chunk's id was first seen: the first earlier chunk that
  // has it.
  constexpr std::uint32_t kNew = 0xFFFFFFFFu;
  struct Seen {
    std::uint32_t chunk = kNew, code = 0;
  };
  std::vector<std::vector<Seen>> seen(n_chunks);
  for (std::size_t k = 1; k < n_chunks; ++k) seen[k].resize(chunks[k].size());
  // Chunks each sorted, and in order one after another: only a chunk's first
  // id can have been seen, as the last id of the chunk before it (the
  // customer whose rows the cut split).
  bool in_order = true;
  std::size_t before = n_chunks;  // the last chunk with customers so far
  for (std::size_t k = 0; k < n_chunks && in_order; ++k) {
    const auto& names = chunks[k].names();
    in_order = chunks[k].sorted_;
    if (names.empty() || !in_order) continue;
    if (before < n_chunks) {
      const auto& last = chunks[before].names();
      const int order = last.back().compare(names.front());
      in_order = order <= 0;
      if (order == 0) seen[k][0] = {static_cast<std::uint32_t>(before), static_cast<std::uint32_t>(last.size() - 1)};
    }
    before = k;
  }
  // Otherwise every chunk's ids go in a table, and each later chunk's are
  // looked up in the earlier ones'. The tables are complete, so all lookups
  // run in parallel, in pieces of 64K ids; no table of all ids is built.
  if (!in_order) {
    for (std::size_t k = 0; k < n_chunks; ++k) {
      if (chunks[k].sorted_) chunks[k].unsort();
      std::fill(seen[k].begin(), seen[k].end(), Seen{});
    }
    std::vector<std::pair<std::size_t, std::size_t>> pieces;  // (chunk, first id)
    constexpr std::size_t kPiece = std::size_t{1} << 16;
    for (std::size_t k = 1; k < n_chunks; ++k)
      for (std::size_t i = 0; i < chunks[k].size(); i += kPiece) pieces.emplace_back(k, i);
    leadscore::detail::parallel_for(pieces.size(), leadscore::detail::hardware_threads(), [&](std::size_t t) {
      const auto [k, from] = pieces[t];
      const auto& names = chunks[k].ids_.names();
      const std::size_t to = std::min(names.size(), from + kPiece);
      // Eight ids at a time: their slots prefetched, then looked up.
      constexpr std::size_t kBatch = 8;
      std::size_t h[kBatch];
      for (std::size_t i0 = from; i0 < to; i0 += kBatch) {
        const std::size_t m = std::min(kBatch, to - i0);
        for (std::size_t b = 0; b < m; ++b) h[b] = ViewIds::hash(names[i0 + b]);
        for (std::size_t j = 0; j < k; ++j) {
          for (std::size_t b = 0; b < m; ++b)
            if (seen[k][i0 + b].chunk == kNew) chunks[j].ids_.prefetch(h[b]);
          for (std::size_t b = 0; b < m; ++b)
            if (seen[k][i0 + b].chunk == kNew)
              if (const std::uint32_t code = chunks[j].ids_.find(names[i0 + b], h[b]); code != ViewIds::npos)
                seen[k][i0 + b] = {static_cast<std::uint32_t>(j), code};
        }
      }
    });
  }

  // Codes in order of first sight; a customer seen before adds to its totals.
  CustomerTotals out;
  out.ids.reserve(upper);
  out.first_row.reserve(upper);
  out.last.reserve(upper);
  out.count.reserve(upper);
  out.spend.reserve(upper);
  std::vector<std::vector<std::uint32_t>> global(n_chunks);
  std::vector<std::uint8_t> seen_before;  // per chunk-local code
  for (std::size_t k = 0; k < n_chunks; ++k) {
    const CustomerTotalsChunk& c = chunks[k];
    const auto& names = c.names();
    global[k].resize(names.size());
    seen_before.assign(names.size(), 0);
    std::uint64_t to_add = 0;  // rows of customers seen before
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto& a = c.acc_[i];
      if (k == 0 || seen[k][i].chunk == kNew) {
        // New: its spend was summed from zero in row order already.
        global[k][i] = static_cast<std::uint32_t>(out.ids.size());
        out.ids.push_back(names[i]);
        out.first_row.push_back(a.first_row);
        out.last.push_back(a.last);
        out.count.push_back(a.count);
        out.spend.push_back(a.spend);
      } else {
        const std::uint32_t g = global[k][i] = global[seen[k][i].chunk][seen[k][i].code];
        out.last[g] = std::max(out.last[g], a.last);
        out.count[g] += a.count;
        seen_before[i] = 1;
        to_add += a.count;
      }
    }
    // Customers seen before continue their earlier chunks' sums, row by row
    // (in a file grouped by customer, only the first rows of a chunk).
    for (std::size_t r = 0; to_add > 0 && r < c.logged_; ++r)
      if (seen_before[c.log_code_[r]]) {
        out.spend[global[k][c.log_code_[r]]] += c.log_amount_[r];
        --to_add;
      }
  }
  return out;
}

}  // namespace leadscore::segment
