// The predictive scorer: features + scorer + calibration; see leadscore/scoring/model.hpp.
#include "leadscore/scoring/model.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "leadscore/core/error.hpp"

namespace leadscore::scoring {
namespace {

// One row of `table` as a table of its own (views, no copies).
TableView row_view(const TableView& table, std::size_t row) {
  if (row >= table.rows())
    throw InvalidInput("row " + std::to_string(row) + " is out of range (" +
                       std::to_string(table.rows()) + " rows)");
  std::vector<ColumnView> cols;
  for (const auto& c : table.columns()) {
    ColumnView v = c;
    if (c.kind == ColumnKind::numeric)
      v.numbers = c.numbers.subspan(row, 1);
    else
      v.codes = c.codes.subspan(row, 1);
    cols.push_back(std::move(v));
  }
  return TableView(std::move(cols));
}

// When every feature is a numeric column passed through unchanged (no
// scaling, clipping, log1p or missing values) and the table's columns lie one
// after another in memory (as in a pandas DataFrame of one float64 block),
// the table already is the column-major design matrix: borrow it instead of
// copying it. Returns nullopt otherwise.
std::optional<Eigen::Map<const Eigen::MatrixXd>> borrowed_design(const FeatureMap& features,
                                                                 const TableView& table) {
  const std::size_t n = table.rows();
  const double* base = nullptr;
  std::size_t j = 0;
  for (const auto& c : features.columns()) {
    const bool identity = c.kind == ColumnKind::numeric && c.width == 1 &&
                          c.spec.scaling == Scaling::none && !c.spec.log1p && !c.has_indicator &&
                          std::isinf(c.clip_low) && std::isinf(c.clip_high);
    const ColumnView* col = table.find(c.name);
    // Missing values are filled: that needs transform().
    if (!identity || col == nullptr || col->kind != ColumnKind::numeric ||
        table.missing_count(*col) > 0)
      return std::nullopt;
    if (j == 0) base = col->numbers.data();
    if (col->numbers.data() != base + j * n) return std::nullopt;
    ++j;
  }
  if (base == nullptr) return std::nullopt;
  return Eigen::Map<const Eigen::MatrixXd>(base, static_cast<Eigen::Index>(n),
                                           static_cast<Eigen::Index>(j));
}

using Design = Eigen::Ref<const Eigen::MatrixXd>;

// The features of `table`: borrowed when they are its memory as it is, else
// transformed into `copy`.
Design design(const FeatureMap& features, const TableView& table, Eigen::MatrixXd& copy) {
  if (const auto borrowed = borrowed_design(features, table)) return Design(*borrowed);
  copy = features.transform(table);
  return Design(copy);
}

}  // namespace

const char* to_string(ModelKind kind) noexcept {
  switch (kind) {
    case ModelKind::logistic:
      return "logistic";
    case ModelKind::naive_bayes:
      return "naive-bayes";
    case ModelKind::weighted:
      return "weighted";
  }
  return "?";
}

ModelKind parse_model_kind(std::string_view name) {
  if (name == "logistic") return ModelKind::logistic;
  if (name == "naive-bayes" || name == "naive_bayes") return ModelKind::naive_bayes;
  if (name == "weighted") return ModelKind::weighted;
  throw InvalidInput("unknown model '" + std::string(name) +
                     "' (logistic, naive-bayes or weighted)");
}

PredictiveModel::PredictiveModel(ModelKind kind, std::optional<FeatureMap> features, Scorer scorer,
                                 Calibrator calibrator, std::string target,
                                 std::string positive_label,
                                 std::vector<std::string> missing_values)
    : kind_(kind),
      features_(std::move(features)),
      scorer_(std::move(scorer)),
      calibrator_(std::move(calibrator)),
      target_(std::move(target)),
      positive_label_(std::move(positive_label)),
      missing_values_(std::move(missing_values)) {
  const bool ok =
      (kind_ == ModelKind::logistic && std::holds_alternative<LogisticModel>(scorer_)) ||
      (kind_ == ModelKind::naive_bayes && std::holds_alternative<NaiveBayesModel>(scorer_)) ||
      (kind_ == ModelKind::weighted && std::holds_alternative<WeightedModel>(scorer_));
  if (!ok) throw InvalidInput("PredictiveModel: the scorer is not of the model's kind");
  if (kind_ != ModelKind::naive_bayes) {
    if (!features_) throw InvalidInput("PredictiveModel: a linear scorer needs its feature map");
    const auto p = static_cast<std::size_t>(
        kind_ == ModelKind::logistic ? std::get<LogisticModel>(scorer_).coefficients().size()
                                     : std::get<WeightedModel>(scorer_).weights().size());
    if (p != features_->size())
      throw InvalidInput("PredictiveModel: the scorer and the feature map differ in size");
  }
  if (kind_ == ModelKind::weighted && std::holds_alternative<std::monostate>(calibrator_))
    throw InvalidInput(
        "PredictiveModel: the weighted scorer needs a calibration for its probabilities");
}

PredictiveModel PredictiveModel::fit(const TableView& table, std::span<const double> y,
                                     const PredictiveConfig& config) {
  FeatureConfig fc = config.features;
  if (!config.target.empty() && table.find(config.target) &&
      std::find(fc.exclude.begin(), fc.exclude.end(), config.target) == fc.exclude.end())
    fc.exclude.push_back(config.target);

  std::optional<FeatureMap> features;
  std::optional<Scorer> scorer;
  std::vector<double> raw(table.rows());
  switch (config.kind) {
    case ModelKind::logistic: {
      features = FeatureMap::fit(table, fc);
      Eigen::MatrixXd copy;
      const Design x = design(*features, table, copy);
      auto m = LogisticModel::fit(x, y, config.logistic);
      if (config.calibration != Calibration::none) m.decision_function(x, raw);
      scorer = std::move(m);
      break;
    }
    case ModelKind::weighted: {
      features = FeatureMap::fit(table, fc);
      const Eigen::MatrixXd x = features->transform(table);
      auto m = WeightedModel::fit(*features, x, config.weighted);
      m.score(x, raw);
      scorer = std::move(m);
      break;
    }
    case ModelKind::naive_bayes: {
      NaiveBayesConfig nb = config.naive_bayes;
      nb.include.insert(nb.include.end(), fc.include.begin(), fc.include.end());
      nb.exclude.insert(nb.exclude.end(), fc.exclude.begin(), fc.exclude.end());
      auto m = NaiveBayesModel::fit(table, y, nb);
      if (config.calibration != Calibration::none) m.log_odds(table, raw);
      scorer = std::move(m);
      break;
    }
  }
  Calibrator calibrator;
  Calibration how = config.calibration;
  if (config.kind == ModelKind::weighted && how == Calibration::none) how = Calibration::platt;
  if (how == Calibration::platt) calibrator = PlattCalibrator::fit(raw, y);
  if (how == Calibration::isotonic) calibrator = IsotonicCalibrator::fit(raw, y);
  return PredictiveModel(config.kind, std::move(features), std::move(*scorer),
                         std::move(calibrator), config.target, config.positive_label,
                         config.missing_values);
}

const FitReport& PredictiveModel::fit_info() const noexcept {
  return std::visit([](const auto& m) -> const FitReport& { return m.fit_info(); }, scorer_);
}

std::vector<std::string> PredictiveModel::input_columns() const {
  std::vector<std::string> out;
  if (features_)
    for (const auto& c : features_->columns()) out.push_back(c.name);
  else
    for (const auto& f : std::get<NaiveBayesModel>(scorer_).fields()) out.push_back(f.name);
  return out;
}

std::vector<std::string> PredictiveModel::numeric_columns() const {
  std::vector<std::string> out;
  if (features_) {
    for (const auto& c : features_->columns())
      if (c.kind == ColumnKind::numeric) out.push_back(c.name);
  } else {
    for (const auto& f : std::get<NaiveBayesModel>(scorer_).fields())
      if (f.kind == ColumnKind::numeric) out.push_back(f.name);
  }
  return out;
}

std::vector<std::string> PredictiveModel::categorical_columns() const {
  std::vector<std::string> all = input_columns(), numeric = numeric_columns(), out;
  for (auto& name : all)
    if (std::find(numeric.begin(), numeric.end(), name) == numeric.end())
      out.push_back(std::move(name));
  return out;
}

void PredictiveModel::raw(const TableView& table, std::span<double> out) const {
  if (out.size() != table.rows())
    throw InvalidInput("PredictiveModel: output has " + std::to_string(out.size()) +
                       " entries for " + std::to_string(table.rows()) + " rows");
  if (kind_ == ModelKind::naive_bayes) {
    std::get<NaiveBayesModel>(scorer_).log_odds(table, out);
    return;
  }
  Eigen::MatrixXd copy;
  const Design x = design(*features_, table, copy);
  if (kind_ == ModelKind::logistic)
    std::get<LogisticModel>(scorer_).decision_function(x, out);
  else
    std::get<WeightedModel>(scorer_).score(x, out);
}

void PredictiveModel::predict_proba(const TableView& table, std::span<double> out) const {
  raw(table, out);
  if (const auto* p = std::get_if<PlattCalibrator>(&calibrator_))
    p->apply(out, out);
  else if (const auto* i = std::get_if<IsotonicCalibrator>(&calibrator_))
    i->apply(out, out);
  else
    for (double& v : out) v = sigmoid(v);
}

std::vector<double> PredictiveModel::predict_proba(const TableView& table) const {
  std::vector<double> out(table.rows());
  predict_proba(table, out);
  return out;
}

void PredictiveModel::score(const TableView& table, std::span<double> out) const {
  if (kind_ == ModelKind::weighted) {
    raw(table, out);
    return;
  }
  predict_proba(table, out);
  for (double& v : out) v *= 100.0;
}

std::vector<Reason> PredictiveModel::contributions(const TableView& one_row) const {
  if (kind_ == ModelKind::naive_bayes)
    return std::get<NaiveBayesModel>(scorer_).contributions(one_row, 0);
  const Eigen::MatrixXd x = features_->transform(one_row);
  const auto& names = features_->names();
  std::vector<Reason> out;
  if (kind_ == ModelKind::logistic) {
    const auto& beta = std::get<LogisticModel>(scorer_).coefficients();
    for (Eigen::Index j = 0; j < beta.size(); ++j)
      if (x(0, j) != 0 && beta[j] != 0)
        out.push_back({names[static_cast<std::size_t>(j)], beta[j] * x(0, j)});
  } else {
    const auto& m = std::get<WeightedModel>(scorer_);
    const double k = 100.0 / (m.high() - m.low());
    for (Eigen::Index j = 0; j < m.weights().size(); ++j)
      if (x(0, j) != 0 && m.weights()[j] != 0)
        out.push_back({names[static_cast<std::size_t>(j)], m.weights()[j] * x(0, j) * k});
  }
  return out;
}

std::vector<Reason> PredictiveModel::reasons(const TableView& table, std::size_t row,
                                             std::size_t k) const {
  std::vector<Reason> all = contributions(row_view(table, row));
  std::vector<Reason> pos, neg;
  for (auto& r : all) (r.contribution > 0 ? pos : neg).push_back(std::move(r));
  std::sort(pos.begin(), pos.end(),
            [](const Reason& a, const Reason& b) { return a.contribution > b.contribution; });
  std::sort(neg.begin(), neg.end(),
            [](const Reason& a, const Reason& b) { return a.contribution < b.contribution; });
  if (pos.size() > k) pos.resize(k);
  if (neg.size() > k) neg.resize(k);
  pos.insert(pos.end(), neg.begin(), neg.end());
  return pos;
}

std::vector<double> cross_validate(const DataTable& table, std::span<const double> y,
                                   const PredictiveConfig& config, int k, std::uint64_t seed) {
  const TableView all = table.view();
  if (y.size() != all.rows())
    throw InvalidInput("cross_validate: targets and rows differ in number");
  std::vector<double> auc;
  for (const Split& s : k_fold(all.rows(), k, seed, y)) {
    const DataTable train = table.take(s.train), test = table.take(s.test);
    std::vector<double> ytr, yte;
    for (std::size_t i : s.train) ytr.push_back(y[i]);
    for (std::size_t i : s.test) yte.push_back(y[i]);
    const PredictiveModel m = PredictiveModel::fit(train.view(), ytr, config);
    auc.push_back(roc_auc(yte, m.predict_proba(test.view())));
  }
  return auc;
}

}  // namespace leadscore::scoring
