// Boost.Serialization of the BTYD models; see leadscore/churn/archive.hpp.
#include "leadscore/churn/archive.hpp"

#include "archive_impl.hpp"

namespace leadscore::churn {
namespace ad = archive_detail;

namespace {
// Each model's parameters as a flat vector, in params-struct order.
std::vector<double> flat(const BgNbdParams& p) { return {p.r, p.alpha, p.a, p.b}; }
std::vector<double> flat(const ParetoNbdParams& p) { return {p.r, p.alpha, p.s, p.beta}; }
std::vector<double> flat(const MbgNbdParams& p) { return {p.r, p.alpha, p.a, p.b}; }
std::vector<double> flat(const BgBbParams& p) { return {p.alpha, p.beta, p.gamma, p.delta}; }

template <class Model>
std::string encode(const Model& m) {
  return ad::encode(Model::kind, ad::make_record(flat(m.params()), m.fit_info()));
}

template <class Model>
Model decode(std::string_view bytes) {
  const ad::Record rec = ad::decode(Model::kind, bytes, 4);
  const auto v = ad::unbits(rec.params);
  return ad::rebuild<Model>(typename Model::Params{v[0], v[1], v[2], v[3]}, ad::fit_info(rec));
}
}  // namespace

std::string to_bytes(const BgNbdModel& m) { return encode(m); }
std::string to_bytes(const ParetoNbdModel& m) { return encode(m); }
std::string to_bytes(const MbgNbdModel& m) { return encode(m); }
std::string to_bytes(const BgBbModel& m) { return encode(m); }

void save(const BgNbdModel& m, const std::string& path) { ad::write_file(path, encode(m)); }
void save(const ParetoNbdModel& m, const std::string& path) { ad::write_file(path, encode(m)); }
void save(const MbgNbdModel& m, const std::string& path) { ad::write_file(path, encode(m)); }
void save(const BgBbModel& m, const std::string& path) { ad::write_file(path, encode(m)); }

template <> BgNbdModel from_bytes<BgNbdModel>(std::string_view b) { return decode<BgNbdModel>(b); }
template <> ParetoNbdModel from_bytes<ParetoNbdModel>(std::string_view b) { return decode<ParetoNbdModel>(b); }
template <> MbgNbdModel from_bytes<MbgNbdModel>(std::string_view b) { return decode<MbgNbdModel>(b); }
template <> BgBbModel from_bytes<BgBbModel>(std::string_view b) { return decode<BgBbModel>(b); }

template <> BgNbdModel load<BgNbdModel>(const std::string& p) { return decode<BgNbdModel>(ad::read_file(p)); }
template <> ParetoNbdModel load<ParetoNbdModel>(const std::string& p) { return decode<ParetoNbdModel>(ad::read_file(p)); }
template <> MbgNbdModel load<MbgNbdModel>(const std::string& p) { return decode<MbgNbdModel>(ad::read_file(p)); }
template <> BgBbModel load<BgBbModel>(const std::string& p) { return decode<BgBbModel>(ad::read_file(p)); }

}  // namespace leadscore::churn
