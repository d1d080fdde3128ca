#pragma once
// Profile fit: how close each record is to a target customer profile given
// as field criteria, with the criteria each record meets as evidence.
//
//   std::vector<FitCriterion> target{{.field = "industry", .any_of = {"retail", "media"}},
//                                    {.field = "employees", .min = 50, .max = 500, .weight = 2}};
//   auto fit = segment::profile_fit(profiles, target);   // fit.score[i] in 0..1
//
// A text criterion is met when the value is one of `any_of`; a numeric one
// when min <= value <= max. A missing value meets nothing. The score is the
// weighted share of the criteria met.
//
// A target in JSON (read_fit_target / parse_fit_target):
//   {"criteria": [{"field": "industry", "any_of": ["retail", "media"]},
//                 {"field": "employees", "min": 50, "max": 500, "weight": 2}]}

#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/profile.hpp"

namespace leadscore::segment {

struct FitCriterion {
  std::string field;
  std::vector<std::string> any_of;  ///< text fields
  double min = -std::numeric_limits<double>::infinity();  ///< numeric fields
  double max = std::numeric_limits<double>::infinity();
  double weight = 1.0;
};

struct ProfileFit {
  std::vector<double> score;         ///< per row of the table, 0..1
  std::vector<std::string> matched;  ///< per row: the fields met, ';'-separated
  std::vector<std::size_t> met;      ///< per criterion: the rows meeting it
};

/// Throws InvalidInput naming the criterion on an unknown field, a text
/// criterion on a numeric field (or the reverse), min > max, or a weight
/// that is not positive; and on no criteria or an invalid table.
ProfileFit profile_fit(const ProfileTable& profiles, std::span<const FitCriterion> target);

/// Parses a target (format above). Throws JsonError with the JSON path (for
/// example "/criteria/1/min") on text that is not JSON, an unknown key, a
/// criterion without a field, with both any_of and min/max or neither, a
/// non-string in any_of, a bound that is not a number, or a weight that is
/// not a positive number.
std::vector<FitCriterion> parse_fit_target(std::string_view json_text);
/// The same from a file: ParseError when it cannot be opened, JsonError
/// paths prefixed with the file name.
std::vector<FitCriterion> read_fit_target(const std::string& path);

}  // namespace leadscore::segment
