// Feature preparation; see leadscore/scoring/features.hpp.
#include "leadscore/scoring/features.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>
#include <unordered_map>

#include "../core/parallel.hpp"
#include "leadscore/core/error.hpp"
#include "util.hpp"

namespace leadscore::scoring {
namespace {

using detail::format_number;

const char* kind_name(ColumnKind k) { return k == ColumnKind::numeric ? "numeric" : "categorical"; }

// Clip and log1p: the value before scaling. Throws for log1p of x <= -1.
double pre(const PreparedColumn& c, double x, std::size_t row) {
  x = std::clamp(x, c.clip_low, c.clip_high);
  if (c.spec.log1p) {
    if (!(x > -1.0))
      throw InvalidInput("column '" + c.name + "', row " + std::to_string(row + 1) + ": log1p of " +
                         format_number(x) + " (values must be > -1)");
    x = std::log1p(x);
  }
  return x;
}

void check_spec(const std::string& name, const ColumnSpec& s) {
  if (!(s.clip_quantile >= 0 && s.clip_quantile < 0.5))
    throw InvalidInput("features: column '" + name + "': clip_quantile must be in [0, 0.5)");
  if (s.buckets < 2 || s.buckets > 1000)
    throw InvalidInput("features: column '" + name + "': buckets must be in [2, 1000]");
  if (std::isinf(s.fill_value))
    throw InvalidInput("features: column '" + name + "': fill_value is infinite");
}

PreparedColumn fit_numeric(const ColumnView& col, std::size_t missing, const ColumnSpec& spec) {
  PreparedColumn c;
  c.name = col.name;
  c.kind = ColumnKind::numeric;
  c.spec = spec;
  const std::size_t count = col.numbers.size() - missing;
  const bool any_missing = missing > 0;
  if (count == 0)
    throw InvalidInput("features: column '" + c.name + "' has no value in the training data");
  // Exact quantiles in one streaming pass each, without copying the column.
  if (spec.clip_quantile > 0) {
    c.clip_low = detail::quantile_streaming(col.numbers, count, spec.clip_quantile);
    c.clip_high = detail::quantile_streaming(col.numbers, count, 1 - spec.clip_quantile);
  }
  const double median = detail::quantile_streaming(col.numbers, count, 0.5);
  c.fill = spec.missing == MissingPolicy::fill && spec.fill_value == spec.fill_value
               ? spec.fill_value
               : median;
  c.has_indicator = spec.missing == MissingPolicy::indicator && any_missing;
  (void)pre(c, c.fill, 0);
  if (spec.scaling == Scaling::none) {
    // Only the log1p check needs the values: no copy otherwise.
    for (std::size_t i = 0; spec.log1p && i < col.numbers.size(); ++i)
      if (col.numbers[i] == col.numbers[i]) (void)pre(c, col.numbers[i], i);
    c.width = 1 + (c.has_indicator ? 1 : 0);
    return c;
  }
  std::vector<double> v;
  v.reserve(count);
  for (std::size_t i = 0; i < col.numbers.size(); ++i)
    if (col.numbers[i] == col.numbers[i]) v.push_back(pre(c, col.numbers[i], i));
  switch (spec.scaling) {
    case Scaling::none:
      break;
    case Scaling::standardize: {
      double mean = 0;
      for (double x : v) mean += x;
      mean /= static_cast<double>(v.size());
      double ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      const double sd = std::sqrt(ss / static_cast<double>(v.size()));
      c.center = mean;
      c.scale = sd > 0 ? sd : 1.0;
      break;
    }
    case Scaling::min_max: {
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      c.center = *lo;
      c.scale = *hi > *lo ? *hi - *lo : 1.0;
      break;
    }
    case Scaling::quantile_buckets:
      c.edges = detail::bucket_edges(v, spec.buckets);
      break;
  }
  c.width = (spec.scaling == Scaling::quantile_buckets ? c.edges.size() + 1 : 1) +
            (c.has_indicator ? 1 : 0);
  return c;
}

PreparedColumn fit_categorical(const ColumnView& col, const ColumnSpec& spec) {
  PreparedColumn c;
  c.name = col.name;
  c.kind = ColumnKind::categorical;
  c.spec = spec;
  std::vector<std::size_t> count(col.levels.size(), 0);
  bool any_missing = false;
  for (std::int32_t code : col.codes) {
    if (code < 0)
      any_missing = true;
    else
      ++count[static_cast<std::size_t>(code)];
  }
  std::vector<std::size_t> order;
  for (std::size_t l = 0; l < count.size(); ++l) {
    if (count[l] == 0) continue;
    if (count[l] >= std::max<std::size_t>(spec.min_count, 1))
      order.push_back(l);
    else
      c.has_other = true;
  }
  // Most frequent first, then by name: a stable, readable order.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return count[a] != count[b] ? count[a] > count[b] : col.levels[a] < col.levels[b];
  });
  for (std::size_t l : order) c.levels.push_back(col.levels[l]);
  if (c.levels.empty() && !c.has_other)
    throw InvalidInput("features: column '" + c.name + "' has no value in the training data");
  c.has_indicator = spec.missing == MissingPolicy::indicator && any_missing;
  c.width = c.levels.size() + (c.has_other ? 1 : 0) + (c.has_indicator ? 1 : 0);
  return c;
}

}  // namespace

std::vector<std::string> selected_columns(const TableView& table,
                                          const std::vector<std::string>& include,
                                          const std::vector<std::string>& exclude) {
  for (const auto& name : include) (void)table.column(name);
  for (const auto& name : exclude) (void)table.column(name);
  std::vector<std::string> out;
  for (const auto& c : table.columns()) {
    if (!include.empty() && std::find(include.begin(), include.end(), c.name) == include.end())
      continue;
    if (std::find(exclude.begin(), exclude.end(), c.name) != exclude.end()) continue;
    out.push_back(c.name);
  }
  return out;
}

FeatureMap FeatureMap::fit(const TableView& table, const FeatureConfig& config) {
  if (table.rows() == 0) throw InvalidInput("features: the training table has no rows");
  for (const auto& [name, spec] : config.columns) {
    (void)table.column(name);
    check_spec(name, spec);
  }
  check_spec("(defaults)", config.defaults);
  const std::vector<std::string> names = selected_columns(table, config.include, config.exclude);
  if (names.empty()) throw InvalidInput("features: no column is left to use");
  // Columns are independent: fit them on all cores when the table is large
  // (over a million values). The first error (in column order) is thrown.
  std::vector<PreparedColumn> columns(names.size());
  const bool large = table.rows() * names.size() >= (std::size_t{1} << 20);
  leadscore::detail::parallel_for(
      names.size(), large ? leadscore::detail::hardware_threads() : 1, [&](std::size_t k) {
        const ColumnView& col = table.column(names[k]);
        const auto it = config.columns.find(names[k]);
        const ColumnSpec& spec = it != config.columns.end() ? it->second : config.defaults;
        columns[k] = col.kind == ColumnKind::numeric
                         ? fit_numeric(col, table.missing_count(col), spec)
                         : fit_categorical(col, spec);
      });
  return from_columns(std::move(columns));
}

FeatureMap FeatureMap::from_columns(std::vector<PreparedColumn> columns) {
  FeatureMap m;
  std::size_t first = 0;
  for (auto& c : columns) {
    c.first = first;
    if (c.kind == ColumnKind::numeric) {
      if (c.spec.scaling == Scaling::quantile_buckets)
        for (std::size_t b = 0; b <= c.edges.size(); ++b)
          m.names_.push_back(detail::bucket_name(c.name, c.edges, b));
      else
        m.names_.push_back(c.name);
      if (c.has_indicator) m.names_.push_back(c.name + " (missing)");
    } else {
      for (const auto& level : c.levels) m.names_.push_back(c.name + " = " + level);
      if (c.has_other) m.names_.push_back(c.name + " = (other)");
      if (c.has_indicator) m.names_.push_back(c.name + " = (missing)");
    }
    c.width = m.names_.size() - first;
    first = m.names_.size();
  }
  m.columns_ = std::move(columns);
  return m;
}

Eigen::MatrixXd FeatureMap::transform(const TableView& table) const {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(table.rows()), static_cast<Eigen::Index>(size()));
  transform(table, out);
  return out;
}

void FeatureMap::transform(const TableView& table, Eigen::Ref<Eigen::MatrixXd> out) const {
  const std::size_t n = table.rows();
  if (static_cast<std::size_t>(out.rows()) != n || static_cast<std::size_t>(out.cols()) != size())
    throw InvalidInput("features: output is " + std::to_string(out.rows()) + " x " +
                       std::to_string(out.cols()) + ", expected " + std::to_string(n) + " x " +
                       std::to_string(size()));
  for (const auto& c : columns_) {
    const ColumnView& col = table.column(c.name);
    if (col.kind != c.kind)
      throw InvalidInput("column '" + c.name + "' is " + kind_name(col.kind) + " but was " +
                         kind_name(c.kind) + " in training");
    const auto first = static_cast<Eigen::Index>(c.first);
    out.middleCols(first, static_cast<Eigen::Index>(c.width)).setZero();
    if (c.kind == ColumnKind::numeric) {
      const double filled = pre(c, c.fill, 0);
      const bool buckets = c.spec.scaling == Scaling::quantile_buckets;
      const Eigen::Index indicator = first + static_cast<Eigen::Index>(c.width) - 1;
      if (!buckets && !c.spec.log1p) {
        // The common case in one tight loop over the column.
        const double center = c.spec.scaling == Scaling::none ? 0.0 : c.center;
        const double inv = c.spec.scaling == Scaling::none ? 1.0 : 1.0 / c.scale;
        const bool unit = c.spec.scaling == Scaling::min_max;
        double* dst = out.col(first).data();
        const double* src = col.numbers.data();
        for (std::size_t i = 0; i < n; ++i) {
          const double raw = src[i];
          double z =
              ((raw == raw ? std::clamp(raw, c.clip_low, c.clip_high) : filled) - center) * inv;
          dst[i] = unit ? std::clamp(z, 0.0, 1.0) : z;
          if (raw != raw && c.has_indicator) out(static_cast<Eigen::Index>(i), indicator) = 1.0;
        }
        continue;
      }
      for (std::size_t i = 0; i < n; ++i) {
        const double raw = col.numbers[i];
        const bool missing = raw != raw;
        const auto r = static_cast<Eigen::Index>(i);
        if (missing && c.has_indicator) out(r, indicator) = 1.0;
        const double x = missing ? filled : pre(c, raw, i);
        if (buckets) {
          if (!(missing && c.has_indicator))
            out(r, first + static_cast<Eigen::Index>(detail::bucket_of(c.edges, x))) = 1.0;
        } else {
          double z = (x - c.center) / c.scale;
          if (c.spec.scaling == Scaling::none) z = x;
          if (c.spec.scaling == Scaling::min_max) z = std::clamp(z, 0.0, 1.0);
          out(r, first) = z;
        }
      }
    } else {
      // This table's level codes -> feature offsets (-1: no feature).
      std::unordered_map<std::string_view, long> known;
      for (std::size_t l = 0; l < c.levels.size(); ++l)
        known.emplace(c.levels[l], static_cast<long>(l));
      const long other = c.has_other ? static_cast<long>(c.levels.size()) : -1;
      std::vector<long> offset(col.levels.size());
      for (std::size_t l = 0; l < col.levels.size(); ++l) {
        const auto it = known.find(col.levels[l]);
        offset[l] = it != known.end() ? it->second : other;
      }
      const long missing = c.has_indicator ? static_cast<long>(c.width) - 1 : -1;
      for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t code = col.codes[i];
        const long o = code < 0 ? missing : offset[static_cast<std::size_t>(code)];
        if (o >= 0) out(static_cast<Eigen::Index>(i), first + o) = 1.0;
      }
    }
  }
}

}  // namespace leadscore::scoring
