#pragma once
// The lead-scoring section of `leadscore demo`.

#include <filesystem>

namespace leadscore::cli {

/// Scores the X Education leads shipped in data/rules/ with the shipped rule
/// sets: stages, grades, a few leads with their reasons, and the A/B of two
/// rule sets against the known conversions.
void rules_demo_section(const std::filesystem::path& data_dir);

}  // namespace leadscore::cli
