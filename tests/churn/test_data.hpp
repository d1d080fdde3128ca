#pragma once
// Tiny CSV loader for the test data (numeric columns after a header line;
// handles CRLF and a missing final newline). The library's reader lives in io/.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace leadscore::test {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> cols;
  std::vector<std::string> first;  // first column as text
  const std::vector<double>& col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return cols[i];
    throw std::runtime_error("no column " + name);
  }
};

inline Table read_csv(const std::string& rel) {
  const std::string path = std::string(LEADSCORE_SOURCE_DIR) + "/" + rel;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Table t;
  std::string line;
  bool head = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::size_t j = 0;
    while (std::getline(ss, cell, ',')) {
      if (head) {
        t.header.push_back(cell);
        t.cols.emplace_back();
      } else {
        if (j == 0) t.first.push_back(cell);
        t.cols.at(j).push_back(std::stod(cell));
      }
      ++j;
    }
    head = false;
  }
  return t;
}

}  // namespace leadscore::test
