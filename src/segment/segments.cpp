// Segment rule tables; see leadscore/segment/segments.hpp.
#include "leadscore/segment/segments.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

SegmentTable::SegmentTable(std::vector<SegmentRule> rules, std::string others)
    : rules_(std::move(rules)), others_(std::move(others)) {
  if (others_.empty()) throw InvalidInput("SegmentTable: the name for unmatched customers is empty");
  if (rules_.size() > 60000) throw InvalidInput("SegmentTable: too many rules");
  std::set<std::string> seen{others_};
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const SegmentRule& r = rules_[i];
    const std::string where = "SegmentTable: rule " + std::to_string(i) + " ('" + r.name + "')";
    if (r.name.empty()) throw InvalidInput("SegmentTable: rule " + std::to_string(i) + " has no name");
    if (!seen.insert(r.name).second) throw InvalidInput(where + ": duplicate segment name");
    const int bounds[3][2] = {{r.recency_lower, r.recency_upper},
                              {r.frequency_lower, r.frequency_upper},
                              {r.monetary_lower, r.monetary_upper}};
    for (const auto& b : bounds)
      if (b[0] < 1 || b[1] > 99 || b[0] > b[1])
        throw InvalidInput(where + ": a score range must satisfy 1 <= lower <= upper <= 99");
  }
}

SegmentTable SegmentTable::rfm_package() {
  // rfm_segment()'s documented example, in its order.
  return SegmentTable({
      {"Champions", 5, 5, 5, 5, 5, 5},
      {"Potential Loyalist", 3, 5, 3, 5, 2, 5},
      {"Loyal Customers", 2, 4, 2, 4, 2, 4},
      {"Promising", 3, 4, 1, 3, 3, 5},
      {"New Customers", 4, 5, 1, 3, 1, 5},
      {"Can't Lose Them", 1, 2, 3, 4, 4, 5},
      {"At Risk", 1, 2, 2, 5, 4, 5},
      {"Need Attention", 1, 3, 3, 5, 3, 5},
      {"About To Sleep", 2, 3, 1, 3, 1, 4},
      {"Lost", 1, 1, 1, 5, 1, 5},
  });
}

SegmentTable SegmentTable::rf_grid() {
  // Recency x frequency; every cell of the 5 x 5 grid belongs to one segment.
  return SegmentTable({
      {"Champions", 5, 5, 4, 5, 1, 99},
      {"Loyal Customers", 3, 4, 4, 5, 1, 99},
      {"Potential Loyalist", 4, 5, 2, 3, 1, 99},
      {"New Customers", 5, 5, 1, 1, 1, 99},
      {"Promising", 4, 4, 1, 1, 1, 99},
      {"Need Attention", 3, 3, 3, 3, 1, 99},
      {"About To Sleep", 3, 3, 1, 2, 1, 99},
      {"At Risk", 1, 2, 3, 4, 1, 99},
      {"Can't Lose Them", 1, 2, 5, 5, 1, 99},
      {"Hibernating", 2, 2, 1, 2, 1, 99},
      {"Lost", 1, 1, 1, 2, 1, 99},
  });
}

SegmentTable SegmentTable::builtin(std::string_view name) {
  if (name == "rfm-package") return rfm_package();
  if (name == "rf-grid") return rf_grid();
  throw InvalidInput("unknown segment table '" + std::string(name) + "' (built in: rfm-package, rf-grid)");
}

namespace {
using nlohmann::json;

int score_of(const json& v, const std::string& path) {
  if (!v.is_number_integer()) throw JsonError(path, "expected an integer score");
  const auto x = v.get<long long>();
  if (x < 1 || x > 99) throw JsonError(path, "a score must be between 1 and 99");
  return static_cast<int>(x);
}

void range_of(const json& rule, const char* key, const std::string& path, int& lower, int& upper) {
  if (!rule.contains(key)) return;
  const json& r = rule.at(key);
  const std::string here = path + "/" + key;
  if (!r.is_array() || r.size() != 2) throw JsonError(here, "expected [lower, upper]");
  lower = score_of(r[0], here + "/0");
  upper = score_of(r[1], here + "/1");
  if (lower > upper) throw JsonError(here, "lower is greater than upper");
}
}  // namespace

SegmentTable SegmentTable::from_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw JsonError("", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw JsonError("", "expected an object with \"segments\"");
  for (const auto& [key, value] : doc.items())
    if (key != "segments" && key != "others" && key != "name" && key != "description")
      throw JsonError("/" + key, "unknown key");
  std::string others = "Others";
  if (doc.contains("others")) {
    if (!doc["others"].is_string() || doc["others"].get<std::string>().empty())
      throw JsonError("/others", "expected a non-empty string");
    others = doc["others"].get<std::string>();
  }
  if (!doc.contains("segments") || !doc["segments"].is_array())
    throw JsonError("/segments", "expected an array of segment rules");
  std::vector<SegmentRule> rules;
  std::set<std::string> seen{others};
  const json& segs = doc["segments"];
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string path = "/segments/" + std::to_string(i);
    const json& s = segs[i];
    if (!s.is_object()) throw JsonError(path, "expected an object");
    for (const auto& [key, value] : s.items())
      if (key != "name" && key != "recency" && key != "frequency" && key != "monetary")
        throw JsonError(path + "/" + key, "unknown key (name, recency, frequency, monetary)");
    if (!s.contains("name") || !s["name"].is_string() || s["name"].get<std::string>().empty())
      throw JsonError(path + "/name", "expected a non-empty string");
    SegmentRule rule;
    rule.name = s["name"].get<std::string>();
    if (!seen.insert(rule.name).second) throw JsonError(path + "/name", "duplicate segment name");
    range_of(s, "recency", path, rule.recency_lower, rule.recency_upper);
    range_of(s, "frequency", path, rule.frequency_lower, rule.frequency_upper);
    range_of(s, "monetary", path, rule.monetary_lower, rule.monetary_upper);
    rules.push_back(std::move(rule));
  }
  return SegmentTable(std::move(rules), std::move(others));
}

SegmentTable SegmentTable::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, 0, "cannot open the segment table");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return from_json(ss.str());
  } catch (const JsonError& e) {
    throw JsonError(path + ":" + e.path(), std::string(e.what()).substr(e.path().size() + 2));
  }
}

std::string SegmentTable::to_json() const {
  json segs = json::array();
  for (const auto& r : rules_) {
    json s{{"name", r.name}};
    const auto put = [&](const char* key, int lo, int hi) {
      if (lo != 1 || hi != 99) s[key] = {lo, hi};
    };
    put("recency", r.recency_lower, r.recency_upper);
    put("frequency", r.frequency_lower, r.frequency_upper);
    put("monetary", r.monetary_lower, r.monetary_upper);
    segs.push_back(std::move(s));
  }
  return json{{"others", others_}, {"segments", segs}}.dump(2);
}

std::vector<std::uint16_t> SegmentTable::assign(const RfmScores& scores) const {
  return assign(scores.r, scores.f, scores.m);
}

std::vector<std::uint16_t> SegmentTable::assign(std::span<const std::uint8_t> r, std::span<const std::uint8_t> f,
                                                std::span<const std::uint8_t> m) const {
  if (f.size() != r.size() || m.size() != r.size())
    throw InvalidInput("SegmentTable::assign: score columns differ in length");
  // Customers share few (r, f, m) cells (125 with 5 bins): each cell's
  // segment is found once, by walking the rules, and then looked up.
  constexpr std::uint16_t unknown = 0xFFFF;
  std::uint8_t most = 0;
  for (const auto* column : {&r, &f, &m})
    for (const std::uint8_t x : *column) most = std::max(most, x);
  const std::size_t side = std::size_t{most} + 1;
  std::vector<std::uint16_t> out(r.size());
  if (side * side * side > r.size() || rules_.size() >= unknown) {  // more cells than customers: no table
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint16_t>(assign(r[i], f[i], m[i]));
    return out;
  }
  std::vector<std::uint16_t> cell(side * side * side, unknown);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint16_t& c = cell[(std::size_t{r[i]} * side + f[i]) * side + m[i]];
    if (c == unknown) c = static_cast<std::uint16_t>(assign(r[i], f[i], m[i]));
    out[i] = c;
  }
  return out;
}

}  // namespace leadscore::segment
