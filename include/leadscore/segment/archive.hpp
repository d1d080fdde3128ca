#pragma once
// Save / load fitted segmenters (Boost.Serialization, implemented in
// src/segment/archive.cpp so Boost stays out of this header).
//
// Format: one text line "leadscore-model <kind> <format-version>", then a
// Boost text archive with a class version (doubles stored as their IEEE-754
// bit patterns: exact round trip). Loading another kind of model, a damaged
// file or a newer version throws SerializationError. Files are written to a
// temporary name and renamed. k-means training labels are not saved.

#include <string>
#include <string_view>

#include "leadscore/segment/kmeans.hpp"
#include "leadscore/segment/rfm.hpp"

namespace leadscore::segment {

void save(const RfmModel& model, const std::string& path);
void save(const KMeansModel& model, const std::string& path);
std::string to_bytes(const RfmModel& model);
std::string to_bytes(const KMeansModel& model);

template <class Model> Model load(const std::string& path);
template <class Model> Model from_bytes(std::string_view bytes);
template <> RfmModel load<RfmModel>(const std::string& path);
template <> KMeansModel load<KMeansModel>(const std::string& path);
template <> RfmModel from_bytes<RfmModel>(std::string_view bytes);
template <> KMeansModel from_bytes<KMeansModel>(std::string_view bytes);

}  // namespace leadscore::segment
