#pragma once
// Named RFM segments: an ordered rule table, first match wins, and a name for
// customers no rule matches ("Others").
//
// JSON form (data/segments/*.json):
//   {"others": "Others",
//    "segments": [{"name": "Champions", "recency": [5, 5], "frequency": [5, 5],
//                  "monetary": [5, 5]}, ...]}
// Each range is [lower, upper], inclusive, in scores; a dimension left out
// matches any score.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/segment/rfm.hpp"

namespace leadscore::segment {

struct SegmentRule {
  std::string name;
  int recency_lower = 1, recency_upper = 99;
  int frequency_lower = 1, frequency_upper = 99;
  int monetary_lower = 1, monetary_upper = 99;

  bool matches(int r, int f, int m) const noexcept {
    return r >= recency_lower && r <= recency_upper && f >= frequency_lower && f <= frequency_upper &&
           m >= monetary_lower && m <= monetary_upper;
  }
};

class SegmentTable {
 public:
  /// Throws InvalidInput on an empty name, a duplicate name, or a range
  /// with lower > upper or outside 1..99 (naming the rule).
  explicit SegmentTable(std::vector<SegmentRule> rules, std::string others = "Others");

  /// The example table of the R `rfm` package's rfm_segment() documentation
  /// (10 segments over R, F and M scores of 1..5).
  static SegmentTable rfm_package();
  /// The common 11-segment R x F grid (scores 1..5; M is not used):
  /// Champions, Loyal Customers, Potential Loyalist, New Customers,
  /// Promising, Need Attention, About To Sleep, At Risk, Can't Lose Them,
  /// Hibernating, Lost. Every one of the 25 R x F cells has one segment.
  static SegmentTable rf_grid();
  /// "rfm-package" or "rf-grid"; throws InvalidInput otherwise.
  static SegmentTable builtin(std::string_view name);

  /// Parses the JSON form; throws JsonError with the JSON path of the problem.
  static SegmentTable from_json(std::string_view text);
  /// Reads a JSON file; ParseError naming the file if it cannot be read or
  /// is not JSON, JsonError (prefixed with the file) if it is not a table.
  static SegmentTable read(const std::string& path);
  std::string to_json() const;

  /// Index of the first rule matching, or rules().size() for "others".
  std::size_t assign(int r, int f, int m) const noexcept {
    for (std::size_t i = 0; i < rules_.size(); ++i)
      if (rules_[i].matches(r, f, m)) return i;
    return rules_.size();
  }
  /// Segment index per customer (rules().size() = others).
  std::vector<std::uint16_t> assign(const RfmScores& scores) const;
  /// The same from three score columns of equal length.
  std::vector<std::uint16_t> assign(std::span<const std::uint8_t> r, std::span<const std::uint8_t> f,
                                    std::span<const std::uint8_t> m) const;
  /// The name of a segment index from assign().
  const std::string& name(std::size_t index) const noexcept {
    return index < rules_.size() ? rules_[index].name : others_;
  }

  const std::vector<SegmentRule>& rules() const noexcept { return rules_; }
  const std::string& others() const noexcept { return others_; }

 private:
  std::vector<SegmentRule> rules_;
  std::string others_;
};

}  // namespace leadscore::segment
