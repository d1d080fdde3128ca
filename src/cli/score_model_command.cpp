// leadscore score train | apply | evaluate: scorers learned from won/lost
// history (logistic regression, the naive-Bayes frequency scorer, weighted
// points), saved to a model file, applied with reasons and evaluated.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/scoring/archive.hpp"

namespace leadscore::cli {
namespace {

using namespace leadscore::scoring;
using nlohmann::json;

struct DataOptions {
  std::string file;
  std::string delimiter = ",";
  std::vector<std::string> missing_values;
};

void add_data_options(CLI::App& cmd, DataOptions& d) {
  cmd.add_option("--data", d.file, "Input table (CSV) with a header row")
      ->required()
      ->type_name("FILE");
  cmd.add_option("--delimiter", d.delimiter, "Field separator: a character or 'tab'")
      ->capture_default_str();
}

struct TrainOptions {
  DataOptions data;
  std::string target, positive, model, out, weights, scaling = "auto", missing = "indicator",
                                                     calibration = "none", solver = "newton";
  std::vector<std::string> exclude, include, log1p;
  double l2 = 1.0, l1 = 0.0, clip_quantile = 0.0, alpha = 1.0;
  std::size_t min_count = 10;
  int buckets = 10;
  bool balanced = false, json = false;
};

struct ApplyOptions {
  DataOptions data;
  std::string model, out, id_col;
  std::size_t reasons = 3;
};

struct EvaluateOptions {
  DataOptions data;
  std::string model, target, positive;
  bool json = false;
};

std::vector<std::string> all_missing(const DataOptions& d) {
  std::vector<std::string> v = ReadTableOptions{}.missing_values;
  v.insert(v.end(), d.missing_values.begin(), d.missing_values.end());
  return v;
}

CsvOptions csv(const DataOptions& d) {
  CsvOptions o;
  o.delimiter = CsvOptions::parse_delimiter(d.delimiter);
  return o;
}

Scaling parse_scaling(const std::string& s, ModelKind kind) {
  if (s == "auto") return kind == ModelKind::weighted ? Scaling::min_max : Scaling::standardize;
  if (s == "standardize") return Scaling::standardize;
  if (s == "min-max") return Scaling::min_max;
  if (s == "none") return Scaling::none;
  return Scaling::quantile_buckets;
}

std::map<std::string, double> read_weights(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParseError(path, 0, 0, "cannot open the weights file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ParseError(path, 0, 0, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_object())
    throw JsonError(path + ": /", "weights must be an object {\"feature\": weight, ...}");
  std::map<std::string, double> w;
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_number())
      throw JsonError(path + ": " + (json::json_pointer() / key).to_string(),
                      "a weight must be a number");
    w[key] = value.get<double>();
  }
  return w;
}

json report_json(const PredictiveModel& m) {
  const FitReport& f = m.fit_info();
  json j{{"model", to_string(m.kind())},
         {"target", m.target()},
         {"positive", m.positive_label()},
         {"rows", f.rows},
         {"solver", f.solver},
         {"converged", f.converged},
         {"iterations", f.iterations},
         {"passes", f.passes},
         {"loss", f.loss},
         {"gradient_norm", f.gradient_norm},
         {"seconds", f.seconds},
         {"columns", m.input_columns()}};
  if (m.features()) {
    json coef = json::object();
    const auto& names = m.features()->names();
    const Eigen::VectorXd& beta = m.kind() == ModelKind::logistic
                                      ? std::get<LogisticModel>(m.scorer()).coefficients()
                                      : std::get<WeightedModel>(m.scorer()).weights();
    for (std::size_t k = 0; k < names.size(); ++k)
      coef[names[k]] = beta[static_cast<Eigen::Index>(k)];
    j["features"] = names.size();
    j[m.kind() == ModelKind::logistic ? "coefficients" : "weights"] = coef;
    if (m.kind() == ModelKind::logistic)
      j["intercept"] = std::get<LogisticModel>(m.scorer()).intercept();
  }
  return j;
}

int run_train(const TrainOptions& o) {
  PredictiveConfig c;
  c.kind = parse_model_kind(o.model);
  c.target = o.target;
  c.missing_values = o.data.missing_values;
  ReadTableOptions read;
  read.missing_values = all_missing(o.data);
  const DataTable table = read_table(o.data.file, csv(o.data), read);
  const TableView view = table.view();
  const ColumnView& target = view.column(o.target);
  const std::optional<std::string> positive =
      o.positive.empty() ? std::nullopt : std::optional(o.positive);
  const std::vector<double> y = binary_target(target, positive);
  c.positive_label = positive_label(target, positive);
  c.features.include = o.include;
  c.features.exclude = o.exclude;
  c.features.defaults.scaling = parse_scaling(o.scaling, c.kind);
  c.features.defaults.clip_quantile = o.clip_quantile;
  c.features.defaults.min_count = o.min_count;
  c.features.defaults.buckets = o.buckets;
  c.features.defaults.missing =
      o.missing == "fill" ? MissingPolicy::fill : MissingPolicy::indicator;
  for (const auto& name : o.log1p) {
    ColumnSpec spec = c.features.defaults;
    spec.log1p = true;
    c.features.columns[name] = spec;
  }
  c.logistic.l2 = o.l2;
  c.logistic.l1 = o.l1;
  c.logistic.balanced = o.balanced;
  c.logistic.solver = o.solver == "lbfgs" ? Solver::lbfgs : Solver::newton;
  c.naive_bayes.alpha = o.alpha;
  c.naive_bayes.buckets = o.buckets;
  if (c.kind == ModelKind::weighted) {
    if (o.weights.empty())
      throw InvalidInput("score train --model weighted needs --weights FILE (JSON)");
    c.weighted.weights = read_weights(o.weights);
  }
  c.calibration = o.calibration == "platt"      ? Calibration::platt
                  : o.calibration == "isotonic" ? Calibration::isotonic
                                                : Calibration::none;
  const PredictiveModel model = PredictiveModel::fit(view, y, c);
  json j = report_json(model);
  j["train_auc"] = roc_auc(y, model.predict_proba(view));
  if (!o.out.empty()) save(model, o.out);
  if (o.json) {
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << fmt::format(
        "model       {}\ntarget      {} (positive: {})\nrows        {}\nsolver      {}\n"
        "converged   {}\niterations  {}\nloss        {:.6g}\ntrain AUC   {:.4f}\nseconds     "
        "{:.3f}\n",
        j["model"].get<std::string>(), o.target, model.positive_label(), model.fit_info().rows,
        model.fit_info().solver, model.fit_info().converged, model.fit_info().iterations,
        model.fit_info().loss, j["train_auc"].get<double>(), model.fit_info().seconds);
  }
  return 0;
}

// Reads what the model needs (and `extra` columns) from a file, typed as in training.
DataTable read_for(const PredictiveModel& m, const DataOptions& d,
                   const std::vector<std::string>& extra) {
  ReadTableOptions read;
  read.missing_values = all_missing(d);
  read.missing_values.insert(read.missing_values.end(), m.missing_values().begin(),
                             m.missing_values().end());
  for (const auto& c : m.numeric_columns()) read.numeric.insert(c);
  for (const auto& c : m.categorical_columns()) read.categorical.insert(c);
  for (const auto& c : m.input_columns()) read.only.insert(c);
  for (const auto& c : extra) read.only.insert(c);
  return read_table(d.file, csv(d), read);
}

int run_apply(const ApplyOptions& o) {
  const PredictiveModel model = load_predictive(o.model);
  std::vector<std::string> extra;
  if (!o.id_col.empty()) extra.push_back(o.id_col);
  const DataTable table = read_for(model, o.data, extra);
  const TableView view = table.view();
  std::vector<double> p(view.rows()), score(view.rows());
  model.predict_proba(view, p);
  model.score(view, score);
  const ColumnView* id = o.id_col.empty() ? nullptr : &view.column(o.id_col);
  std::string out = "id,probability,score,top_reasons\n";
  for (std::size_t i = 0; i < view.rows(); ++i) {
    std::string reasons;
    for (const Reason& r : model.reasons(view, i, o.reasons))
      reasons +=
          fmt::format("{}{} ({:+.2f})", reasons.empty() ? "" : "; ", r.feature, r.contribution);
    out += fmt::format("{},{},{:.2f},{}\n", csv_field(id ? id->text(i) : std::to_string(i + 1)),
                       number(p[i]), score[i], csv_field(reasons));
  }
  write_output(o.out, out);
  return 0;
}

int run_evaluate(const EvaluateOptions& o) {
  const PredictiveModel model = load_predictive(o.model);
  const std::string target = o.target.empty() ? model.target() : o.target;
  if (target.empty()) throw InvalidInput("the model names no target column: give --target");
  const DataTable table = read_for(model, o.data, {target});
  const TableView view = table.view();
  const std::optional<std::string> positive = !o.positive.empty() ? std::optional(o.positive)
                                              : !o.target.empty()
                                                  ? std::nullopt
                                                  : std::optional(model.positive_label());
  const std::vector<double> y = binary_target(view.column(target), positive);
  const auto p = model.predict_proba(view);
  const Evaluation e = evaluate(y, p);
  json lift = json::array(), cal = json::array();
  for (const auto& r : e.lift)
    lift.push_back({{"decile", r.group},
                    {"rows", r.count},
                    {"positives", r.positives},
                    {"rate", r.rate},
                    {"lift", r.lift},
                    {"cumulative_gain", r.cumulative_gain},
                    {"cumulative_lift", r.cumulative_lift},
                    {"min_probability", r.min_score},
                    {"max_probability", r.max_score}});
  for (const auto& r : e.calibration)
    cal.push_back({{"low", r.low},
                   {"high", r.high},
                   {"rows", r.count},
                   {"mean_predicted", r.mean_predicted},
                   {"observed_rate", r.observed_rate}});
  const json j{{"model", to_string(model.kind())},
               {"rows", e.rows},
               {"base_rate", e.base_rate},
               {"auc", e.auc},
               {"log_loss", e.log_loss},
               {"brier", e.brier},
               {"lift", lift},
               {"calibration", cal}};
  if (o.json) {
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << fmt::format("rows {}  base rate {:.4f}  AUC {:.4f}  log loss {:.4f}  Brier {:.4f}\n",
                           e.rows, e.base_rate, e.auc, e.log_loss, e.brier);
  std::cout << "decile  rows  rate    lift  cum.gain\n";
  for (const auto& r : e.lift)
    std::cout << fmt::format("{:>6}  {:>4}  {:.3f}  {:.2f}  {:.3f}\n", r.group, r.count, r.rate,
                             r.lift, r.cumulative_gain);
  return 0;
}

}  // namespace

void add_score_model_commands(CLI::App& score, std::vector<Runner>& runners) {
  auto t = std::make_shared<TrainOptions>();
  auto* train = score.add_subcommand("train", "Learn a scorer from won/lost history");
  add_data_options(*train, t->data);
  train
      ->add_option("--target", t->target,
                   "Outcome column: 0/1, true/false, yes/no, or see --positive")
      ->required();
  train->add_option("--positive", t->positive, "The target value that counts as won (or churned)");
  train->add_option("--model", t->model, "Scorer to learn")
      ->required()
      ->check(CLI::IsMember({"logistic", "naive-bayes", "weighted"}));
  train->add_option("--exclude", t->exclude, "Columns never used (ids, leaky fields)")
      ->delimiter(',');
  train->add_option("--include", t->include, "Use only these columns")->delimiter(',');
  train
      ->add_option("--missing-values", t->data.missing_values,
                   "Extra field texts meaning missing (e.g. Select)")
      ->delimiter(',');
  train
      ->add_option("--scaling", t->scaling,
                   "Numeric columns: auto (logistic: standardize; weighted: min-max), "
                   "standardize, min-max, none, quantile-buckets")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "standardize", "min-max", "none", "quantile-buckets"}));
  train->add_option("--log1p", t->log1p, "Numeric columns to take log1p of first")->delimiter(',');
  train
      ->add_option("--clip-quantile", t->clip_quantile,
                   "Clip numbers to the [q, 1-q] training quantiles")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.49));
  train->add_option("--buckets", t->buckets, "Quantile buckets (quantile-buckets, naive-bayes)")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  train->add_option("--min-count", t->min_count, "Rarer categorical levels share '(other)'")
      ->capture_default_str();
  train
      ->add_option("--missing", t->missing,
                   "Missing values: indicator (a flag feature) or fill (the median)")
      ->capture_default_str()
      ->check(CLI::IsMember({"indicator", "fill"}));
  train->add_option("--l2", t->l2, "L2 penalty (scikit-learn's C = 1/l2)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  train->add_option("--l1", t->l1, "L1 penalty")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  train->add_flag("--balanced", t->balanced, "Weight classes by n / (2 n_class)");
  train->add_option("--solver", t->solver, "newton or lbfgs")
      ->capture_default_str()
      ->check(CLI::IsMember({"newton", "lbfgs"}));
  train->add_option("--alpha", t->alpha, "naive-bayes: additive smoothing")->capture_default_str();
  train->add_option("--weights", t->weights, "weighted: JSON object {\"feature\": weight}")
      ->type_name("FILE");
  train->add_option("--calibration", t->calibration, "none, platt or isotonic")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "platt", "isotonic"}));
  train->add_option("--out", t->out, "Save the model to this file")->type_name("FILE");
  train->add_flag("--json", t->json, "Print the fit as JSON");

  auto a = std::make_shared<ApplyOptions>();
  auto* apply =
      score.add_subcommand("apply", "Score a table: id, probability, score 0-100, top reasons");
  apply->add_option("--model", a->model, "A model saved by `score train --out`")
      ->required()
      ->type_name("FILE");
  add_data_options(*apply, a->data);
  apply->add_option("--missing-values", a->data.missing_values, "Extra field texts meaning missing")
      ->delimiter(',');
  apply->add_option("--id-col", a->id_col, "Column to copy as the id (default: row number from 1)");
  apply->add_option("--reasons", a->reasons, "Top positive and top negative reasons per row")
      ->capture_default_str();
  apply->add_option("--out", a->out, "Output CSV (stdout when absent)")->type_name("FILE");

  auto e = std::make_shared<EvaluateOptions>();
  auto* evaluate_cmd =
      score.add_subcommand("evaluate", "AUC, log loss, Brier score, lift by decile on a table");
  evaluate_cmd->add_option("--model", e->model, "A model saved by `score train --out`")
      ->required()
      ->type_name("FILE");
  add_data_options(*evaluate_cmd, e->data);
  evaluate_cmd
      ->add_option("--missing-values", e->data.missing_values, "Extra field texts meaning missing")
      ->delimiter(',');
  evaluate_cmd->add_option("--target", e->target, "Outcome column (default: the training target)");
  evaluate_cmd->add_option("--positive", e->positive, "The target value that counts as won");
  evaluate_cmd->add_flag("--json", e->json, "Print the evaluation as JSON");

  runners.push_back({train, [t] { return run_train(*t); }});
  runners.push_back({apply, [a] { return run_apply(*a); }});
  runners.push_back({evaluate_cmd, [e] { return run_evaluate(*e); }});
}

}  // namespace leadscore::cli
