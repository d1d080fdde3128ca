#pragma once
// Paths of the data sets shipped in the repository, for tests.

#include <string>

namespace leadscore::test {

inline std::string data_path(const std::string& relative) {
  return std::string(LEADSCORE_SOURCE_DIR) + "/data/" + relative;
}

}  // namespace leadscore::test
