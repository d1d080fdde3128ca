// Boost.Serialization of predictive scorers; see leadscore/scoring/archive.hpp.
#include "leadscore/scoring/archive.hpp"

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>

#include <cstdint>
#include <sstream>

#include "../io/model_archive.hpp"
#include "leadscore/core/error.hpp"

namespace leadscore::scoring::archive {

using Bits = std::uint64_t;
using archive_detail::bit;
using archive_detail::bits;
using archive_detail::unbit;
using archive_detail::unbits;

struct ColumnRec {
  std::string name;
  int kind = 0, scaling = 0, missing = 0, buckets = 10;
  bool log1p = false, has_indicator = false, has_other = false;
  std::uint64_t min_count = 0;
  Bits clip_quantile = 0, fill_value = 0, clip_low = 0, clip_high = 0, center = 0, scale = 0,
       fill = 0;
  std::vector<Bits> edges;
  std::vector<std::string> levels;
  template <class Ar>
  void serialize(Ar& ar, unsigned /*version*/) {
    ar & name & kind & scaling & missing & buckets & log1p & has_indicator & has_other & min_count &
        clip_quantile & fill_value & clip_low & clip_high & center & scale & fill & edges & levels;
  }
};

struct FieldRec {
  std::string name;
  int kind = 0;
  std::vector<Bits> edges, won, lost;
  std::vector<std::string> values;
  Bits won_total = 0, lost_total = 0;
  template <class Ar>
  void serialize(Ar& ar, unsigned /*version*/) {
    ar & name & kind & edges & won & lost & values & won_total & lost_total;
  }
};

struct ModelRec {
  int kind = 0;
  bool has_features = false;
  std::vector<ColumnRec> columns;
  // fit report
  std::string solver;
  bool converged = false;
  int iterations = 0;
  std::vector<Bits> report;  // loss, gradient_norm, seconds
  std::uint64_t rows = 0;
  // logistic and weighted
  std::vector<Bits> coefficients;
  Bits intercept = 0, low = 0, high = 0;
  // naive bayes
  std::vector<FieldRec> fields;
  Bits won = 0, lost = 0, alpha = 0;
  // calibration: 0 none, 1 Platt (a, b), 2 isotonic (x, y)
  int calibrator = 0;
  std::vector<Bits> cal_x, cal_y;
  std::string target, positive_label;
  std::vector<std::string> missing_values;
  int passes = 0;  // since version 2
  template <class Ar>
  void serialize(Ar& ar, unsigned version) {
    ar & kind & has_features & columns & solver & converged & iterations & report & rows &
        coefficients & intercept & low & high & fields & won & lost & alpha & calibrator & cal_x &
        cal_y & target & positive_label & missing_values;
    if (version >= 2) ar & passes;
  }
};

}  // namespace leadscore::scoring::archive

BOOST_CLASS_VERSION(leadscore::scoring::archive::ColumnRec, 1)
BOOST_CLASS_VERSION(leadscore::scoring::archive::FieldRec, 1)
BOOST_CLASS_VERSION(leadscore::scoring::archive::ModelRec, 2)

namespace leadscore::scoring {
namespace {

using namespace archive;
constexpr std::string_view kKind = "predictive";

ModelRec record(const PredictiveModel& m) {
  ModelRec r;
  r.kind = static_cast<int>(m.kind());
  r.has_features = m.features().has_value();
  if (m.features())
    for (const auto& c : m.features()->columns()) {
      ColumnRec cr;
      cr.name = c.name;
      cr.kind = static_cast<int>(c.kind);
      cr.scaling = static_cast<int>(c.spec.scaling);
      cr.missing = static_cast<int>(c.spec.missing);
      cr.buckets = c.spec.buckets;
      cr.log1p = c.spec.log1p;
      cr.has_indicator = c.has_indicator;
      cr.has_other = c.has_other;
      cr.min_count = c.spec.min_count;
      cr.clip_quantile = bit(c.spec.clip_quantile);
      cr.fill_value = bit(c.spec.fill_value);
      cr.clip_low = bit(c.clip_low);
      cr.clip_high = bit(c.clip_high);
      cr.center = bit(c.center);
      cr.scale = bit(c.scale);
      cr.fill = bit(c.fill);
      cr.edges = bits(c.edges);
      cr.levels = c.levels;
      r.columns.push_back(std::move(cr));
    }
  const FitReport& f = m.fit_info();
  r.solver = f.solver;
  r.converged = f.converged;
  r.iterations = f.iterations;
  r.report = {bit(f.loss), bit(f.gradient_norm), bit(f.seconds)};
  r.rows = f.rows;
  r.passes = f.passes;
  if (const auto* lm = std::get_if<LogisticModel>(&m.scorer())) {
    r.coefficients =
        bits({lm->coefficients().data(), static_cast<std::size_t>(lm->coefficients().size())});
    r.intercept = bit(lm->intercept());
  } else if (const auto* wm = std::get_if<WeightedModel>(&m.scorer())) {
    r.coefficients = bits({wm->weights().data(), static_cast<std::size_t>(wm->weights().size())});
    r.low = bit(wm->low());
    r.high = bit(wm->high());
  } else {
    const auto& nb = std::get<NaiveBayesModel>(m.scorer());
    for (const auto& fl : nb.fields())
      r.fields.push_back({fl.name, static_cast<int>(fl.kind), bits(fl.edges), bits(fl.won), bits(fl.lost),
                          fl.values, bit(fl.won_total), bit(fl.lost_total)});
    r.won = bit(nb.won());
    r.lost = bit(nb.lost());
    r.alpha = bit(nb.alpha());
  }
  if (const auto* p = std::get_if<PlattCalibrator>(&m.calibrator())) {
    r.calibrator = 1;
    r.cal_x = {bit(p->a()), bit(p->b())};
  } else if (const auto* i = std::get_if<IsotonicCalibrator>(&m.calibrator())) {
    r.calibrator = 2;
    r.cal_x = bits(i->x());
    r.cal_y = bits(i->y());
  }
  r.target = m.target();
  r.positive_label = m.positive_label();
  r.missing_values = m.missing_values();
  return r;
}

PredictiveModel rebuild(const ModelRec& r) {
  if (r.kind < 0 || r.kind > 2)
    throw SerializationError("load: unknown model kind " + std::to_string(r.kind));
  const auto kind = static_cast<ModelKind>(r.kind);
  std::optional<FeatureMap> features;
  if (r.has_features) {
    std::vector<PreparedColumn> cols;
    for (const auto& cr : r.columns) {
      if (cr.kind < 0 || cr.kind > 1 || cr.scaling < 0 || cr.scaling > 3 || cr.missing < 0 ||
          cr.missing > 1)
        throw SerializationError("load: column '" + cr.name + "' is damaged");
      PreparedColumn c;
      c.name = cr.name;
      c.kind = static_cast<ColumnKind>(cr.kind);
      c.spec.scaling = static_cast<Scaling>(cr.scaling);
      c.spec.missing = static_cast<MissingPolicy>(cr.missing);
      c.spec.buckets = cr.buckets;
      c.spec.log1p = cr.log1p;
      c.spec.min_count = static_cast<std::size_t>(cr.min_count);
      c.spec.clip_quantile = unbit(cr.clip_quantile);
      c.spec.fill_value = unbit(cr.fill_value);
      c.has_indicator = cr.has_indicator;
      c.has_other = cr.has_other;
      c.clip_low = unbit(cr.clip_low);
      c.clip_high = unbit(cr.clip_high);
      c.center = unbit(cr.center);
      c.scale = unbit(cr.scale);
      c.fill = unbit(cr.fill);
      c.edges = unbits(cr.edges);
      c.levels = cr.levels;
      cols.push_back(std::move(c));
    }
    features = FeatureMap::from_columns(std::move(cols));
  }
  if (r.report.size() != 3) throw SerializationError("load: damaged fit report");
  FitReport rep{r.solver,
                r.converged,
                r.iterations,
                unbit(r.report[0]),
                unbit(r.report[1]),
                unbit(r.report[2]),
                static_cast<std::size_t>(r.rows),
                r.passes};
  const std::vector<double> coef = unbits(r.coefficients);
  const Eigen::VectorXd beta =
      Eigen::Map<const Eigen::VectorXd>(coef.data(), static_cast<Eigen::Index>(coef.size()));
  std::optional<PredictiveModel::Scorer> scorer;
  if (kind == ModelKind::logistic) scorer = LogisticModel(beta, unbit(r.intercept), rep);
  if (kind == ModelKind::weighted) scorer = WeightedModel(beta, unbit(r.low), unbit(r.high), rep);
  if (kind == ModelKind::naive_bayes) {
    std::vector<NaiveBayesField> fields;
    for (const auto& fr : r.fields) {
      if (fr.kind < 0 || fr.kind > 1)
        throw SerializationError("load: field '" + fr.name + "' is damaged");
      fields.push_back({fr.name, static_cast<ColumnKind>(fr.kind), unbits(fr.edges), fr.values,
                        unbits(fr.won), unbits(fr.lost), unbit(fr.won_total), unbit(fr.lost_total)});
    }
    scorer = NaiveBayesModel(std::move(fields), unbit(r.won), unbit(r.lost), unbit(r.alpha), rep);
  }
  PredictiveModel::Calibrator cal;
  if (r.calibrator == 1) {
    if (r.cal_x.size() != 2) throw SerializationError("load: damaged Platt calibration");
    cal = PlattCalibrator(unbit(r.cal_x[0]), unbit(r.cal_x[1]));
  } else if (r.calibrator == 2) {
    cal = IsotonicCalibrator(unbits(r.cal_x), unbits(r.cal_y));
  } else if (r.calibrator != 0) {
    throw SerializationError("load: unknown calibration " + std::to_string(r.calibrator));
  }
  return PredictiveModel(kind, std::move(features), std::move(*scorer), std::move(cal), r.target,
                         r.positive_label, r.missing_values);
}

}  // namespace

std::string to_bytes(const PredictiveModel& model) {
  return archive_detail::encode(kKind, record(model));
}

PredictiveModel predictive_from_bytes(std::string_view bytes) {
  const auto r = archive_detail::decode<ModelRec>(kKind, bytes);
  try {
    return rebuild(r);
  } catch (const SerializationError&) {
    throw;
  } catch (const Error& e) {
    throw SerializationError(std::string("load: invalid model in archive: ") + e.what());
  }
}

void save(const PredictiveModel& model, const std::string& path) {
  archive_detail::write_file(path, to_bytes(model));
}

PredictiveModel load_predictive(const std::string& path) {
  return predictive_from_bytes(archive_detail::read_file(path));
}

}  // namespace leadscore::scoring
