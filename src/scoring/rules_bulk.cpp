// Bulk rule scoring: a whole table of leads and their events as of a time,
// on all cores. Each lead goes through the same evaluation as incremental
// scoring (rules.hpp), so the results are bit-identical to it and do not
// depend on the thread count.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/huge_pages.hpp"
#include "../core/parallel.hpp"
#include "leadscore/scoring/rules.hpp"

namespace leadscore::scoring {

namespace {

// Below this many leads per thread, fewer threads are faster (when the
// caller leaves the count to the engine).
constexpr std::size_t rows_per_thread = 50'000;

// [begin, end) of part k of n items split in `parts` nearly equal parts.
std::pair<std::size_t, std::size_t> part(std::size_t n, std::size_t parts, std::size_t k) {
  return {n * k / parts, n * (k + 1) / parts};
}

// One event's match of one filter, staged by block of rows: 8 bytes, a
// hundred MB or so in all. Only filters whose values are summed need the
// event's value, and only events 136 years or more before as_of their
// time: those are staged beside, in lists of the block's own, in the
// order of its matches, so reading them back never jumps across the
// events and needs no index. No initializers: the arrays are written
// before they are read.
struct StagedMatch {
  std::uint32_t bucket;  // row within the block * n_filters + filter
  std::uint32_t age;     // seconds before as_of, or `far`: the time is staged beside
};
constexpr std::uint32_t far = 0xFFFFFFFFu;

// Seconds from `time` to `as_of` (time <= as_of), as staged.
std::uint32_t staged_age(Timestamp as_of, Timestamp time) noexcept {
  const std::uint64_t age = static_cast<std::uint64_t>(as_of) - static_cast<std::uint64_t>(time);  // no overflow
  return age < far ? static_cast<std::uint32_t>(age) : far;
}

}  // namespace

RuleScores RuleEngine::score(const ProfileTable& profiles, const EventBatch& events, Timestamp as_of,
                             std::size_t threads) const {
  events.validate();
  if (events.size() > std::numeric_limits<std::uint32_t>::max())
    throw InvalidInput("RuleEngine::score: more than 2^32 - 1 events in one batch; score them in parts");
  const ProfileBinding b = bind(profiles);
  const RuleSet& rs = *rules_;
  const std::size_t n = profiles.customer.size();
  constexpr std::uint32_t none = 0xFFFFFFFFu;
  if (threads == 0) threads = std::clamp<std::size_t>(n / rows_per_thread, 1, detail::hardware_threads());

  // Row of each customer id: no lookup when the ids are the rows (0, 1,
  // ..., n - 1), a table otherwise.
  bool identity = true;
  for (std::uint32_t i = 0; i < n && identity; ++i) identity = profiles.customer[i] == i;
  std::uint32_t max_id = 0;
  if (!identity)
    for (std::uint32_t id : profiles.customer) max_id = std::max(max_id, id);
  std::vector<std::uint32_t> row_of(n == 0 || identity ? 0 : std::size_t{max_id} + 1, none);
  for (std::uint32_t i = 0; i < n && !identity; ++i) {
    if (row_of[profiles.customer[i]] != none)
      throw InvalidInput("RuleEngine::score: customer " + std::to_string(profiles.customer[i]) +
                         " has two profile rows (" + std::to_string(row_of[profiles.customer[i]]) + " and " +
                         std::to_string(i) + ")");
    row_of[profiles.customer[i]] = i;
  }
  const auto row_of_event = [&](std::size_t e) {
    const std::uint32_t id = events.customer[e];
    return identity ? (id < n ? id : none) : (id < row_of.size() ? row_of[id] : none);
  };

  // Events are grouped by blocks of rows, then by (row, filter) within a
  // block, so that every scattered write stays in cache (a direct sort by
  // row over a million leads misses the cache on nearly every event), and
  // a lead's hits come out by filter, each filter's hits ready to put in
  // canonical order (a list of one or two, usually). Blocks are as large
  // as keeps their (row, filter) counts within L1/L2. A (row, filter)
  // bucket is row * n_filters + filter, n_filters a power of two.
  const std::size_t n_filters = std::bit_ceil(std::max<std::size_t>(1, rs.filters.size()));
  unsigned block_bits = 11;
  while (block_bits > 6 && (std::size_t{1} << block_bits) * n_filters > 32768) --block_bits;
  const std::size_t block_rows = std::size_t{1} << block_bits;
  const std::size_t n_blocks = (n + block_rows - 1) >> block_bits;

  // Pass 1, each thread over its part of the events (sequential reads):
  // room for each block's matches, at most `most` per event of its type,
  // so that the matches go in one allocation of about the right size.
  // Events after as_of never count: skipped. The first event without a
  // profile row is reported whatever the thread count (parallel_for
  // rethrows the lowest part's error). Each part counts in its own vector:
  // parts sharing cache lines would slow each other down.
  // Values and far times likewise.
  std::vector<std::vector<std::size_t>> cursor(threads, std::vector<std::size_t>(n_blocks, 0));  // [part][block]
  std::vector<std::vector<std::size_t>> value_cursor(threads, std::vector<std::size_t>(n_blocks, 0));
  std::vector<std::vector<std::size_t>> far_cursor(threads, std::vector<std::size_t>(n_blocks, 0));
  detail::parallel_for(threads, threads, [&](std::size_t t) {
    const auto [first, last] = part(events.size(), threads, t);
    for (std::size_t e = first; e < last; ++e) {
      const std::uint32_t r = row_of_event(e);
      if (r == none)
        throw InvalidInput("RuleEngine::score: event " + std::to_string(e) + " is for customer " +
                           std::to_string(events.customer[e]) + ", who has no profile row");
      const TypeFilters& filters = by_type_[static_cast<std::size_t>(events.type[e])];
      if (events.time[e] > as_of) continue;
      cursor[t][r >> block_bits] += filters.most;
      value_cursor[t][r >> block_bits] += filters.summed;
      if (staged_age(as_of, events.time[e]) == far) far_cursor[t][r >> block_bits] += filters.most;
    }
  });
  // Block-major, so that a block's matches lie together: part t's matches
  // of block k start at begin[k * threads + t], and cursor[t][k] becomes
  // where the next one goes. Its values and far times start at
  // value_begin[k * threads + t] and far_begin[k * threads + t].
  std::vector<std::size_t> begin(n_blocks * threads + 1), value_begin(n_blocks * threads),
      far_begin(n_blocks * threads);
  std::size_t total = 0, total_values = 0, total_far = 0;
  for (std::size_t k = 0; k < n_blocks; ++k)
    for (std::size_t t = 0; t < threads; ++t) {
      begin[k * threads + t] = total;
      value_begin[k * threads + t] = total_values;
      far_begin[k * threads + t] = total_far;
      total += std::exchange(cursor[t][k], total);
      total_values += std::exchange(value_cursor[t][k], total_values);
      total_far += std::exchange(far_cursor[t][k], total_far);
    }
  begin.back() = total;

  // Pass 2, likewise: each event's matches, appended to its block's part.
  // Keyed filters look the events' property values up by code.
  std::vector<TypeFilters::Coded> coded;
  for (const TypeFilters& t : by_type_) coded.push_back(t.coded_for(events.texts));
  const auto staged_memory = std::make_unique_for_overwrite<StagedMatch[]>(total);  // written before read
  const auto staged_values = std::make_unique_for_overwrite<double[]>(total_values);
  const auto staged_times = std::make_unique_for_overwrite<Timestamp[]>(total_far);
  StagedMatch* const staged = staged_memory.get();
  detail::advise_huge_pages(staged, total * sizeof(StagedMatch));
  detail::parallel_for(threads, threads, [&](std::size_t t) {
    const auto [first, last] = part(events.size(), threads, t);
    for (std::size_t e = first; e < last; ++e) {
      const auto type = static_cast<std::size_t>(events.type[e]);
      const TypeFilters& filters = by_type_[type];
      if (filters.most == 0 || events.time[e] > as_of) continue;
      const std::uint32_t r = row_of_event(e);
      std::size_t& at = cursor[t][r >> block_bits];
      std::size_t& value_at = value_cursor[t][r >> block_bits];
      std::size_t& far_at = far_cursor[t][r >> block_bits];
      const auto row_bucket = static_cast<std::uint32_t>((r & (block_rows - 1)) * n_filters);
      const Timestamp time = events.time[e];
      const std::uint32_t age = staged_age(as_of, time);
      const double value = events.value[e];
      filters.each_match(rs, events, e, coded[type], [&](std::uint32_t f) {
        if (summed_[f]) staged_values[value_at++] = value;
        if (age == far) staged_times[far_at++] = time;
        staged[at++] = {row_bucket + f, age};
      });
    }
  });

  RuleScores out;
  out.n_groups = rs.groups.size();
  out.total.resize(n);
  out.groups.resize(n * out.n_groups);
  out.grade.resize(n);
  out.level.resize(n);
  out.stage.resize(n);
  out.reason_begin.resize(n + 1);

  // Field tests, each thread over its rows: bit t of a lead's words for
  // test t. A text column's tests run once per distinct value (the
  // column's texts; code 0 of `by_code` below is "missing"), and each row
  // takes its value's bits. Likewise the stage a customer keeps.
  const std::size_t nf = rs.fields.size(), field_words = this->field_words();
  std::vector<std::uint64_t> field_bits(n * field_words, 0);
  std::vector<std::uint8_t> kept(n, no_stage);
  std::vector<const ProfileColumn*> columns;  // each tested column once
  for (const ProfileColumn* col : b.columns)
    if (std::find(columns.begin(), columns.end(), col) == columns.end()) columns.push_back(col);
  std::vector<std::vector<std::uint64_t>> by_code(columns.size());  // text columns: field_words per code + 1
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c]->is_numeric()) continue;
    const TextColumn& text = std::get<1>(columns[c]->values);
    by_code[c].assign((text.texts.size() + 1) * field_words, 0);
    for (std::size_t f = 0; f < nf; ++f) {
      if (b.columns[f] != columns[c]) continue;
      const FieldTest& test = rs.fields[f];
      const std::uint64_t bit = std::uint64_t{1} << (f % 64);
      if (test.op == FieldOp::missing) by_code[c][f / 64] |= bit;
      for (std::uint32_t k = 0; k < text.texts.size(); ++k)
        if (text_test(test, text.texts[k])) by_code[c][(k + 1) * field_words + f / 64] |= bit;
    }
  }
  std::vector<std::uint8_t> stage_of;  // by stage text code
  if (b.stage) {
    const TextColumn& stage = std::get<1>(b.stage->values);
    for (std::uint32_t k = 0; k < stage.texts.size(); ++k) stage_of.push_back(kept_stage(stage.texts[k]));
  }
  detail::parallel_for(threads, threads, [&](std::size_t t) {
    const auto [first, last] = part(n, threads, t);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c]->is_numeric()) {  // a pass per test: numbers have no few distinct values to lean on
        const auto& values = std::get<0>(columns[c]->values);
        for (std::size_t f = 0; f < nf; ++f) {
          if (b.columns[f] != columns[c]) continue;
          const FieldTest& test = rs.fields[f];
          std::uint64_t* word = field_bits.data() + f / 64;
          const std::uint64_t bit = std::uint64_t{1} << (f % 64);
          for (std::size_t i = first; i < last; ++i)
            if (number_test(test, values[i])) word[i * field_words] |= bit;
        }
        continue;
      }
      const std::vector<std::uint32_t>& codes = std::get<1>(columns[c]->values).codes;
      const std::uint64_t* bits = by_code[c].data();
      for (std::size_t i = first; i < last; ++i) {
        const std::uint32_t slot = codes[i] + 1u;  // missing, 2^32 - 1, wraps to 0
        for (std::size_t w = 0; w < field_words; ++w) field_bits[i * field_words + w] |= bits[slot * field_words + w];
      }
    }
    if (!b.stage) return;
    const std::vector<std::uint32_t>& codes = std::get<1>(b.stage->values).codes;
    for (std::size_t i = first; i < last; ++i)
      if (codes[i] != TextColumn::missing) kept[i] = stage_of[codes[i]];
  });

  // Pass 3, in runs of blocks handed to the threads: each block's matches
  // by (row, filter) (a stable counting sort in cache), each (row,
  // filter)'s in canonical order, then each row out. A run keeps its
  // reasons apart; they are joined in row order at the end.
  const std::size_t n_runs = threads == 1 ? 1 : std::min(n_blocks, 8 * threads);
  std::vector<std::vector<RuleReason>> run_reasons(n_runs);
  detail::parallel_for(n_runs, threads, [&](std::size_t run) {
    const auto [first_block, last_block] = part(n_blocks, n_runs, run);
    Scratch s(rs);
    s.as_of = as_of;
    std::vector<std::uint32_t> start(block_rows * n_filters + 1), next(start.size());
    std::vector<FilterHit> matched;
    std::vector<RuleReason>& reasons = run_reasons[run];
    for (std::size_t blk = first_block; blk < last_block; ++blk) {
      const std::size_t first = blk << block_bits, rows = std::min(n - first, block_rows);
      const std::size_t buckets = rows * n_filters;
      std::fill(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(buckets) + 1, 0u);
      for (std::size_t t = 0; t < threads; ++t)  // the block's matches, part by part
        for (std::size_t i = begin[blk * threads + t]; i < cursor[t][blk]; ++i) ++start[staged[i].bucket + 1];
      for (std::size_t k = 0; k < buckets; ++k) start[k + 1] += start[k];
      std::copy(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(buckets), next.begin());
      matched.resize(start[buckets]);
      // Again, each with its value (NaN where it is not summed: such values
      // are never read, and NaN keeps their hits equal in any order) and
      // time, read back from the side lists in staging order.
      for (std::size_t t = 0; t < threads; ++t) {
        const double* value = staged_values.get() + value_begin[blk * threads + t];
        const Timestamp* far_time = staged_times.get() + far_begin[blk * threads + t];
        for (std::size_t i = begin[blk * threads + t]; i < cursor[t][blk]; ++i) {
          const StagedMatch m = staged[i];
          const std::uint32_t f = m.bucket & static_cast<std::uint32_t>(n_filters - 1);
          const double v = summed_[f] ? *value++ : std::numeric_limits<double>::quiet_NaN();
          matched[next[m.bucket]++] = {f, {m.age == far ? *far_time++ : as_of - Timestamp{m.age}, v}};
        }
      }
      for (std::size_t i = first; i < first + rows; ++i) {
        prepare_buckets(s, matched.data(), start.data() + (i - first) * n_filters);
        s.fields = field_bits.data() + i * field_words;
        const Result r = evaluate(s, kept[i]);
        out.total[i] = r.total;
        std::copy(s.group_score.begin(), s.group_score.end(),
                  out.groups.begin() + static_cast<std::ptrdiff_t>(i * out.n_groups));
        out.grade[i] = r.grade;
        out.level[i] = r.level;
        out.stage[i] = r.stage;
        reasons.insert(reasons.end(), s.reasons.begin(), s.reasons.end());
        out.reason_begin[i + 1] = static_cast<std::uint32_t>(s.reasons.size());  // a count, until joined
      }
      // Room for the run's reasons at its first block's rate, so the list
      // is not copied as it grows.
      if (blk == first_block) {
        const std::size_t run_rows = std::min(n, last_block << block_bits) - first;
        reasons.reserve((reasons.size() / rows + 2) * run_rows);
        detail::advise_huge_pages(reasons.data(), reasons.capacity() * sizeof(RuleReason));
      }
    }
  });

  // Join: counts to offsets, then each run's reasons into place.
  for (std::size_t i = 0; i < n; ++i) out.reason_begin[i + 1] += out.reason_begin[i];
  if (n_runs == 1) {
    out.reasons = std::move(run_reasons[0]);
  } else {
    detail::resize_in_huge_pages(out.reasons, out.reason_begin[n]);
    detail::parallel_for(n_runs, threads, [&](std::size_t run) {
      const std::size_t first_row = std::min(n, (part(n_blocks, n_runs, run).first) << block_bits);
      std::copy(run_reasons[run].begin(), run_reasons[run].end(),
                out.reasons.begin() + static_cast<std::ptrdiff_t>(out.reason_begin[first_row]));
      });
  }
  return out;
}

}  // namespace leadscore::scoring
