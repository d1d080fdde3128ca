// Joining per-chunk customer totals; see leadscore/segment/customer_totals.hpp.
#include "leadscore/segment/customer_totals.hpp"

#include <algorithm>
#include <utility>

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::segment {

std::optional<CustomerTotals> merge_totals(std::span<CustomerTotalsChunk> chunks) {
  std::size_t upper = 0;
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const CustomerTotalsChunk& c = chunks[k];
    if (!c.ok()) return std::nullopt;
    if (k > 0 && c.log_capacity_ == 0 && c.size() > 0)
      throw InvalidInput("merge_totals: chunks after the first must log their rows");
    upper += c.size();
  }
  const std::size_t n_chunks = chunks.size();

  // Where a later chunk's id was first seen: the first earlier chunk whose
  // table has it. The tables are complete, so all lookups run in parallel,
  // in pieces of 64K ids; no table of all ids is built.
  constexpr std::uint32_t kNew = 0xFFFFFFFFu;
  struct Seen {
    std::uint32_t chunk = kNew, code = 0;
  };
  std::vector<std::vector<Seen>> seen(n_chunks);
  std::vector<std::pair<std::size_t, std::size_t>> pieces;  // (chunk, first id)
  constexpr std::size_t kPiece = std::size_t{1} << 16;
  for (std::size_t k = 1; k < n_chunks; ++k) {
    seen[k].resize(chunks[k].size());
    for (std::size_t i = 0; i < chunks[k].size(); i += kPiece) pieces.emplace_back(k, i);
  }
  leadscore::detail::parallel_for(pieces.size(), leadscore::detail::hardware_threads(), [&](std::size_t t) {
    const auto [k, from] = pieces[t];
    const auto& names = chunks[k].ids_.names();
    const std::size_t to = std::min(names.size(), from + kPiece);
    for (std::size_t i = from; i < to; ++i)
      for (std::size_t j = 0; j < k; ++j)
        if (const std::uint32_t code = chunks[j].ids_.find(names[i]); code != ViewIds::npos) {
          seen[k][i] = {static_cast<std::uint32_t>(j), code};
          break;
        }
  });

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
    const auto& names = c.ids_.names();
    global[k].resize(names.size());
    seen_before.assign(names.size(), 0);
    bool any_seen = false;
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
        any_seen = true;
      }
    }
    // Customers seen before continue their earlier chunks' sums, row by row.
    if (any_seen)
      for (std::size_t r = 0; r < c.logged_; ++r)
        if (seen_before[c.log_code_[r]]) out.spend[global[k][c.log_code_[r]]] += c.log_amount_[r];
  }
  return out;
}

}  // namespace leadscore::segment
