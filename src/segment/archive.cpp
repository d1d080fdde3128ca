// Boost.Serialization of the fitted segmenters; see leadscore/segment/archive.hpp.
#include "leadscore/segment/archive.hpp"

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <sstream>

#include "../churn/archive_impl.hpp"  // bits/unbits, write_file/read_file

namespace leadscore::segment::records {

struct RfmRecord {
  int bins = 0;
  int method = 0;
  std::uint64_t break_offset = 0;
  std::vector<std::uint64_t> breaks[3];

  template <class Ar>
  void serialize(Ar& ar, const unsigned int /*version*/) {
    ar & bins & method & break_offset & breaks[0] & breaks[1] & breaks[2];
  }
};

struct KMeansRecord {
  int k = 0, d = 0, n_init = 0, max_iter = 0, threads = 0;
  std::uint64_t tol = 0, seed = 0;
  bool log1p = false, standardize = false;
  std::vector<std::string> names;
  std::vector<std::uint64_t> shift, scale, centers, means;
  std::vector<std::uint64_t> sizes;
  bool converged = false;
  int iterations = 0, best_init = 0;
  std::uint64_t inertia = 0, seconds = 0, n_rows = 0;
  int total_iterations = -1;  // version 2 on; -1: saved by version 1

  template <class Ar>
  void serialize(Ar& ar, const unsigned int version) {
    ar & k & d & n_init & max_iter & threads & tol & seed & log1p & standardize & names & shift & scale &
        centers & means & sizes & converged & iterations & best_init & inertia & seconds & n_rows;
    if (version >= 2) ar & total_iterations;
  }
};

}  // namespace leadscore::segment::records

BOOST_CLASS_VERSION(leadscore::segment::records::RfmRecord, 1)
BOOST_CLASS_VERSION(leadscore::segment::records::KMeansRecord, 2)

namespace leadscore::segment {
namespace {
namespace ad = archive_detail;
using records::KMeansRecord;
using records::RfmRecord;

using archive_detail::bit;
using archive_detail::unbit;

using archive_detail::decode;
using archive_detail::encode;

std::string encode_rfm(const RfmModel& m) {
  RfmRecord r;
  r.bins = m.config().bins;
  r.method = static_cast<int>(m.config().method);
  r.break_offset = bit(m.config().break_offset);
  const std::vector<double>* b[3] = {&m.recency_breaks(), &m.frequency_breaks(), &m.monetary_breaks()};
  for (int d = 0; d < 3; ++d) r.breaks[d] = ad::bits(*b[d]);
  return encode(RfmModel::kind, r);
}

RfmModel decode_rfm(std::string_view bytes) {
  const auto r = decode<RfmRecord>(RfmModel::kind, bytes);
  if (r.method != 0 && r.method != 1) throw SerializationError("load: damaged RFM model (method)");
  try {
    return RfmModel({.bins = r.bins, .method = static_cast<BinMethod>(r.method), .break_offset = unbit(r.break_offset)},
                    ad::unbits(r.breaks[0]), ad::unbits(r.breaks[1]), ad::unbits(r.breaks[2]));
  } catch (const InvalidInput& e) {
    throw SerializationError(std::string("load: damaged RFM model: ") + e.what());
  }
}

std::string encode_kmeans(const KMeansModel& m) {
  KMeansRecord r;
  const auto& c = m.config();
  r.k = m.k();
  r.d = m.n_features();
  r.n_init = c.n_init;
  r.max_iter = c.max_iter;
  r.threads = c.threads;
  r.tol = bit(c.tol);
  r.seed = c.seed;
  r.log1p = c.log1p;
  r.standardize = c.standardize;
  r.names = m.feature_names();
  r.shift = ad::bits(m.shift());
  r.scale = ad::bits(m.scale());
  r.centers = ad::bits(std::vector<double>(m.centers().data(), m.centers().data() + m.centers().size()));
  r.means = ad::bits(std::vector<double>(m.cluster_means().data(), m.cluster_means().data() + m.cluster_means().size()));
  for (auto s : m.sizes()) r.sizes.push_back(s);
  const auto& fi = m.fit_info();
  r.converged = fi.converged;
  r.iterations = fi.iterations;
  r.best_init = fi.best_init;
  r.inertia = bit(fi.inertia);
  r.seconds = bit(fi.seconds);
  r.n_rows = fi.n_rows;
  r.total_iterations = fi.total_iterations;
  return encode(KMeansModel::kind, r);
}

KMeansModel decode_kmeans(std::string_view bytes) {
  const auto r = decode<KMeansRecord>(KMeansModel::kind, bytes);
  const auto k = static_cast<std::size_t>(std::max(r.k, 0));
  const auto d = static_cast<std::size_t>(std::max(r.d, 0));
  if (k == 0 || d == 0 || r.centers.size() != k * d || r.means.size() != k * d)
    throw SerializationError("load: damaged k-means model (sizes)");
  const auto centers = ad::unbits(r.centers);
  const auto means = ad::unbits(r.means);
  KMeansConfig c{.k = r.k, .n_init = r.n_init, .max_iter = r.max_iter, .tol = unbit(r.tol), .seed = r.seed,
                 .threads = r.threads, .log1p = r.log1p, .standardize = r.standardize};
  KMeansFitInfo fi{.converged = r.converged, .iterations = r.iterations,
                   .total_iterations = r.total_iterations >= 0 ? r.total_iterations : r.iterations,
                   .best_init = r.best_init, .inertia = unbit(r.inertia), .seconds = unbit(r.seconds),
                   .n_rows = static_cast<std::size_t>(r.n_rows)};
  std::vector<std::size_t> sizes(r.sizes.begin(), r.sizes.end());
  try {
    return KMeansModel(c, r.names, ad::unbits(r.shift), ad::unbits(r.scale),
                       Eigen::Map<const RowMatrix>(centers.data(), r.k, r.d),
                       Eigen::Map<const RowMatrix>(means.data(), r.k, r.d), std::move(sizes), fi);
  } catch (const InvalidInput& e) {
    throw SerializationError(std::string("load: damaged k-means model: ") + e.what());
  }
}

}  // namespace

std::string to_bytes(const RfmModel& m) { return encode_rfm(m); }
std::string to_bytes(const KMeansModel& m) { return encode_kmeans(m); }
void save(const RfmModel& m, const std::string& path) { ad::write_file(path, encode_rfm(m)); }
void save(const KMeansModel& m, const std::string& path) { ad::write_file(path, encode_kmeans(m)); }
template <> RfmModel from_bytes<RfmModel>(std::string_view b) { return decode_rfm(b); }
template <> KMeansModel from_bytes<KMeansModel>(std::string_view b) { return decode_kmeans(b); }
template <> RfmModel load<RfmModel>(const std::string& p) { return decode_rfm(ad::read_file(p)); }
template <> KMeansModel load<KMeansModel>(const std::string& p) { return decode_kmeans(ad::read_file(p)); }

}  // namespace leadscore::segment
