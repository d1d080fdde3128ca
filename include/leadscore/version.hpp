#pragma once

namespace leadscore {

/// The library version; CMake reads the project version from this line.
inline constexpr const char* version = "0.1.0";

}  // namespace leadscore
