#pragma once
// Scratch files for tests, removed when the test ends.

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace leadscore::test {

class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& name = "input.csv") {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("leadscore-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

}  // namespace leadscore::test
