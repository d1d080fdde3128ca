// leadscore._core model classes: the BTYD churn models and Gamma-Gamma.
// Each binds the same way: fit from arrays (GIL released), params, fit_info,
// batch predictions into new numpy arrays, and bytes for pickling.

#include <nanobind/stl/array.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <array>
#include <string>

#include "arrays.hpp"
#include "leadscore/churn/archive.hpp"
#include "leadscore/churn/check.hpp"
#include "leadscore/value/archive.hpp"
#include "leadscore/value/clv.hpp"

namespace leadscore::python {
namespace {

using namespace nb::literals;
using churn::BgBbModel;
using churn::BgNbdModel;
using churn::MbgNbdModel;
using churn::ParetoNbdModel;
using value::GammaGammaModel;
using Doubles = InArray<double>;
using OptDoubles = std::optional<InArray<double>>;

// Parameter names (as lifetimes prints them) and conversions, per model.
template <class M> struct Params;
template <> struct Params<BgNbdModel> {
  static constexpr std::array<const char*, 4> names{"r", "alpha", "a", "b"};
  static std::vector<double> get(const BgNbdModel& m) { auto p = m.params(); return {p.r, p.alpha, p.a, p.b}; }
  static churn::BgNbdParams make(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
};
template <> struct Params<MbgNbdModel> {
  static constexpr std::array<const char*, 4> names{"r", "alpha", "a", "b"};
  static std::vector<double> get(const MbgNbdModel& m) { auto p = m.params(); return {p.r, p.alpha, p.a, p.b}; }
  static churn::MbgNbdParams make(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
};
template <> struct Params<ParetoNbdModel> {
  static constexpr std::array<const char*, 4> names{"r", "alpha", "s", "beta"};
  static std::vector<double> get(const ParetoNbdModel& m) { auto p = m.params(); return {p.r, p.alpha, p.s, p.beta}; }
  static churn::ParetoNbdParams make(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
};
template <> struct Params<BgBbModel> {
  static constexpr std::array<const char*, 4> names{"alpha", "beta", "gamma", "delta"};
  static std::vector<double> get(const BgBbModel& m) { auto p = m.params(); return {p.alpha, p.beta, p.gamma, p.delta}; }
  static churn::BgBbParams make(const std::vector<double>& v) { return {v[0], v[1], v[2], v[3]}; }
};
template <> struct Params<GammaGammaModel> {
  static constexpr std::array<const char*, 3> names{"p", "q", "v"};
  static std::vector<double> get(const GammaGammaModel& m) { auto p = m.params(); return {p.p, p.q, p.gamma}; }
  static value::GammaGammaParams make(const std::vector<double>& v) { return {v[0], v[1], v[2]}; }
};

template <class M>
M from_values(const std::vector<double>& values) {
  if (values.size() != Params<M>::names.size())
    throw InvalidInput(std::string(M::kind) + ": expected " + std::to_string(Params<M>::names.size()) +
                       " parameters, got " + std::to_string(values.size()));
  return M(Params<M>::make(values));
}

nb::dict info_dict(const churn::FitInfo& f) {
  nb::dict d;
  d["converged"] = f.converged;
  d["iterations"] = f.iterations;
  d["log_likelihood"] = f.log_likelihood;
  d["objective"] = f.objective;
  d["gradient_norm"] = f.gradient_norm;
  d["seconds"] = f.seconds;
  d["n_customers"] = f.n_customers;
  d["n_unique"] = f.n_unique;
  d["names"] = f.names;
  d["estimates"] = f.estimates;
  d["standard_errors"] = f.standard_errors;
  d["ci_lower"] = f.ci_lower;
  d["ci_upper"] = f.ci_upper;
  d["confidence_level"] = f.confidence_level;
  d["standard_errors_ok"] = f.standard_errors_ok;
  return d;
}

template <class M>
nb::bytes model_bytes(const M& m) {
  if constexpr (std::is_same_v<M, GammaGammaModel>) {
    const std::string s = value::to_bytes(m);
    return nb::bytes(s.data(), s.size());
  } else {
    const std::string s = churn::to_bytes(m);
    return nb::bytes(s.data(), s.size());
  }
}

template <class M>
M model_from_bytes(nb::bytes data) {
  const std::string_view bytes(data.c_str(), data.size());
  if constexpr (std::is_same_v<M, GammaGammaModel>)
    return value::from_bytes<M>(bytes);
  else
    return churn::from_bytes<M>(bytes);
}

// Sum of weight * log-likelihood of each row at the model's parameters.
template <class RowLL>
double weighted_log_likelihood(std::size_t n, const OptDoubles& weight, RowLL row) {
  if (weight && weight->shape(0) != n)
    throw InvalidInput("log_likelihood: weights has " + std::to_string(weight->shape(0)) + " rows, expected " +
                       std::to_string(n));
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += (weight ? weight->data()[i] : 1.0) * row(i);
  return total;
}

// What every model class has.
template <class M>
nb::class_<M> bind_common(nb::module_& m, const char* name) {
  nb::class_<M> cls(m, name);
  cls.def_static("from_params", &from_values<M>, "params"_a, "A model with the given parameters.")
      .def_prop_ro_static("param_names",
                          [](nb::handle) {
                            return std::vector<std::string>(Params<M>::names.begin(), Params<M>::names.end());
                          })
      .def_prop_ro("params", [](const M& self) { return Params<M>::get(self); })
      .def_prop_ro("fit_info", [](const M& self) { return info_dict(self.fit_info()); })
      .def("to_bytes", &model_bytes<M>)
      .def_static("from_bytes", &model_from_bytes<M>, "data"_a);
  return cls;
}

// BG/NBD, Pareto/NBD, MBG/NBD: continuous time.
template <class M>
void bind_continuous(nb::module_& m, const char* name) {
  bind_common<M>(m, name)
      .def_static(
          "fit",
          [](const Doubles& x, const Doubles& t_x, const Doubles& T, const OptDoubles& weight,
             double penalizer, int max_iterations, double tolerance) {
            nb::gil_scoped_release unlocked;
            typename M::Config config;
            config.penalizer_coef = penalizer;
            config.max_iterations = max_iterations;
            config.tolerance = tolerance;
            return M::fit(churn::SummaryView{view(x), view(t_x), view(T), view(weight), {}}, config);
          },
          "frequency"_a, "recency"_a, "T"_a, "weights"_a = nb::none(), "penalizer_coef"_a = 0.0,
          "max_iterations"_a = 1000, "tolerance"_a = 1e-7)
      .def("p_alive",
           [](const M& self, const Doubles& x, const Doubles& t_x, const Doubles& T) {
             std::vector<double> out(x.shape(0));
             {
               nb::gil_scoped_release unlocked;
               self.p_alive(view(x), view(t_x), view(T), out);
             }
             return to_numpy(std::move(out));
           })
      .def("expected_purchases",
           [](const M& self, double t, const Doubles& x, const Doubles& t_x, const Doubles& T) {
             std::vector<double> out(x.shape(0));
             {
               nb::gil_scoped_release unlocked;
               self.expected_purchases(t, view(x), view(t_x), view(T), out);
             }
             return to_numpy(std::move(out));
           })
      .def("expected_purchases_new",
           [](const M& self, const Doubles& t) {
             std::vector<double> out(t.shape(0));
             for (std::size_t i = 0; i < out.size(); ++i) out[i] = self.expected_purchases_new(t.data()[i]);
             return to_numpy(std::move(out));
           })
      .def("probability_of_n_purchases", &M::probability_of_n_purchases, "t"_a, "n"_a)
      .def(
          "log_likelihood",
          [](const M& self, const Doubles& x, const Doubles& t_x, const Doubles& T, const OptDoubles& weight) {
            churn::validate("log_likelihood", view(x), view(t_x), view(T), view(weight));
            return weighted_log_likelihood(x.shape(0), weight, [&](std::size_t i) {
              return self.log_likelihood(x.data()[i], t_x.data()[i], T.data()[i]);
            });
          },
          "frequency"_a, "recency"_a, "T"_a, "weights"_a = nb::none())
      .def("p_alive_matrix",
           [](const M& self, int max_frequency, int max_recency, double T) {
             const auto matrix = churn::p_alive_matrix(self, max_frequency, max_recency, T);
             std::vector<double> cells(static_cast<std::size_t>(matrix.p_alive.size()));
             for (Eigen::Index f = 0; f < matrix.p_alive.rows(); ++f)
               for (Eigen::Index r = 0; r < matrix.p_alive.cols(); ++r)
                 cells[static_cast<std::size_t>(f * matrix.p_alive.cols() + r)] =
                     matrix.valid(f, r) ? matrix.p_alive(f, r) : std::nan("");
             return to_numpy(std::move(cells));
           })
      .def("calibration_holdout",
           [](const M& self, const Doubles& x, const Doubles& t_x, const Doubles& T,
              const Doubles& holdout_frequency, double duration, int max_frequency) {
             const auto r = churn::calibration_holdout(self, churn::SummaryView{view(x), view(t_x), view(T), {}, {}},
                                                       view(holdout_frequency), duration, max_frequency);
             nb::dict d;
             d["frequency"] = r.frequency;
             d["n_customers"] = r.n_customers;
             d["actual"] = r.actual;
             d["predicted"] = r.predicted;
             d["mae"] = r.mae;
             d["rmse"] = r.rmse;
             d["correlation"] = r.correlation;
             d["total_actual"] = r.total_actual;
             d["total_predicted"] = r.total_predicted;
             return d;
           })
      .def("expected_cumulative_transactions",
           [](const M& self, const Doubles& birth, double horizon, double step) {
             const auto f = churn::expected_cumulative_transactions(self, view(birth), horizon, step);
             nb::dict d;
             d["time"] = f.time;
             d["cumulative"] = f.cumulative;
             d["incremental"] = f.incremental;
             return d;
           })
      .def("customer_lifetime_value",
           [](const M& self, const GammaGammaModel& spend, const Doubles& x, const Doubles& t_x,
              const Doubles& T, const Doubles& monetary, int months, double discount_rate,
              double units_per_month) {
             std::vector<double> out(x.shape(0));
             {
               nb::gil_scoped_release unlocked;
               value::customer_lifetime_value(self, spend, view(x), view(t_x), view(T), view(monetary), out,
                                              {.months = months, .discount_rate = discount_rate,
                                               .units_per_month = units_per_month});
             }
             return to_numpy(std::move(out));
           });
}

void bind_bg_bb(nb::module_& m) {
  bind_common<BgBbModel>(m, "BgBb")
      .def_static(
          "fit",
          [](const Doubles& x, const Doubles& t_x, const Doubles& n, const OptDoubles& weight,
             double penalizer, int max_iterations, double tolerance) {
            nb::gil_scoped_release unlocked;
            churn::BgBbConfig config;
            config.penalizer_coef = penalizer;
            config.max_iterations = max_iterations;
            config.tolerance = tolerance;
            return BgBbModel::fit(churn::DiscreteView{view(x), view(t_x), view(n), view(weight), {}}, config);
          },
          "frequency"_a, "recency"_a, "n_periods"_a, "weights"_a = nb::none(),
          "penalizer_coef"_a = 0.0, "max_iterations"_a = 1000, "tolerance"_a = 1e-7)
      .def("p_alive",
           [](const BgBbModel& self, const Doubles& x, const Doubles& t_x, const Doubles& n, double m_ahead) {
             std::vector<double> out(x.shape(0));
             self.p_alive(view(x), view(t_x), view(n), out, m_ahead);
             return to_numpy(std::move(out));
           },
           "frequency"_a, "recency"_a, "n_periods"_a, "m_periods_in_future"_a = 1.0)
      .def("expected_purchases",
           [](const BgBbModel& self, double n_star, const Doubles& x, const Doubles& t_x, const Doubles& n) {
             std::vector<double> out(x.shape(0));
             self.expected_purchases(n_star, view(x), view(t_x), view(n), out);
             return to_numpy(std::move(out));
           })
      .def("expected_purchases_new",
           [](const BgBbModel& self, const Doubles& n) {
             std::vector<double> out(n.shape(0));
             for (std::size_t i = 0; i < out.size(); ++i) out[i] = self.expected_purchases_new(n.data()[i]);
             return to_numpy(std::move(out));
           })
      .def("probability_of_n_purchases", &BgBbModel::probability_of_n_purchases, "n_periods"_a, "x"_a)
      .def(
          "log_likelihood",
          [](const BgBbModel& self, const Doubles& x, const Doubles& t_x, const Doubles& n, const OptDoubles& weight) {
            churn::validate("log_likelihood", churn::DiscreteView{view(x), view(t_x), view(n), view(weight), {}});
            return weighted_log_likelihood(x.shape(0), weight, [&](std::size_t i) {
              return self.log_likelihood(x.data()[i], t_x.data()[i], n.data()[i]);
            });
          },
          "frequency"_a, "recency"_a, "n_periods"_a, "weights"_a = nb::none());
}

void bind_gamma_gamma(nb::module_& m) {
  bind_common<GammaGammaModel>(m, "GammaGamma")
      .def_static(
          "fit",
          [](const Doubles& x, const Doubles& monetary, const OptDoubles& weight, double penalizer,
             int max_iterations, double tolerance) {
            nb::gil_scoped_release unlocked;
            value::GammaGammaConfig config;
            config.penalizer_coef = penalizer;
            config.max_iterations = max_iterations;
            config.tolerance = tolerance;
            return GammaGammaModel::fit(value::SpendView{view(x), view(monetary), view(weight), {}}, config);
          },
          "frequency"_a, "monetary_value"_a, "weights"_a = nb::none(), "penalizer_coef"_a = 0.0,
          "max_iterations"_a = 1000, "tolerance"_a = 1e-7)
      .def("conditional_expected_average_spend",
           [](const GammaGammaModel& self, const Doubles& x, const Doubles& monetary) {
             std::vector<double> out(x.shape(0));
             self.conditional_expected_average_spend(view(x), view(monetary), out);
             return to_numpy(std::move(out));
           })
      .def("expected_average_spend", &GammaGammaModel::expected_average_spend)
      .def(
          "log_likelihood",
          [](const GammaGammaModel& self, const Doubles& x, const Doubles& monetary, const OptDoubles& weight) {
            value::validate_spend("log_likelihood", view(x), view(monetary), view(weight));
            return weighted_log_likelihood(x.shape(0), weight, [&](std::size_t i) {
              return x.data()[i] > 0 ? self.log_likelihood(x.data()[i], monetary.data()[i]) : 0.0;
            });
          },
          "frequency"_a, "monetary_value"_a, "weights"_a = nb::none());
}

}  // namespace

void bind_models(nb::module_& m) {
  bind_continuous<BgNbdModel>(m, "BgNbd");
  bind_continuous<ParetoNbdModel>(m, "ParetoNbd");
  bind_continuous<MbgNbdModel>(m, "MbgNbd");
  bind_bg_bb(m);
  bind_gamma_gamma(m);
}

}  // namespace leadscore::python
