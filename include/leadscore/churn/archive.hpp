#pragma once
// Save / load fitted BTYD models (Boost.Serialization, implemented in
// src/churn/archive.cpp so Boost stays out of this header).
//
// Format: one text line "leadscore-model <kind> <format-version>", then a
// Boost text archive of the parameters and FitInfo (doubles stored as their
// IEEE-754 bit patterns: exact round trip, NaN-safe). Loading a file of
// another model kind, a damaged file or a newer format version throws
// leadscore::SerializationError. Files are written to a temporary name and
// renamed, so a failed save never leaves a half-written file.

#include <string>
#include <string_view>

#include "leadscore/churn/bg_bb.hpp"
#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/mbg_nbd.hpp"
#include "leadscore/churn/pareto_nbd.hpp"

namespace leadscore::churn {

void save(const BgNbdModel& model, const std::string& path);
void save(const ParetoNbdModel& model, const std::string& path);
void save(const MbgNbdModel& model, const std::string& path);
void save(const BgBbModel& model, const std::string& path);

/// The same bytes as the file (for Python pickling, databases, ...).
std::string to_bytes(const BgNbdModel& model);
std::string to_bytes(const ParetoNbdModel& model);
std::string to_bytes(const MbgNbdModel& model);
std::string to_bytes(const BgBbModel& model);

/// load<BgNbdModel>(path), load<ParetoNbdModel>(path), ...
template <class Model> Model load(const std::string& path);
template <class Model> Model from_bytes(std::string_view bytes);

template <> BgNbdModel load<BgNbdModel>(const std::string& path);
template <> ParetoNbdModel load<ParetoNbdModel>(const std::string& path);
template <> MbgNbdModel load<MbgNbdModel>(const std::string& path);
template <> BgBbModel load<BgBbModel>(const std::string& path);
template <> BgNbdModel from_bytes<BgNbdModel>(std::string_view bytes);
template <> ParetoNbdModel from_bytes<ParetoNbdModel>(std::string_view bytes);
template <> MbgNbdModel from_bytes<MbgNbdModel>(std::string_view bytes);
template <> BgBbModel from_bytes<BgBbModel>(std::string_view bytes);

}  // namespace leadscore::churn
