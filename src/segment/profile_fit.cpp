// Profile fit; see leadscore/segment/profile_fit.hpp.
#include "leadscore/segment/profile_fit.hpp"

#include <algorithm>
#include <cmath>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

ProfileFit profile_fit(const ProfileTable& profiles, std::span<const FitCriterion> target) {
  profiles.validate();
  if (target.empty()) throw InvalidInput("profile_fit: no criteria");
  double total_weight = 0;
  std::vector<const ProfileColumn*> column;
  for (std::size_t k = 0; k < target.size(); ++k) {
    const FitCriterion& c = target[k];
    const std::string where = "profile_fit: criterion " + std::to_string(k) + " ('" + c.field + "')";
    const ProfileColumn* col = profiles.find(c.field);
    if (!col) throw InvalidInput(where + ": no such profile field");
    if (!(c.weight > 0) || !std::isfinite(c.weight)) throw InvalidInput(where + ": weight must be positive");
    if (col->is_numeric() && !c.any_of.empty()) throw InvalidInput(where + ": a numeric field takes min/max, not any_of");
    if (!col->is_numeric() && c.any_of.empty()) throw InvalidInput(where + ": a text field needs any_of");
    if (c.min > c.max || std::isnan(c.min) || std::isnan(c.max)) throw InvalidInput(where + ": min is above max");
    column.push_back(col);
    total_weight += c.weight;
  }
  const std::size_t n = profiles.customer.size();
  ProfileFit out;
  out.score.assign(n, 0.0);
  out.matched.resize(n);
  for (std::size_t k = 0; k < target.size(); ++k) {
    const FitCriterion& c = target[k];
    for (std::size_t i = 0; i < n; ++i) {
      bool met = false;
      if (column[k]->is_numeric()) {
        const double v = std::get<0>(column[k]->values)[i];
        met = !std::isnan(v) && v >= c.min && v <= c.max;
      } else {
        const auto& v = std::get<1>(column[k]->values)[i];
        met = v && std::find(c.any_of.begin(), c.any_of.end(), *v) != c.any_of.end();
      }
      if (!met) continue;
      out.score[i] += c.weight / total_weight;
      out.matched[i] += (out.matched[i].empty() ? "" : ";") + c.field;
    }
  }
  return out;
}

}  // namespace leadscore::segment
