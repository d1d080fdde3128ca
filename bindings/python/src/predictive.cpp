// leadscore._core predictive scoring: tables arrive as a list of columns
// (name, float64 numbers) or (name, int32 codes, levels); numeric buffers
// and codes are viewed, not copied. Models pickle through their saved bytes.

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>

#include "arrays.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/scoring/archive.hpp"

namespace leadscore::python {
namespace {

using namespace nb::literals;
using namespace leadscore::scoring;

// Keeps the level strings of a table alive while its view is used.
struct Table {
  std::vector<std::unique_ptr<std::vector<std::string>>> levels;
  TableView view;
};

// columns: a list of (name, numbers) or (name, codes, levels).
Table make_table(const nb::list& columns) {
  Table t;
  std::vector<ColumnView> views;
  for (nb::handle item : columns) {
    const nb::tuple tup = nb::cast<nb::tuple>(item);
    ColumnView c;
    c.name = nb::cast<std::string>(tup[0]);
    if (tup.size() == 2) {
      const auto a = nb::cast<InArray<double>>(tup[1]);
      c.kind = ColumnKind::numeric;
      c.numbers = view(a);
    } else if (tup.size() == 3) {
      const auto a = nb::cast<InArray<std::int32_t>>(tup[1]);
      c.kind = ColumnKind::categorical;
      c.codes = view(a);
      t.levels.push_back(
          std::make_unique<std::vector<std::string>>(nb::cast<std::vector<std::string>>(tup[2])));
      c.levels = *t.levels.back();
    } else {
      throw InvalidInput("column '" + c.name +
                         "': expected (name, numbers) or (name, codes, levels)");
    }
    views.push_back(std::move(c));
  }
  t.view = TableView(std::move(views));
  return t;
}

template <class E>
E pick(const std::string& value, std::initializer_list<std::pair<const char*, E>> options,
       const char* what) {
  std::string known;
  for (const auto& [name, e] : options) {
    if (value == name) return e;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  throw InvalidInput(std::string(what) + " must be one of " + known + ", not '" + value + "'");
}

ColumnSpec column_spec(const nb::dict& d) {
  ColumnSpec s;
  if (d.contains("scaling"))
    s.scaling = pick<Scaling>(nb::cast<std::string>(d["scaling"]),
                              {{"standardize", Scaling::standardize},
                               {"min_max", Scaling::min_max},
                               {"none", Scaling::none},
                               {"quantile_buckets", Scaling::quantile_buckets}},
                              "scaling");
  if (d.contains("log1p")) s.log1p = nb::cast<bool>(d["log1p"]);
  if (d.contains("clip_quantile")) s.clip_quantile = nb::cast<double>(d["clip_quantile"]);
  if (d.contains("buckets")) s.buckets = nb::cast<int>(d["buckets"]);
  if (d.contains("missing"))
    s.missing = pick<MissingPolicy>(
        nb::cast<std::string>(d["missing"]),
        {{"indicator", MissingPolicy::indicator}, {"fill", MissingPolicy::fill}}, "missing");
  if (d.contains("fill_value") && !d["fill_value"].is_none())
    s.fill_value = nb::cast<double>(d["fill_value"]);
  if (d.contains("min_count")) s.min_count = nb::cast<std::size_t>(d["min_count"]);
  return s;
}

PredictiveConfig make_config(const nb::dict& d) {
  PredictiveConfig c;
  c.kind = parse_model_kind(nb::cast<std::string>(d["kind"]));
  c.features.include = nb::cast<std::vector<std::string>>(d["include"]);
  c.features.exclude = nb::cast<std::vector<std::string>>(d["exclude"]);
  c.features.defaults = column_spec(d);
  for (const auto& [name, spec] : nb::cast<nb::dict>(d["columns"]))
    c.features.columns[nb::cast<std::string>(name)] = column_spec(nb::cast<nb::dict>(spec));
  c.logistic.l2 = nb::cast<double>(d["l2"]);
  c.logistic.l1 = nb::cast<double>(d["l1"]);
  c.logistic.balanced = nb::cast<bool>(d["balanced"]);
  c.logistic.positive_weight = nb::cast<double>(d["positive_weight"]);
  c.logistic.negative_weight = nb::cast<double>(d["negative_weight"]);
  c.logistic.solver =
      pick<Solver>(nb::cast<std::string>(d["solver"]),
                   {{"newton", Solver::newton}, {"lbfgs", Solver::lbfgs}}, "solver");
  c.logistic.max_iterations = nb::cast<int>(d["max_iter"]);
  c.logistic.tolerance = nb::cast<double>(d["tol"]);
  c.naive_bayes.alpha = nb::cast<double>(d["alpha"]);
  c.naive_bayes.buckets = nb::cast<int>(d["buckets"]);
  c.weighted.weights = nb::cast<std::map<std::string, double>>(d["weights"]);
  c.calibration = pick<Calibration>(nb::cast<std::string>(d["calibration"]),
                                    {{"none", Calibration::none},
                                     {"platt", Calibration::platt},
                                     {"isotonic", Calibration::isotonic}},
                                    "calibration");
  c.target = nb::cast<std::string>(d["target"]);
  c.positive_label = nb::cast<std::string>(d["positive_label"]);
  return c;
}

nb::dict report_dict(const FitReport& f) {
  nb::dict d;
  d["solver"] = f.solver;
  d["converged"] = f.converged;
  d["iterations"] = f.iterations;
  d["loss"] = f.loss;
  d["gradient_norm"] = f.gradient_norm;
  d["seconds"] = f.seconds;
  d["rows"] = f.rows;
  d["passes"] = f.passes;
  return d;
}

OutArray<double> scores(const PredictiveModel& m, const nb::list& columns, bool probability) {
  Table t = make_table(columns);
  std::vector<double> out(t.view.rows());
  {
    nb::gil_scoped_release unlocked;
    if (probability)
      m.predict_proba(t.view, out);
    else
      m.score(t.view, out);
  }
  return to_numpy(std::move(out));
}

}  // namespace

void register_predictive(nb::module_& m) {
  nb::class_<PredictiveModel>(m, "PredictiveModel")
      .def_static(
          "fit",
          [](const nb::list& columns, const InArray<double>& y, const nb::dict& config) {
            Table t = make_table(columns);
            const PredictiveConfig c = make_config(config);
            nb::gil_scoped_release unlocked;
            return PredictiveModel::fit(t.view, view(y), c);
          },
          "columns"_a, "y"_a, "config"_a)
      .def("predict_proba",
           [](const PredictiveModel& self, const nb::list& c) { return scores(self, c, true); })
      .def("score",
           [](const PredictiveModel& self, const nb::list& c) { return scores(self, c, false); })
      .def(
          "reasons",
          [](const PredictiveModel& self, const nb::list& columns, std::size_t k) {
            Table t = make_table(columns);
            std::vector<std::vector<std::pair<std::string, double>>> out;
            for (std::size_t i = 0; i < t.view.rows(); ++i) {
              std::vector<std::pair<std::string, double>> row;
              for (const Reason& r : self.reasons(t.view, i, k))
                row.emplace_back(r.feature, r.contribution);
              out.push_back(std::move(row));
            }
            return out;
          },
          "columns"_a, "k"_a = 3)
      .def(
          "with_outcomes",
          [](const PredictiveModel& self, const nb::list& columns, const InArray<double>& y) {
            const auto* nbm = std::get_if<NaiveBayesModel>(&self.scorer());
            if (!nbm)
              throw InvalidInput("with_outcomes: only the naive-bayes scorer updates its counts");
            Table t = make_table(columns);
            if (!std::holds_alternative<std::monostate>(self.calibrator()))
              throw InvalidInput("with_outcomes: a calibrated naive-bayes model must be refitted");
            return PredictiveModel(self.kind(), std::nullopt, nbm->with_outcomes(t.view, view(y)),
                                   {}, self.target(), self.positive_label(), self.missing_values());
          },
          "columns"_a, "y"_a)
      .def(
          "transform",
          [](const PredictiveModel& self, const nb::list& columns) {
            if (!self.features())
              throw InvalidInput("transform: the naive-bayes scorer has no feature matrix");
            Table t = make_table(columns);
            auto* x = new Eigen::MatrixXd(self.features()->transform(t.view));
            nb::capsule owner(x, [](void* p) noexcept { delete static_cast<Eigen::MatrixXd*>(p); });
            return nb::ndarray<nb::numpy, double, nb::ndim<2>, nb::f_contig>(
                x->data(),
                {static_cast<std::size_t>(x->rows()), static_cast<std::size_t>(x->cols())}, owner);
          },
          "columns"_a, "The prepared features (rows x features), as the model sees them.")
      .def_prop_ro("kind",
                   [](const PredictiveModel& self) { return std::string(to_string(self.kind())); })
      .def_prop_ro("input_columns", &PredictiveModel::input_columns)
      .def_prop_ro("feature_names",
                   [](const PredictiveModel& self) {
                     return self.features() ? self.features()->names() : std::vector<std::string>{};
                   })
      .def_prop_ro("coefficients",
                   [](const PredictiveModel& self) -> std::vector<double> {
                     if (const auto* l = std::get_if<LogisticModel>(&self.scorer()))
                       return {l->coefficients().begin(), l->coefficients().end()};
                     if (const auto* w = std::get_if<WeightedModel>(&self.scorer()))
                       return {w->weights().begin(), w->weights().end()};
                     return {};
                   })
      .def_prop_ro("intercept",
                   [](const PredictiveModel& self) {
                     const auto* l = std::get_if<LogisticModel>(&self.scorer());
                     return l ? l->intercept() : 0.0;
                   })
      .def_prop_ro("fit_info",
                   [](const PredictiveModel& self) { return report_dict(self.fit_info()); })
      .def("to_bytes",
           [](const PredictiveModel& self) {
             const std::string s = to_bytes(self);
             return nb::bytes(s.data(), s.size());
           })
      .def_static("from_bytes", [](nb::bytes data) {
        return predictive_from_bytes(std::string_view(data.c_str(), data.size()));
      });

  m.def(
      "binary_target",
      [](const nb::list& column, std::optional<std::string> positive) {
        Table t = make_table(column);
        if (t.view.columns().size() != 1) throw InvalidInput("binary_target: give one column");
        return to_numpy(binary_target(t.view.columns()[0], positive));
      },
      "column"_a, "positive"_a = nb::none());
  m.def("roc_auc", [](const InArray<double>& y, const InArray<double>& s) {
    return roc_auc(view(y), view(s));
  });
  m.def("log_loss", [](const InArray<double>& y, const InArray<double>& p) {
    return log_loss(view(y), view(p));
  });
  m.def("brier_score", [](const InArray<double>& y, const InArray<double>& p) {
    return brier_score(view(y), view(p));
  });
  m.def(
      "lift_table",
      [](const InArray<double>& y, const InArray<double>& s, int groups) {
        nb::dict d;
        std::vector<double> group, count, positives, rate, lift, gain, cum_lift, lo, hi;
        for (const LiftRow& r : lift_table(view(y), view(s), groups)) {
          group.push_back(r.group);
          count.push_back(static_cast<double>(r.count));
          positives.push_back(r.positives);
          rate.push_back(r.rate);
          lift.push_back(r.lift);
          gain.push_back(r.cumulative_gain);
          cum_lift.push_back(r.cumulative_lift);
          lo.push_back(r.min_score);
          hi.push_back(r.max_score);
        }
        d["decile"] = group;
        d["rows"] = count;
        d["positives"] = positives;
        d["rate"] = rate;
        d["lift"] = lift;
        d["cumulative_gain"] = gain;
        d["cumulative_lift"] = cum_lift;
        d["min_score"] = lo;
        d["max_score"] = hi;
        return d;
      },
      "y"_a, "score"_a, "groups"_a = 10);
  m.def(
      "calibration_table",
      [](const InArray<double>& y, const InArray<double>& p, int bins) {
        std::vector<double> low, high, count, mean, rate;
        for (const CalibrationRow& r : calibration_table(view(y), view(p), bins)) {
          low.push_back(r.low);
          high.push_back(r.high);
          count.push_back(static_cast<double>(r.count));
          mean.push_back(r.mean_predicted);
          rate.push_back(r.observed_rate);
        }
        nb::dict d;
        d["low"] = low;
        d["high"] = high;
        d["rows"] = count;
        d["mean_predicted"] = mean;
        d["observed_rate"] = rate;
        return d;
      },
      "y"_a, "p"_a, "bins"_a = 10);
  m.def(
      "train_test_split",
      [](std::size_t n, double test_fraction, std::uint64_t seed,
         std::optional<InArray<double>> stratify) {
        const Split s = train_test_split(n, test_fraction, seed,
                                         stratify ? view(*stratify) : std::span<const double>{});
        return std::make_pair(s.train, s.test);
      },
      "n"_a, "test_fraction"_a, "seed"_a, "stratify"_a = nb::none());
  m.def(
      "k_fold",
      [](std::size_t n, int k, std::uint64_t seed, std::optional<InArray<double>> stratify) {
        std::vector<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> out;
        for (auto& s : k_fold(n, k, seed, stratify ? view(*stratify) : std::span<const double>{}))
          out.emplace_back(std::move(s.train), std::move(s.test));
        return out;
      },
      "n"_a, "k"_a, "seed"_a, "stratify"_a = nb::none());
}

}  // namespace leadscore::python
