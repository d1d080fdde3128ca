#pragma once
// Revenue concentration: how much of the revenue the best customers bring
// (the "80/20" check), the Lorenz curve as data and the Gini coefficient.

#include <span>
#include <vector>

namespace leadscore::segment {

struct LorenzPoint {
  double customer_share;  ///< fraction of customers, poorest first (0..1)
  double value_share;     ///< fraction of the total they account for (0..1)
};

struct Concentration {
  double total = 0;
  double gini = 0;  ///< 0 = everyone equal, (n-1)/n = one customer has all
  /// Share of the total from the top 1%, 5%, 10%, 20% and 50% of customers.
  double top_1 = 0, top_5 = 0, top_10 = 0, top_20 = 0, top_50 = 0;
  /// Least fraction of customers (best first) that brings 80% of the total.
  double customers_for_80 = 0;
  std::vector<LorenzPoint> lorenz;
};

/// Throws InvalidInput on no values, a value that is negative or not
/// finite (naming its index), or a zero total. `lorenz_points` >= 2 evenly
/// spaced points (0 and 1 included) of the curve, interpolated linearly.
Concentration concentration(std::span<const double> values, int lorenz_points = 101);

/// Share of the total from the top `fraction` (0..1] of customers; a
/// fractional customer counts in proportion.
double top_share(std::span<const double> values, double fraction);

/// The Gini coefficient (mean absolute difference / (2 * mean)).
double gini(std::span<const double> values);

}  // namespace leadscore::segment
