// Boost.Serialization of the Gamma-Gamma model; see leadscore/value/archive.hpp.
#include "leadscore/value/archive.hpp"

#include "../churn/archive_impl.hpp"

namespace leadscore::value {
namespace ad = archive_detail;

namespace {
std::string encode(const GammaGammaModel& m) {
  const auto& p = m.params();
  return ad::encode(GammaGammaModel::kind, ad::make_record({p.p, p.q, p.gamma}, m.fit_info()));
}
GammaGammaModel decode(std::string_view bytes) {
  const ad::Record rec = ad::decode(GammaGammaModel::kind, bytes, 3);
  const auto v = ad::unbits(rec.params);
  return ad::rebuild<GammaGammaModel>(GammaGammaParams{v[0], v[1], v[2]}, ad::fit_info(rec));
}
}  // namespace

std::string to_bytes(const GammaGammaModel& m) { return encode(m); }
void save(const GammaGammaModel& m, const std::string& path) { ad::write_file(path, encode(m)); }
template <> GammaGammaModel from_bytes<GammaGammaModel>(std::string_view b) { return decode(b); }
template <> GammaGammaModel load<GammaGammaModel>(const std::string& p) { return decode(ad::read_file(p)); }

}  // namespace leadscore::value
