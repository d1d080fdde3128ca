#pragma once
// Private to src/: the record every BTYD and spend model is stored as.
// Shared by src/churn/archive.cpp and src/value/archive.cpp; the framing is
// src/io/model_archive.hpp.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include "../io/model_archive.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::archive_detail {

struct Record {
  std::vector<std::uint64_t> params;
  // FitInfo
  bool converged = false;
  int iterations = 0;
  std::vector<std::uint64_t> scalars;  // log_likelihood, objective, gradient_norm, seconds, n_customers, confidence_level
  std::uint64_t n_unique = 0;
  std::vector<std::string> names;
  std::vector<std::uint64_t> estimates, standard_errors, ci_lower, ci_upper;
  bool standard_errors_ok = false;

  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    ar & params & converged & iterations & scalars & n_unique & names & estimates & standard_errors & ci_lower &
        ci_upper & standard_errors_ok;
  }
};

inline Record make_record(const std::vector<double>& params, const churn::FitInfo& fi) {
  Record r;
  r.params = bits(params);
  r.converged = fi.converged;
  r.iterations = fi.iterations;
  r.scalars = bits({fi.log_likelihood, fi.objective, fi.gradient_norm, fi.seconds, fi.n_customers,
                    fi.confidence_level});
  r.n_unique = fi.n_unique;
  r.names = fi.names;
  r.estimates = bits(fi.estimates);
  r.standard_errors = bits(fi.standard_errors);
  r.ci_lower = bits(fi.ci_lower);
  r.ci_upper = bits(fi.ci_upper);
  r.standard_errors_ok = fi.standard_errors_ok;
  return r;
}

inline churn::FitInfo fit_info(const Record& r) {
  churn::FitInfo fi;
  const auto s = unbits(r.scalars);
  if (s.size() != 6) throw SerializationError("load: damaged fit record");
  fi.converged = r.converged;
  fi.iterations = r.iterations;
  fi.log_likelihood = s[0];
  fi.objective = s[1];
  fi.gradient_norm = s[2];
  fi.seconds = s[3];
  fi.n_customers = s[4];
  fi.confidence_level = s[5];
  fi.n_unique = static_cast<std::size_t>(r.n_unique);
  fi.names = r.names;
  fi.estimates = unbits(r.estimates);
  fi.standard_errors = unbits(r.standard_errors);
  fi.ci_lower = unbits(r.ci_lower);
  fi.ci_upper = unbits(r.ci_upper);
  fi.standard_errors_ok = r.standard_errors_ok;
  return fi;
}

/// The framing's decode, then a check that the record has the model's
/// number of parameters.
inline Record decode(std::string_view kind, std::string_view bytes, std::size_t n_params) {
  Record rec = decode<Record>(kind, bytes);
  if (rec.params.size() != n_params) throw SerializationError("load: wrong number of parameters");
  return rec;
}

/// Rebuild a model; parameter validation failures become SerializationError.
template <class Model, class Params>
Model rebuild(const Params& p, churn::FitInfo fi) {
  try {
    return Model(p, std::move(fi));
  } catch (const InvalidInput& e) {
    throw SerializationError(std::string("load: invalid parameters in archive: ") + e.what());
  }
}

}  // namespace leadscore::archive_detail

BOOST_CLASS_VERSION(leadscore::archive_detail::Record, 1)
