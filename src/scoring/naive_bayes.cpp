// The frequency (naive-Bayes) scorer; see leadscore/scoring/naive_bayes.hpp.
#include "leadscore/scoring/naive_bayes.hpp"

#include <chrono>
#include <cmath>
#include <unordered_map>

#include "leadscore/core/error.hpp"
#include "leadscore/scoring/features.hpp"
#include "leadscore/scoring/logistic.hpp"
#include "util.hpp"

namespace leadscore::scoring {

NaiveBayesModel::NaiveBayesModel(std::vector<NaiveBayesField> fields, double won, double lost,
                                 double alpha, FitReport report)
    : fields_(std::move(fields)),
      won_(won),
      lost_(lost),
      alpha_(alpha),
      report_(std::move(report)) {
  if (!(alpha_ > 0) || std::isinf(alpha_))
    throw InvalidInput("NaiveBayesModel: alpha must be a finite number > 0");
  if (!(won_ >= 0) || !(lost_ >= 0)) throw InvalidInput("NaiveBayesModel: counts must be >= 0");
  for (const auto& f : fields_) {
    const std::size_t k = f.values.size();
    if (f.won.size() != k || f.lost.size() != k)
      throw InvalidInput("NaiveBayesModel: field '" + f.name + "' has counts for " +
                         std::to_string(f.won.size()) + " of its " + std::to_string(k) + " values");
    if (f.kind == ColumnKind::numeric && k != f.edges.size() + 1)
      throw InvalidInput("NaiveBayesModel: field '" + f.name +
                         "' has buckets that do not match its edges");
  }
  if (report_.solver.empty()) report_.solver = "counts";
  report_.rows = static_cast<std::size_t>(won_ + lost_);
}

NaiveBayesModel NaiveBayesModel::fit(const TableView& table, std::span<const double> y,
                                     const NaiveBayesConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  detail::check_targets(y, table.rows(), "NaiveBayesModel::fit");
  if (config.buckets < 2 || config.buckets > 1000)
    throw InvalidInput("NaiveBayesModel::fit: buckets must be in [2, 1000]");
  std::vector<NaiveBayesField> fields;
  for (const auto& name : selected_columns(table, config.include, config.exclude)) {
    const ColumnView& c = table.column(name);
    NaiveBayesField f;
    f.name = name;
    f.kind = c.kind;
    if (c.kind == ColumnKind::numeric) {
      std::vector<double> v;
      for (double x : c.numbers)
        if (x == x) v.push_back(x);
      f.edges = detail::bucket_edges(std::move(v), config.buckets);
      for (std::size_t b = 0; b <= f.edges.size(); ++b)
        f.values.push_back(detail::bucket_name(name, f.edges, b));
      f.won.assign(f.values.size(), 0.0);
      f.lost.assign(f.values.size(), 0.0);
    }
    fields.push_back(std::move(f));
  }
  if (fields.empty()) throw InvalidInput("NaiveBayesModel::fit: no field is left to use");
  NaiveBayesModel m(std::move(fields), 0, 0, config.alpha);
  m.count(table, y);
  m.report_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return m;
}

std::vector<const ColumnView*> NaiveBayesModel::bind(const TableView& table) const {
  std::vector<const ColumnView*> cols;
  for (const auto& f : fields_) {
    const ColumnView& c = table.column(f.name);
    if (c.kind != f.kind)
      throw InvalidInput(std::string("column '") + f.name + "' is " +
                         (c.kind == ColumnKind::numeric ? "numeric" : "categorical") + " but was " +
                         (f.kind == ColumnKind::numeric ? "numeric" : "categorical") +
                         " in training");
    cols.push_back(&c);
  }
  return cols;
}

void NaiveBayesModel::count(const TableView& table, std::span<const double> y) {
  if (y.size() != table.rows())
    throw InvalidInput("NaiveBayesModel: " + std::to_string(y.size()) + " outcomes for " +
                       std::to_string(table.rows()) + " rows");
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] != 0.0 && y[i] != 1.0)
      throw InvalidInput("NaiveBayesModel: outcome of row " + std::to_string(i + 1) +
                         " is not 0 or 1");
  const auto cols = bind(table);
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    NaiveBayesField& f = fields_[k];
    const ColumnView& c = *cols[k];
    std::vector<long> index;  // categorical: table level -> value index (added on first use)
    if (f.kind == ColumnKind::categorical) {
      std::unordered_map<std::string_view, long> known;
      for (std::size_t v = 0; v < f.values.size(); ++v)
        known.emplace(f.values[v], static_cast<long>(v));
      index.resize(c.levels.size());
      for (std::size_t l = 0; l < c.levels.size(); ++l) {
        const auto it = known.find(c.levels[l]);
        index[l] = it != known.end() ? it->second : -1;
      }
    }
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (c.missing(i)) continue;
      long v;
      if (f.kind == ColumnKind::numeric) {
        v = static_cast<long>(detail::bucket_of(f.edges, c.numbers[i]));
      } else {
        long& slot = index[static_cast<std::size_t>(c.codes[i])];
        if (slot < 0) {
          slot = static_cast<long>(f.values.size());
          f.values.push_back(c.levels[static_cast<std::size_t>(c.codes[i])]);
          f.won.push_back(0);
          f.lost.push_back(0);
        }
        v = slot;
      }
      if (y[i] == 1.0) {
        f.won[static_cast<std::size_t>(v)] += 1;
        f.won_total += 1;
      } else {
        f.lost[static_cast<std::size_t>(v)] += 1;
        f.lost_total += 1;
      }
    }
  }
  for (double v : y) (v == 1.0 ? won_ : lost_) += 1;
  report_.rows = static_cast<std::size_t>(won_ + lost_);
}

NaiveBayesModel NaiveBayesModel::with_outcomes(const TableView& table,
                                               std::span<const double> y) const {
  NaiveBayesModel m = *this;
  m.count(table, y);
  return m;
}

NaiveBayesModel NaiveBayesModel::rebuilt(const TableView& table, std::span<const double> y) const {
  NaiveBayesModel m = *this;
  m.won_ = m.lost_ = 0;
  for (auto& f : m.fields_) {
    f.won.assign(f.values.size(), 0.0);
    f.lost.assign(f.values.size(), 0.0);
    f.won_total = f.lost_total = 0;
  }
  m.count(table, y);
  return m;
}

long NaiveBayesModel::value_index(const NaiveBayesField& f, const ColumnView& c,
                                  std::size_t row) const {
  if (c.missing(row)) return -1;
  if (f.kind == ColumnKind::numeric)
    return static_cast<long>(detail::bucket_of(f.edges, c.numbers[row]));
  const std::string& level = c.levels[static_cast<std::size_t>(c.codes[row])];
  for (std::size_t v = 0; v < f.values.size(); ++v)
    if (f.values[v] == level) return static_cast<long>(v);
  return -1;  // never seen in training: skipped like a missing value
}

double NaiveBayesModel::ratio(const NaiveBayesField& f, long v) const {
  const auto k = static_cast<double>(f.values.size());
  const auto u = static_cast<std::size_t>(v);
  return std::log((f.won[u] + alpha_) / (f.won_total + alpha_ * k)) -
         std::log((f.lost[u] + alpha_) / (f.lost_total + alpha_ * k));
}

void NaiveBayesModel::log_odds(const TableView& table, std::span<double> out) const {
  if (out.size() != table.rows())
    throw InvalidInput("NaiveBayesModel: output has " + std::to_string(out.size()) +
                       " entries for " + std::to_string(table.rows()) + " rows");
  const double prior = std::log((won_ + alpha_) / (lost_ + alpha_));
  std::fill(out.begin(), out.end(), prior);
  const auto cols = bind(table);
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    const NaiveBayesField& f = fields_[k];
    const ColumnView& c = *cols[k];
    // Per field, the log ratio of each value once; rows then look it up.
    std::vector<double> r(f.values.size());
    for (std::size_t v = 0; v < r.size(); ++v) r[v] = ratio(f, static_cast<long>(v));
    if (f.kind == ColumnKind::numeric) {
      for (std::size_t i = 0; i < out.size(); ++i)
        if (!c.missing(i)) out[i] += r[detail::bucket_of(f.edges, c.numbers[i])];
    } else {
      std::unordered_map<std::string_view, std::size_t> known;
      for (std::size_t v = 0; v < f.values.size(); ++v) known.emplace(f.values[v], v);
      std::vector<double> by_level(c.levels.size(), 0.0);
      for (std::size_t l = 0; l < c.levels.size(); ++l) {
        const auto it = known.find(c.levels[l]);
        if (it != known.end()) by_level[l] = r[it->second];
      }
      for (std::size_t i = 0; i < out.size(); ++i)
        if (c.codes[i] >= 0) out[i] += by_level[static_cast<std::size_t>(c.codes[i])];
    }
  }
}

void NaiveBayesModel::predict_proba(const TableView& table, std::span<double> out) const {
  log_odds(table, out);
  for (double& v : out) v = sigmoid(v);
}

std::vector<Reason> NaiveBayesModel::contributions(const TableView& table, std::size_t row) const {
  if (row >= table.rows())
    throw InvalidInput("NaiveBayesModel: row " + std::to_string(row) + " is out of range");
  const auto cols = bind(table);
  std::vector<Reason> out;
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    const NaiveBayesField& f = fields_[k];
    const long v = value_index(f, *cols[k], row);
    if (v < 0) continue;
    const std::string name = f.kind == ColumnKind::numeric
                                 ? f.values[static_cast<std::size_t>(v)]
                                 : f.name + " = " + f.values[static_cast<std::size_t>(v)];
    out.push_back({name, ratio(f, v)});
  }
  return out;
}

}  // namespace leadscore::scoring
