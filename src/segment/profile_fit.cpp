// Profile fit; see leadscore/segment/profile_fit.hpp.
#include "leadscore/segment/profile_fit.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "leadscore/core/error.hpp"

namespace leadscore::segment {

ProfileFit profile_fit(const ProfileTable& profiles, std::span<const FitCriterion> target) {
  profiles.validate();
  if (target.empty()) throw InvalidInput("profile_fit: no criteria");
  double total_weight = 0;
  std::vector<const ProfileColumn*> column;
  for (std::size_t k = 0; k < target.size(); ++k) {
    const FitCriterion& c = target[k];
    const std::string where = "profile_fit: criterion " + std::to_string(k) + " ('" + c.field + "')";
    const ProfileColumn* col = profiles.find(c.field);
    if (!col) throw InvalidInput(where + ": no such profile field");
    if (!(c.weight > 0) || !std::isfinite(c.weight)) throw InvalidInput(where + ": weight must be positive");
    if (col->is_numeric() && !c.any_of.empty()) throw InvalidInput(where + ": a numeric field takes min/max, not any_of");
    if (!col->is_numeric() && c.any_of.empty()) throw InvalidInput(where + ": a text field needs any_of");
    if (c.min > c.max || std::isnan(c.min) || std::isnan(c.max)) throw InvalidInput(where + ": min is above max");
    column.push_back(col);
    total_weight += c.weight;
  }
  const std::size_t n = profiles.customer.size();
  ProfileFit out;
  out.score.assign(n, 0.0);
  out.matched.resize(n);
  out.met.assign(target.size(), 0);
  for (std::size_t k = 0; k < target.size(); ++k) {
    const FitCriterion& c = target[k];
    for (std::size_t i = 0; i < n; ++i) {
      bool met = false;
      if (column[k]->is_numeric()) {
        const double v = std::get<0>(column[k]->values)[i];
        met = !std::isnan(v) && v >= c.min && v <= c.max;
      } else {
        const auto& v = std::get<1>(column[k]->values)[i];
        met = v && std::find(c.any_of.begin(), c.any_of.end(), *v) != c.any_of.end();
      }
      if (!met) continue;
      ++out.met[k];
      out.score[i] += c.weight / total_weight;
      out.matched[i] += (out.matched[i].empty() ? "" : ";") + c.field;
    }
  }
  return out;
}

std::vector<FitCriterion> parse_fit_target(std::string_view text) {
  using nlohmann::json;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw JsonError("/", std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw JsonError("/", "expected an object with \"criteria\"");
  for (const auto& [key, value] : doc.items())
    if (key != "criteria" && key != "name" && key != "description") throw JsonError("/" + key, "unknown key");
  if (!doc.contains("criteria") || !doc["criteria"].is_array() || doc["criteria"].empty())
    throw JsonError("/criteria", "expected a non-empty array of criteria");
  std::vector<FitCriterion> out;
  const json& list = doc["criteria"];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "/criteria/" + std::to_string(i);
    const json& c = list[i];
    if (!c.is_object()) throw JsonError(path, "expected an object");
    for (const auto& [key, value] : c.items())
      if (key != "field" && key != "any_of" && key != "min" && key != "max" && key != "weight")
        throw JsonError(path + "/" + key, "unknown key (field, any_of, min, max, weight)");
    FitCriterion f;
    if (!c.contains("field") || !c["field"].is_string() || c["field"].get<std::string>().empty())
      throw JsonError(path + "/field", "expected the name of a profile field");
    f.field = c["field"].get<std::string>();
    const bool text = c.contains("any_of"), numeric = c.contains("min") || c.contains("max");
    if (text == numeric) throw JsonError(path, "give either any_of (text field) or min and/or max (numeric field)");
    if (text) {
      const json& a = c["any_of"];
      if (!a.is_array() || a.empty()) throw JsonError(path + "/any_of", "expected a non-empty array of strings");
      for (std::size_t j = 0; j < a.size(); ++j) {
        if (!a[j].is_string()) throw JsonError(path + "/any_of/" + std::to_string(j), "expected a string");
        f.any_of.push_back(a[j].get<std::string>());
      }
    }
    for (const char* key : {"min", "max", "weight"}) {
      if (!c.contains(key)) continue;
      if (!c[key].is_number() || !std::isfinite(c[key].get<double>()))
        throw JsonError(path + "/" + key, "expected a finite number");
      const double v = c[key].get<double>();
      (key[0] == 'w' ? f.weight : key[1] == 'i' ? f.min : f.max) = v;
    }
    if (f.min > f.max) throw JsonError(path, "min is above max");
    if (!(f.weight > 0)) throw JsonError(path + "/weight", "expected a positive number");
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<FitCriterion> read_fit_target(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, 0, "cannot open the target profile");
  std::ostringstream ss;
  ss << in.rdbuf();
  try {
    return parse_fit_target(ss.str());
  } catch (const JsonError& e) {
    throw JsonError(path + ":" + e.path(), std::string(e.what()).substr(e.path().size() + 2));
  }
}

}  // namespace leadscore::segment
