#pragma once
// The demo's segmentation section (src/cli/demo_segment.cpp).

#include <filesystem>

namespace leadscore::cli {

/// RFM segments, loyalty tiers, concentration and behavioural clusters of the
/// shipped retail data in `data_dir`.
void demo_segment(const std::filesystem::path& data_dir);

}  // namespace leadscore::cli
