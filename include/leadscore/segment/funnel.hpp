#pragma once
// Funnel analytics from stage-change history: how many records reached each
// lifecycle stage, the conversion rate from each stage to the next, the
// median time spent in each stage, and where records stand now.
//
// Each row is one change: record (a dense id), the stage it entered, when.
// A record "reached" stage k when it ever entered k or a later funnel stage
// (at_risk and churned count as having reached customer). Time in stage k
// runs from its first entry into k to its first later entry into a stage
// further along; records that never moved on do not count in the median.

#include <cstdint>
#include <span>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/lifecycle.hpp"

namespace leadscore::segment {

struct FunnelReport {
  /// Indexed by funnel stage, lead .. advocate (7 entries).
  std::vector<std::size_t> reached;
  /// reached[k + 1] / reached[k] (6 entries; NaN when reached[k] is 0).
  std::vector<double> conversion;
  /// Median days in the stage among records that moved further (NaN if none),
  /// and how many did.
  std::vector<double> median_days;
  std::vector<std::size_t> moved_on;
  /// Indexed by every stage (9 entries, at_risk and churned included): the
  /// stage of each record's latest change.
  std::vector<std::size_t> current;
  std::size_t records = 0;
};

/// Throws InvalidInput on columns of different lengths, a record code
/// outside 0..n_records-1, or a record with no change.
FunnelReport funnel(std::span<const std::int64_t> record, std::size_t n_records,
                    std::span<const LifecycleStage> stage, std::span<const Timestamp> time);

}  // namespace leadscore::segment
