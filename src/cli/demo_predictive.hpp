#pragma once
// The demo's predictive section: lead conversion learned from the X
// Education leads (src/cli/demo_predictive.cpp).

#include <filesystem>

namespace leadscore::cli {

void demo_predictive_section(const std::filesystem::path& data_dir);

}  // namespace leadscore::cli
