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

#include <limits>
#include <span>
#include <string>
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
};

/// Throws InvalidInput naming the criterion on an unknown field, a text
/// criterion on a numeric field (or the reverse), min > max, or a weight
/// that is not positive; and on no criteria or an invalid table.
ProfileFit profile_fit(const ProfileTable& profiles, std::span<const FitCriterion> target);

}  // namespace leadscore::segment
