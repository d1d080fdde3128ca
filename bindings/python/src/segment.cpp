// leadscore._core segmentation: RFM values and breaks, segment tables,
// loyalty tiers, concentration and k-means. Numeric inputs view numpy memory;
// k-means takes a C-contiguous float64 2-D array without copying it.

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "../../../src/core/parallel.hpp"
#include "arrays.hpp"
#include "objects.hpp"
#include "leadscore/io/view_ids.hpp"
#include "leadscore/segment/archive.hpp"
#include "leadscore/segment/cohorts.hpp"
#include "leadscore/segment/funnel.hpp"
#include "leadscore/segment/concentration.hpp"
#include "leadscore/segment/customer_types.hpp"
#include "leadscore/segment/profile_fit.hpp"
#include "leadscore/segment/segments.hpp"
#include "leadscore/segment/tiers.hpp"

namespace leadscore::python {
namespace {

using namespace nb::literals;
using namespace leadscore::segment;
using Doubles = InArray<double>;
using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

RowsView rows(const Matrix& X) {
  return RowsView(X.data(), static_cast<Eigen::Index>(X.shape(0)), static_cast<Eigen::Index>(X.shape(1)));
}

RfmValues values_of(const Doubles& r, const Doubles& f, const Doubles& m) {
  RfmValues v;
  v.recency.assign(r.data(), r.data() + r.shape(0));
  v.frequency.assign(f.data(), f.data() + f.shape(0));
  v.monetary.assign(m.data(), m.data() + m.shape(0));
  return v;
}

nb::dict rfm_values_arrays(const InArray<std::int64_t>& customer, std::size_t n_customers,
                           const InArray<std::int64_t>& time, std::int64_t ticks_per_day, const Doubles& amount,
                           Day as_of, const std::string& monetary) {
  if (monetary != "total" && monetary != "mean")
    throw InvalidInput("monetary must be 'total' or 'mean', not '" + monetary + "'");
  RfmValues v;
  {
    nb::gil_scoped_release unlocked;
    v = rfm_values(view(customer), n_customers, view(time), ticks_per_day, view(amount),
                   {.as_of = as_of, .monetary = monetary == "mean" ? MonetaryMeasure::mean : MonetaryMeasure::total});
  }
  nb::dict out;
  out["recency"] = to_numpy(std::move(v.recency));
  out["frequency"] = to_numpy(std::move(v.frequency));
  out["monetary"] = to_numpy(std::move(v.monetary));
  return out;
}

// Per customer totals of a 1-D object array of str ids, on every core. The
// caller holds the GIL and keeps it, so while the worker threads read the
// str objects none can change or go away; they only read compact-ASCII
// characters (no reference counts, no API calls). nullopt on anything else
// (another kind of str, None, a non-str, a refused row): the row-by-row path
// then handles it, with its errors.
std::optional<CustomerTotals> object_totals(nb::handle ids, const InArray<std::int64_t>& time,
                                            const Doubles& amount, std::int64_t end) {
  const ObjectArray array(ids);
  if (!array.ok()) return std::nullopt;
  PyObject* const* obj = array.data();
  const std::size_t n = array.size();
  if (time.shape(0) != n || amount.shape(0) != n || n == 0) return std::nullopt;
  const std::int64_t* t = time.data();
  const double* a = amount.data();
  // One chunk of rows per core, when there are enough rows to pay for it.
  const std::size_t n_chunks = n < (std::size_t{1} << 16) ? 1 : leadscore::detail::hardware_threads();
  // Chunk k starts at row n * (first_share + k - 1) / (first_share + n_chunks - 1).
  const double first = CustomerTotalsChunk::first_share;
  const auto from = [&](std::size_t k) -> std::size_t {
    if (k == 0) return 0;
    if (k == n_chunks) return n;
    return static_cast<std::size_t>(static_cast<double>(n) * (first + static_cast<double>(k - 1)) /
                                    (first + static_cast<double>(n_chunks - 1)));
  };
  std::vector<CustomerTotalsChunk> chunks;
  chunks.reserve(n_chunks);
  for (std::size_t k = 0; k < n_chunks; ++k) chunks.emplace_back(end, k == 0 ? 0 : from(k + 1) - from(k));
  std::vector<std::uint8_t> done(n_chunks, 0);
  leadscore::detail::parallel_for(n_chunks, n_chunks, [&](std::size_t k) {
    CustomerTotalsChunk& c = chunks[k];
    const PyObject* previous = nullptr;
    std::string_view text;
    for (std::size_t i = from(k), to = from(k + 1); i < to; ++i) {
#if defined(__GNUC__) || defined(__clang__)
      // Rows out of customer order put their str objects anywhere in memory:
      // ask for them (header and characters) some rows ahead.
      if (i + 16 < to) {
        __builtin_prefetch(obj[i + 16]);
        __builtin_prefetch(reinterpret_cast<const char*>(obj[i + 16]) + 56);
      }
#endif
      PyObject* o = obj[i];
      bool same = o == previous;
      if (!same) {
        const auto next = ascii_text(o);
        if (!next) return;
        // Rows of one customer are often adjacent: equal bytes, no hashing.
        same = previous && same_id(*next, text);
        previous = o, text = *next;
      }
      if (!c.add(text, same, static_cast<std::int64_t>(i), t[i], a[i])) return;
    }
    done[k] = 1;
  });
  if (std::find(done.begin(), done.end(), 0) != done.end()) return std::nullopt;
  return merge_totals(chunks);
}

// A new object array of from[rows[0]], from[rows[1]], ...: the customers'
// ids as the str objects of their first rows, no new strings. Each is a
// cache miss (its reference count is written), so they are fetched a few
// rows ahead; numpy's take waits for each in turn, at about three times
// the cost.
nb::object take_objects(const ObjectArray& from, const std::vector<std::int64_t>& rows) {
  nb::object out = nb::module_::import_("numpy").attr("empty")(rows.size(), "dtype"_a = "object");
  ObjectArray to(out, ObjectArray::writable);
  if (!to.ok() || to.size() != rows.size()) throw std::runtime_error("take_objects: numpy.empty gave no object array");
  PyObject* const* source = from.data();
  PyObject** target = to.data();
  constexpr std::size_t ahead = 16;
  for (std::size_t i = 0; i < rows.size(); ++i) {
#if defined(__GNUC__) || defined(__clang__)
    if (i + ahead < rows.size()) __builtin_prefetch(source[rows[i + ahead]], 1);
#endif
    PyObject* o = source[rows[i]];
    Py_INCREF(o);
    Py_XDECREF(target[i]);  // numpy.empty's None
    target[i] = o;
  }
  return out;
}

// rfm_values of a str id column: the values and the customers' ids (the
// str objects of their first rows).
nb::object rfm_values_objects(nb::handle ids, const InArray<std::int64_t>& time, std::int64_t ticks_per_day,
                            const Doubles& amount, Day as_of, const std::string& monetary) {
  if (monetary != "total" && monetary != "mean")
    throw InvalidInput("monetary must be 'total' or 'mean', not '" + monetary + "'");
  const RfmValuesConfig config{.as_of = as_of,
                               .monetary = monetary == "mean" ? MonetaryMeasure::mean : MonetaryMeasure::total};
  RfmValues v;
  std::vector<std::int64_t> first_row;
  // (A bad ticks_per_day goes the row-by-row way, to its error.)
  std::optional<CustomerTotals> totals;
  if (ticks_per_day > 0) totals = object_totals(ids, time, amount, (static_cast<std::int64_t>(as_of) + 1) * ticks_per_day);
  if (totals) {
    totals->ids.clear();  // errors name customers by code, as the row-by-row path does
    v = rfm_values(*totals, ticks_per_day, config);
    first_row = std::move(totals->first_row);
  } else {
    const ObjectArray array(ids);
    if (!array.ok()) throw InvalidInput("rfm_values(): customer ids must be a contiguous 1-D object array");
    std::optional<ObjectCodes> found = object_codes(array, "rfm_values(): customer_ids", MissingIds::refused);
    if (!found) return nb::none();
    ObjectCodes& codes = *found;
    {
      nb::gil_scoped_release unlocked;
      v = rfm_values(codes.code, codes.first_row.size(), view(time), ticks_per_day, view(amount), config);
    }
    first_row = std::move(codes.first_row);
  }
  nb::dict out;
  out["recency"] = to_numpy(std::move(v.recency));
  out["frequency"] = to_numpy(std::move(v.frequency));
  out["monetary"] = to_numpy(std::move(v.monetary));
  out["ids"] = take_objects(ObjectArray(ids), first_row);
  return out;
}

BinMethod method_of(const std::string& m) {
  if (m == "quantile") return BinMethod::quantile;
  if (m == "rank") return BinMethod::rank;
  throw InvalidInput("method must be 'quantile' or 'rank', not '" + m + "'");
}

nb::tuple scores_tuple(RfmScores&& s) {
  return nb::make_tuple(to_numpy(std::move(s.r)), to_numpy(std::move(s.f)), to_numpy(std::move(s.m)));
}

nb::dict concentration_dict(const Doubles& values, int points) {
  const Concentration c = concentration(view(values), points);
  nb::dict d;
  d["total"] = c.total;
  d["gini"] = c.gini;
  d["top_1"] = c.top_1;
  d["top_5"] = c.top_5;
  d["top_10"] = c.top_10;
  d["top_20"] = c.top_20;
  d["top_50"] = c.top_50;
  d["customers_for_80"] = c.customers_for_80;
  std::vector<double> x, y;
  for (const auto& p : c.lorenz) x.push_back(p.customer_share), y.push_back(p.value_share);
  d["lorenz_customers"] = to_numpy(std::move(x));
  d["lorenz_values"] = to_numpy(std::move(y));
  return d;
}

nb::object matrix_to_numpy(const RowMatrix& m) {
  auto* owned = new RowMatrix(m);
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<RowMatrix*>(p); });
  return nb::cast(nb::ndarray<nb::numpy, double, nb::ndim<2>>(
      owned->data(), {static_cast<std::size_t>(owned->rows()), static_cast<std::size_t>(owned->cols())}, owner));
}

}  // namespace

// Profile fit over columns handed over by leadscore.profile_fit: numeric
// columns as float64 arrays (NaN = missing), text columns as lists of
// str or None.
void register_profile_fit(nb::module_& m) {
  m.def(
      "profile_fit",
      [](std::size_t n_rows, const std::vector<std::string>& numeric_names, const std::vector<Doubles>& numeric,
         const std::vector<std::string>& text_names, const std::vector<std::vector<std::optional<std::string>>>& text,
         const std::string& target_json) {
        if (numeric_names.size() != numeric.size() || text_names.size() != text.size())
          throw InvalidInput("profile_fit: names and columns differ in number");
        const std::vector<FitCriterion> target = parse_fit_target(target_json);
        ProfileTable t;
        t.customer.resize(n_rows);
        for (std::size_t i = 0; i < n_rows; ++i) t.customer[i] = static_cast<std::uint32_t>(i);
        for (std::size_t j = 0; j < numeric.size(); ++j)
          t.columns.push_back({numeric_names[j], AttributeKind::demographic,
                               std::vector<double>(numeric[j].data(), numeric[j].data() + numeric[j].shape(0))});
        for (std::size_t j = 0; j < text.size(); ++j)
          t.columns.push_back({text_names[j], AttributeKind::demographic, text[j]});
        ProfileFit f;
        {
          nb::gil_scoped_release unlocked;
          f = profile_fit(t, target);
        }
        nb::dict d;
        d["score"] = to_numpy(std::move(f.score));
        d["matched"] = f.matched;
        d["met"] = to_numpy(std::vector<std::int64_t>(f.met.begin(), f.met.end()));
        d["fields"] = [&] {
          std::vector<std::string> names;
          for (const auto& c : target) names.push_back(c.field);
          return names;
        }();
        return d;
      },
      "n_rows"_a, "numeric_names"_a, "numeric"_a, "text_names"_a, "text"_a, "target_json"_a);
}

void register_segment(nb::module_& m) {
  register_profile_fit(m);
  m.def("rfm_values", &rfm_values_arrays, "customer"_a, "n_customers"_a, "time"_a, "ticks_per_day"_a, "amount"_a,
        "as_of"_a, "monetary"_a = "total", "Per customer recency (days), frequency and monetary value.");
  m.def("rfm_values_objects", &rfm_values_objects, "ids"_a, "time"_a, "ticks_per_day"_a, "amount"_a, "as_of"_a,
        "monetary"_a = "total", "rfm_values of a 1-D object array of str ids, with each customer's first row; None when an id is not a str.");

  nb::class_<RfmModel>(m, "RfmModel")
      .def_static(
          "fit",
          [](const Doubles& r, const Doubles& f, const Doubles& mon, int bins, const std::string& method,
             double break_offset) {
            const RfmValues v = values_of(r, f, mon);
            nb::gil_scoped_release unlocked;
            return RfmModel::fit(v, {.bins = bins, .method = method_of(method), .break_offset = break_offset});
          },
          "recency"_a, "frequency"_a, "monetary"_a, "bins"_a = 5, "method"_a = "quantile", "break_offset"_a = 1.0)
      .def_static(
          "fit_score",
          [](const Doubles& r, const Doubles& f, const Doubles& mon, int bins, const std::string& method,
             double break_offset) {
            const RfmValues v = values_of(r, f, mon);
            std::optional<RfmModel::FitScore> fitted;
            {
              nb::gil_scoped_release unlocked;
              fitted = RfmModel::fit_score(v, {.bins = bins, .method = method_of(method), .break_offset = break_offset});
            }
            return nb::make_tuple(std::move(fitted->model), scores_tuple(std::move(fitted->scores)));
          },
          "recency"_a, "frequency"_a, "monetary"_a, "bins"_a = 5, "method"_a = "quantile", "break_offset"_a = 1.0,
          "fit() and score_fitted() of the same values, ranking once: (model, (r, f, m)).")
      .def(
          "score_fitted",
          [](const RfmModel& self, const Doubles& r, const Doubles& f, const Doubles& mon) {
            const RfmValues v = values_of(r, f, mon);
            RfmScores s;
            {
              nb::gil_scoped_release unlocked;
              s = self.score(v);
            }
            return scores_tuple(std::move(s));
          },
          "recency"_a, "frequency"_a, "monetary"_a, "Scores of the customers fitted on (rank: ranks these values).")
      .def(
          "score",
          [](const RfmModel& self, const Doubles& r, const Doubles& f, const Doubles& mon) {
            const std::size_t n = r.shape(0);
            std::vector<std::uint8_t> rs(n), fs(n), ms(n);
            {
              nb::gil_scoped_release unlocked;
              self.score(view(r), view(f), view(mon), rs, fs, ms);
            }
            return nb::make_tuple(to_numpy(std::move(rs)), to_numpy(std::move(fs)), to_numpy(std::move(ms)));
          },
          "recency"_a, "frequency"_a, "monetary"_a, "Scores of any customers by the stored breaks.")
      .def_prop_ro("bins", [](const RfmModel& self) { return self.config().bins; })
      .def_prop_ro("method", [](const RfmModel& self) {
        return std::string(self.config().method == BinMethod::rank ? "rank" : "quantile");
      })
      .def_prop_ro("recency_breaks", &RfmModel::recency_breaks)
      .def_prop_ro("frequency_breaks", &RfmModel::frequency_breaks)
      .def_prop_ro("monetary_breaks", &RfmModel::monetary_breaks)
      .def("to_bytes", [](const RfmModel& self) { const auto s = to_bytes(self); return nb::bytes(s.data(), s.size()); })
      .def_static("from_bytes", [](nb::bytes b) { return from_bytes<RfmModel>({b.c_str(), b.size()}); })
      .def("save", [](const RfmModel& self, const std::string& path) { save(self, path); })
      .def_static("load", [](const std::string& path) { return load<RfmModel>(path); });

  nb::class_<SegmentTable>(m, "SegmentTable")
      .def_static("builtin", [](const std::string& name) { return SegmentTable::builtin(name); }, "name"_a)
      .def_static("from_json", [](const std::string& text) { return SegmentTable::from_json(text); }, "text"_a)
      .def_static("read", &SegmentTable::read, "path"_a)
      .def("to_json", &SegmentTable::to_json)
      .def_prop_ro("names",
                   [](const SegmentTable& t) {
                     std::vector<std::string> names;
                     for (const auto& r : t.rules()) names.push_back(r.name);
                     names.push_back(t.others());
                     return names;
                   })
      .def(
          "assign",
          [](const SegmentTable& t, const InArray<std::uint8_t>& r, const InArray<std::uint8_t>& f,
             const InArray<std::uint8_t>& mon) {
            if (f.shape(0) != r.shape(0) || mon.shape(0) != r.shape(0))
              throw InvalidInput("SegmentTable.assign: lengths differ");
            return to_numpy(t.assign(view(r), view(f), view(mon)));
          },
          "r"_a, "f"_a, "m"_a, "Segment index per customer (len(rules) = others).");

  m.def(
      "assign_tiers",
      [](const Doubles& orders, const Doubles& spend, const std::vector<std::string>& names,
         const std::vector<double>& thresholds, const std::string& measure, double points_per_spend,
         double points_per_order, const std::string& none) {
        if (names.size() != thresholds.size()) throw InvalidInput("assign_tiers: names and thresholds differ in length");
        TierConfig c;
        c.tiers.clear();
        for (std::size_t i = 0; i < names.size(); ++i) c.tiers.push_back({names[i], thresholds[i]});
        c.measure = TierConfig::parse_measure(measure);
        c.points_per_spend = points_per_spend;
        c.points_per_order = points_per_order;
        c.none = none;
        return to_numpy(assign_tiers(c, view(orders), view(spend)));
      },
      "orders"_a, "spend"_a, "names"_a, "thresholds"_a, "measure"_a = "spend", "points_per_spend"_a = 1.0,
      "points_per_order"_a = 0.0, "none"_a = "none");
  m.def("parse_tiers", [](const std::string& text) {
    std::vector<std::string> names;
    std::vector<double> thresholds;
    for (const auto& t : TierConfig::parse_tiers(text)) names.push_back(t.name), thresholds.push_back(t.threshold);
    return nb::make_tuple(names, thresholds);
  });
  m.def("concentration", &concentration_dict, "values"_a, "lorenz_points"_a = 101);

  nb::class_<KMeansModel>(m, "KMeansModel")
      .def_static(
          "fit",
          [](const Matrix& X, int k, int n_init, int max_iter, double tol, std::uint64_t seed, int threads, bool log1p,
             bool standardize, std::vector<std::string> names) {
            nb::gil_scoped_release unlocked;
            return KMeansModel::fit(rows(X),
                                    {.k = k, .n_init = n_init, .max_iter = max_iter, .tol = tol, .seed = seed,
                                     .threads = threads, .log1p = log1p, .standardize = standardize},
                                    std::move(names));
          },
          "X"_a, "k"_a = 8, "n_init"_a = 10, "max_iter"_a = 300, "tol"_a = 1e-4, "seed"_a = 0, "threads"_a = 0,
          "log1p"_a = false, "standardize"_a = true, "feature_names"_a = std::vector<std::string>{})
      .def("predict",
           [](const KMeansModel& self, const Matrix& X) {
             std::vector<std::int32_t> labels(X.shape(0));
             {
               nb::gil_scoped_release unlocked;
               self.predict(rows(X), labels);
             }
             return to_numpy(std::move(labels));
           })
      .def("transform", [](const KMeansModel& self, const Matrix& X) { return matrix_to_numpy(self.transform(rows(X))); })
      .def("silhouette",
           [](const KMeansModel& self, const Matrix& X, std::size_t sample_size, std::uint64_t seed) {
             nb::gil_scoped_release unlocked;
             return silhouette(self, rows(X), sample_size, seed);
           },
           "X"_a, "sample_size"_a = 2000, "seed"_a = 0)
      .def_prop_ro("labels",
                   [](const KMeansModel& self) { return nb::cast(to_numpy(std::vector<std::int32_t>(self.labels()))); })
      .def_prop_ro("centers", [](const KMeansModel& self) { return matrix_to_numpy(self.centers()); })
      .def_prop_ro("cluster_means", [](const KMeansModel& self) { return matrix_to_numpy(self.cluster_means()); })
      .def_prop_ro("sizes", [](const KMeansModel& self) {
        return nb::cast(to_numpy(std::vector<std::int64_t>(self.sizes().begin(), self.sizes().end())));
      })
      .def_prop_ro("feature_names", &KMeansModel::feature_names)
      .def_prop_ro("inertia", &KMeansModel::inertia)
      .def_prop_ro("fit_info",
                   [](const KMeansModel& self) {
                     const auto& f = self.fit_info();
                     nb::dict d;
                     d["converged"] = f.converged;
                     d["iterations"] = f.iterations;
                     d["total_iterations"] = f.total_iterations;
                     d["best_init"] = f.best_init;
                     d["inertia"] = f.inertia;
                     d["seconds"] = f.seconds;
                     d["n_rows"] = f.n_rows;
                     return d;
                   })
      .def("to_bytes", [](const KMeansModel& self) { const auto s = to_bytes(self); return nb::bytes(s.data(), s.size()); })
      .def_static("from_bytes", [](nb::bytes b) { return from_bytes<KMeansModel>({b.c_str(), b.size()}); })
      .def("save", [](const KMeansModel& self, const std::string& path) { save(self, path); })
      .def_static("load", [](const std::string& path) { return load<KMeansModel>(path); });

  m.def(
      "cohorts",
      [](const InArray<std::int64_t>& customer, std::size_t n_customers, const InArray<std::int32_t>& day,
         std::optional<Day> last_day) {
        CohortTable t;
        {
          nb::gil_scoped_release unlocked;
          t = cohorts(view(customer), n_customers, view(day), last_day);
        }
        nb::dict d;
        d["cohort"] = t.cohort;
        d["size"] = t.size;
        d["active"] = t.active;
        d["kept"] = t.kept;
        return d;
      },
      "customer"_a, "n_customers"_a, "day"_a, "last_day"_a = nb::none());
  m.def(
      "funnel",
      [](const InArray<std::int64_t>& record, std::size_t n_records, const InArray<std::uint8_t>& stage,
         const InArray<std::int64_t>& time) {
        for (std::size_t i = 0; i < stage.shape(0); ++i)
          if (stage.data()[i] > static_cast<std::uint8_t>(LifecycleStage::churned))
            throw InvalidInput("funnel: row " + std::to_string(i) + " has an invalid stage code");
        const std::span<const LifecycleStage> stages(reinterpret_cast<const LifecycleStage*>(stage.data()),
                                                     stage.shape(0));
        const FunnelReport f = funnel(view(record), n_records, stages, view(time));
        nb::dict d;
        d["reached"] = f.reached;
        d["conversion"] = f.conversion;
        d["median_days"] = f.median_days;
        d["moved_on"] = f.moved_on;
        d["current"] = f.current;
        return d;
      },
      "record"_a, "n_records"_a, "stage"_a, "time"_a);
  m.def(
      "customer_types",
      [](std::size_t n_customers, const InArray<std::int64_t>& tx_customer, const InArray<std::int64_t>& tx_seconds,
         const Doubles& amount, const InArray<std::uint8_t>& discounted, const InArray<std::int64_t>& ev_customer,
         const InArray<std::uint8_t>& ev_type, const InArray<std::int64_t>& ev_seconds, const Doubles& ev_value,
         const std::vector<std::string>& page, const std::vector<std::string>& survey, const nb::dict& options) {
        TransactionBatch tx;
        for (std::size_t c = 0; c < n_customers; ++c) tx.ids.intern(std::to_string(c));
        const std::size_t n = tx_customer.shape(0), m = ev_customer.shape(0);
        if (tx_seconds.shape(0) != n || amount.shape(0) != n || (discounted.shape(0) != 0 && discounted.shape(0) != n))
          throw InvalidInput("customer_types: transaction columns differ in length");
        if (ev_type.shape(0) != m || ev_seconds.shape(0) != m || ev_value.shape(0) != m || page.size() != m ||
            survey.size() != m)
          throw InvalidInput("customer_types: event columns differ in length");
        for (std::size_t i = 0; i < n; ++i) {
          if (tx_customer.data()[i] < 0 || static_cast<std::size_t>(tx_customer.data()[i]) >= n_customers)
            throw InvalidInput("customer_types: bad customer code at transaction row " + std::to_string(i));
          tx.customer.push_back(static_cast<std::uint32_t>(tx_customer.data()[i]));
          tx.time.push_back(tx_seconds.data()[i]);
          tx.amount.push_back(amount.data()[i]);
        }
        tx.discounted.assign(discounted.data(), discounted.data() + discounted.shape(0));
        EventBatch ev;
        for (std::size_t i = 0; i < m; ++i) {
          if (ev_customer.data()[i] < 0 || static_cast<std::size_t>(ev_customer.data()[i]) >= n_customers)
            throw InvalidInput("customer_types: bad customer code at event row " + std::to_string(i));
          if (ev_type.data()[i] >= all_event_types.size())
            throw InvalidInput("customer_types: bad event type at event row " + std::to_string(i));
          std::vector<EventProperty> props;
          if (!page[i].empty()) props.push_back({"page", page[i]});
          if (!survey[i].empty()) props.push_back({"survey", survey[i]});
          ev.add(static_cast<std::uint32_t>(ev_customer.data()[i]), all_event_types[ev_type.data()[i]],
                 ev_seconds.data()[i], ev_value.data()[i], props);
        }
        CustomerTypesConfig c;
        for (const auto& [key, value] : options) {
          const std::string k = nb::cast<std::string>(key);
          if (k == "as_of") c.as_of = nb::cast<Day>(value);
          else if (k == "new_days") c.new_days = nb::cast<int>(value);
          else if (k == "intent_min_views") c.intent_min_views = nb::cast<int>(value);
          else if (k == "intent_window_days") c.intent_window_days = nb::cast<int>(value);
          else if (k == "intent_pages") c.intent_pages = nb::cast<std::vector<std::string>>(value);
          else if (k == "impulse_max_hours") c.impulse_max_hours = nb::cast<double>(value);
          else if (k == "discount_min_orders") c.discount_min_orders = nb::cast<int>(value);
          else if (k == "discount_min_share") c.discount_min_share = nb::cast<double>(value);
          else if (k == "angry_window_days") c.angry_window_days = nb::cast<int>(value);
          else if (k == "angry_min_tickets") c.angry_min_tickets = nb::cast<int>(value);
          else if (k == "nps_detractor_max") c.nps_detractor_max = nb::cast<double>(value);
          else if (k == "csat_angry_max") c.csat_angry_max = nb::cast<double>(value);
          else if (k == "loyal_min_periods") c.loyal_min_periods = nb::cast<int>(value);
          else if (k == "loyal_period_days") c.loyal_period_days = nb::cast<int>(value);
          else if (k == "frequent_per_year") c.frequent_per_year = nb::cast<double>(value);
          else if (k == "regular_per_year") c.regular_per_year = nb::cast<double>(value);
          else if (k == "high_volume_share") c.high_volume_share = nb::cast<double>(value);
          else if (k == "low_volume_share") c.low_volume_share = nb::cast<double>(value);
          else if (k == "influencer_min_referrals") c.influencer_min_referrals = nb::cast<int>(value);
          else if (k == "competitor_pages") c.competitor_pages = nb::cast<std::vector<std::string>>(value);
          else if (k == "comparing_min_views") c.comparing_min_views = nb::cast<int>(value);
          else throw InvalidInput("customer_types: unknown option '" + k + "'");
        }
        const CustomerTypes t = customer_types(tx, ev, c);
        std::vector<std::int64_t> who;
        std::vector<std::string> type, evidence;
        for (const auto& a : t.assignments) {
          who.push_back(a.customer);
          type.emplace_back(to_string(a.type));
          evidence.push_back(a.evidence);
        }
        nb::dict d;
        d["customer"] = to_numpy(std::move(who));
        d["type"] = type;
        d["evidence"] = evidence;
        d["frequency_class"] = t.frequency_class;
        d["volume_class"] = t.volume_class;
        d["referrals"] = to_numpy(std::vector<std::int64_t>(t.referrals.begin(), t.referrals.end()));
        d["influencer"] = to_numpy(std::vector<std::uint8_t>(t.influencer.begin(), t.influencer.end()));
        d["awareness"] = t.awareness;
        d["awareness_evidence"] = t.awareness_evidence;
        return d;
      });
  m.def(
      "_matrix_address", [](const Matrix& X) { return reinterpret_cast<std::uintptr_t>(X.data()); },
      "Address of the memory C++ sees for a float64 2-D array (tests prove no copy is made).");
}

}  // namespace leadscore::python
