#pragma once
// Names for behavioural clusters from their RFM profile: each cluster's mean
// recency, frequency and monetary value are scored by an RFM model fitted on
// the same customers and named by a segment table (rf-grid by default).

#include <string>
#include <vector>

#include "leadscore/core/error.hpp"
#include "leadscore/segment/kmeans.hpp"
#include "leadscore/segment/rfm.hpp"
#include "leadscore/segment/segments.hpp"

namespace leadscore::segment {

/// One name per cluster; a name given to several clusters gets " (2)",
/// " (3)", ... after the first. Throws InvalidInput unless the model has
/// features named recency, frequency and monetary.
inline std::vector<std::string> rfm_cluster_names(const KMeansModel& model, const RfmModel& rfm,
                                                  const SegmentTable& table = SegmentTable::rf_grid()) {
  const auto& names = model.feature_names();
  const auto column = [&](const char* want) {
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j] == want) return static_cast<Eigen::Index>(j);
    throw InvalidInput(std::string("rfm_cluster_names: the model has no feature named '") + want + "'");
  };
  const Eigen::Index r = column("recency"), f = column("frequency"), m = column("monetary");
  std::vector<std::string> out;
  for (int c = 0; c < model.k(); ++c) {
    const auto& mean = model.cluster_means();
    const auto s = rfm.score_one(mean(c, r), mean(c, f), mean(c, m));
    std::string name = table.name(table.assign(s.r, s.f, s.m));
    int seen = 0;
    for (const auto& prior : out) seen += prior == name || prior.starts_with(name + " (");
    out.push_back(seen == 0 ? name : name + " (" + std::to_string(seen + 1) + ")");
  }
  return out;
}

}  // namespace leadscore::segment
