#pragma once
// Save / load the Gamma-Gamma spend model; same format and guarantees as
// leadscore/churn/archive.hpp (implemented in src/value/archive.cpp).

#include <string>
#include <string_view>

#include "leadscore/value/gamma_gamma.hpp"

namespace leadscore::value {

void save(const GammaGammaModel& model, const std::string& path);
std::string to_bytes(const GammaGammaModel& model);

template <class Model> Model load(const std::string& path);
template <class Model> Model from_bytes(std::string_view bytes);
template <> GammaGammaModel load<GammaGammaModel>(const std::string& path);
template <> GammaGammaModel from_bytes<GammaGammaModel>(std::string_view bytes);

}  // namespace leadscore::value
