// leadscore._core: the C++ engines for Python. Numeric arrays arrive as
// nanobind ndarrays that view numpy memory (no copies); results leave as
// numpy arrays that own the C++ vectors they were computed into.

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <span>
#include <vector>

#include "arrays.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/io/csv.hpp"
#include "leadscore/summary/summarize.hpp"
#include "leadscore/version.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace leadscore::python {
void register_rules(nb::module_& m);  // rules.cpp
namespace {

TimeUnit parse_time_unit(const std::string& unit) {
  if (unit == "days") return TimeUnit::days;
  if (unit == "weeks") return TimeUnit::weeks;
  throw InvalidInput("time_unit must be 'days' or 'weeks', not '" + unit + "'");
}

nb::dict summary_dict(CustomerSummary&& s) {
  nb::dict out;
  out["duration_holdout"] = s.duration_holdout;
  out["has_holdout"] = s.has_holdout();
  out["period_end"] = s.period_end;
  out["observation_end"] = s.observation_end;
  std::vector<std::int64_t> customer(s.customer.begin(), s.customer.end());
  out["customer"] = to_numpy(std::move(customer));
  out["frequency"] = to_numpy(std::move(s.frequency));
  out["recency"] = to_numpy(std::move(s.recency));
  out["T"] = to_numpy(std::move(s.T));
  out["monetary_value"] = to_numpy(std::move(s.monetary_value));
  if (s.has_holdout()) {
    out["frequency_holdout"] = to_numpy(std::move(s.frequency_holdout));
    out["monetary_value_holdout"] = to_numpy(std::move(s.monetary_value_holdout));
  }
  return out;
}

nb::dict summarize_arrays(const InArray<std::int64_t>& customer, std::size_t n_customers,
                          const InArray<std::int64_t>& time, std::int64_t ticks_per_day,
                          const InArray<double>& amount, const std::string& time_unit,
                          std::optional<Day> calibration_end, std::optional<Day> observation_end) {
  const SummaryConfig config{.time_unit = parse_time_unit(time_unit),
                             .calibration_end = calibration_end,
                             .observation_end = observation_end};
  CustomerSummary s;
  {
    nb::gil_scoped_release unlocked;  // the arrays stay alive: the caller holds them
    s = summarize(view(customer), n_customers, view(time), ticks_per_day, view(amount), config);
  }
  return summary_dict(std::move(s));
}

nb::dict read_transactions_file(const std::string& path, const std::string& delimiter, bool header,
                                const std::string& id_col, const std::string& date_col,
                                const std::string& amount_col, const std::string& date_format) {
  TransactionBatch tx;
  {
    nb::gil_scoped_release unlocked;
    const CsvOptions csv{.delimiter = CsvOptions::parse_delimiter(delimiter), .header = header};
    tx = read_transactions(path, csv, {.id = id_col, .date = date_col, .amount = amount_col,
                                       .discount = {}, .date_format = date_format});
  }
  nb::dict out;
  out["ids"] = nb::cast(tx.ids.names());
  std::vector<std::int64_t> customer(tx.customer.begin(), tx.customer.end());
  out["customer"] = to_numpy(std::move(customer));
  out["time"] = to_numpy(std::move(tx.time));
  out["amount"] = to_numpy(std::move(tx.amount));
  return out;
}

// Creates leadscore.<name>, a subclass of every type in `bases`.
nb::object new_exception(nb::module_& m, const char* name, std::initializer_list<PyObject*> bases) {
  nb::tuple base_tuple = nb::steal<nb::tuple>(PyTuple_New(static_cast<Py_ssize_t>(bases.size())));
  Py_ssize_t i = 0;
  for (PyObject* b : bases) {
    Py_INCREF(b);
    PyTuple_SET_ITEM(base_tuple.ptr(), i++, b);
  }
  const std::string qualified = std::string("leadscore.") + name;
  nb::object type = nb::steal(PyErr_NewException(qualified.c_str(), base_tuple.ptr(), nullptr));
  m.attr(name) = type;
  return type;
}

}  // namespace
}  // namespace leadscore::python

NB_MODULE(_core, m) {
  using namespace leadscore;
  using namespace leadscore::python;
  m.doc() = "leadscore C++ engines (use the leadscore package, not this module)";
  m.attr("__version__") = leadscore::version;

  // Errors keep their C++ message; invalid input is also a ValueError.
  static nb::object error = new_exception(m, "Error", {PyExc_Exception});
  static nb::object invalid = new_exception(m, "InvalidInput", {error.ptr(), PyExc_ValueError});
  static nb::object parse = new_exception(m, "ParseError", {error.ptr(), PyExc_ValueError});
  static nb::object json = new_exception(m, "JsonError", {error.ptr(), PyExc_ValueError});
  static nb::object not_converged = new_exception(m, "NotConverged", {error.ptr()});
  static nb::object serialization = new_exception(m, "SerializationError", {error.ptr()});
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const InvalidInput& e) {
      PyErr_SetString(invalid.ptr(), e.what());
    } catch (const ParseError& e) {
      PyErr_SetString(parse.ptr(), e.what());
    } catch (const JsonError& e) {
      PyErr_SetString(json.ptr(), e.what());
    } catch (const NotConverged& e) {
      PyErr_SetString(not_converged.ptr(), e.what());
    } catch (const SerializationError& e) {
      PyErr_SetString(serialization.ptr(), e.what());
    } catch (const Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });

  m.def("summarize", &summarize_arrays, "customer"_a, "n_customers"_a, "time"_a,
        "ticks_per_day"_a, "amount"_a, "time_unit"_a = "days", "calibration_end"_a = nb::none(),
        "observation_end"_a = nb::none(),
        "Per-customer summaries from dense customer codes, integer times and amounts.");
  m.def("read_transactions", &read_transactions_file, "path"_a, "delimiter"_a = ",",
        "header"_a = true, "id_col"_a = "customer_id", "date_col"_a = "date",
        "amount_col"_a = "amount", "date_format"_a = "iso",
        "Reads a transaction file; times are seconds since 1970-01-01.");
  bind_models(m);
  register_rules(m);
  register_predictive(m);
  register_segment(m);

  m.def(
      "_buffer_address",
      [](const InArray<double>& a) { return reinterpret_cast<std::uintptr_t>(a.data()); },
      "Address of the memory C++ sees for a float64 array (tests prove no copy is made).");
  m.def(
      "_buffer_address_int64",
      [](const InArray<std::int64_t>& a) { return reinterpret_cast<std::uintptr_t>(a.data()); });
}
