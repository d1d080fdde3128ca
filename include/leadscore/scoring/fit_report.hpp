#pragma once
// What every learned scorer reports about its fit, and the reason codes it
// gives for one scored row.

#include <string>

namespace leadscore::scoring {

/// How a fit went: converged, iterations, final loss, gradient norm, seconds.
struct FitReport {
  std::string solver;  ///< "newton", "lbfgs", "lbfgsb" (L1), "counts", "weights"
  bool converged = true;
  int iterations = 0;
  double loss = 0.0;  ///< the penalized objective at the solution (0 for counts and weights)
  double gradient_norm = 0.0;  ///< max |gradient| at the solution
  double seconds = 0.0;
  std::size_t rows = 0;
  int passes = 0;  ///< evaluations over all rows (objective and gradient; 0 for counts and weights)
};

/// One feature's contribution to a row's log-odds (or points, for the
/// weighted scorer), with a name a salesperson can read:
/// "Lead Source = Reference", "Total Time Spent on Website".
struct Reason {
  std::string feature;
  double contribution = 0.0;
};

}  // namespace leadscore::scoring
