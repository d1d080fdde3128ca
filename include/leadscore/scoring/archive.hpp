#pragma once
// Save / load fitted predictive scorers (Boost.Serialization, implemented in
// src/scoring/archive.cpp). Format: the line "leadscore-model predictive
// <format-version>", then a Boost text archive with a class version; doubles
// travel as bit patterns (exact round trip). Wrong kind, damaged files and
// newer versions throw SerializationError; saves write a temporary file and
// rename it.

#include <string>
#include <string_view>

#include "leadscore/scoring/model.hpp"

namespace leadscore::scoring {

void save(const PredictiveModel& model, const std::string& path);
PredictiveModel load_predictive(const std::string& path);
std::string to_bytes(const PredictiveModel& model);
PredictiveModel predictive_from_bytes(std::string_view bytes);

}  // namespace leadscore::scoring
