// leadscore segment rfm | kmeans: RFM scores, named segments and loyalty
// tiers from transactions; behavioural clusters from customer features.

#include <fmt/compile.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <exception>
#include <iostream>
#include <limits>
#include <optional>
#include <map>
#include <memory>
#include <thread>

#include "../core/parallel.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "leadscore/io/transaction_view.hpp"
#include "leadscore/scoring/rules_io.hpp"
#include "leadscore/segment/archive.hpp"
#include "leadscore/segment/cluster_names.hpp"
#include "leadscore/segment/concentration.hpp"
#include "leadscore/segment/customer_types.hpp"
#include "leadscore/segment/profile_fit.hpp"
#include "leadscore/segment/segments.hpp"
#include "leadscore/segment/tiers.hpp"

namespace leadscore::cli {
namespace {
using namespace leadscore::segment;

struct RfmOptions {
  TableOptions table{.id_col = "customer_id", .date_col = "date", .amount_col = "amount"};
  std::string as_of;
  std::string segments = "rfm-package";
  int bins = 5;
  std::string method = "quantile";
  std::string monetary = "total";
  std::string tiers = "bronze:0,silver:500,gold:2000,platinum:10000";
  std::string tier_measure = "spend";
  std::string out;
  std::string model_out;
  bool json = false;
};

SegmentTable segment_table(const std::string& spec) {
  if (spec == "rfm-package" || spec == "rf-grid") return SegmentTable::builtin(spec);
  return SegmentTable::read(spec);
}

int run_rfm(const RfmOptions& o) {
  const TransactionColumns columns{.id = o.table.id_col, .date = o.table.date_col, .amount = o.table.amount_col,
                                   .discount = {}, .date_format = o.table.date_format};
  TierConfig tiers;
  tiers.tiers = TierConfig::parse_tiers(o.tiers);
  tiers.measure = TierConfig::parse_measure(o.tier_measure);
  tiers.validate();
  const SegmentTable table = segment_table(o.segments);
  const Day as_of = parse_day_argument(o.as_of, "--as-of");
  const RfmValuesConfig values_config{.as_of = as_of,
                                      .monetary = o.monetary == "mean" ? MonetaryMeasure::mean : MonetaryMeasure::total};
  auto progress = progress_for("reading " + o.table.file);
  // Plain files are aggregated while they are parsed; any other file, and
  // any error, takes the row-by-row path (its errors name the place).
  std::optional<CustomerTotals> totals = read_customer_totals(
      o.table.file, o.table.csv(), columns, (static_cast<Timestamp>(as_of) + 1) * seconds_per_day);
  std::optional<TransactionView> tx;
  RfmValues values;
  std::span<const std::string_view> ids;
  std::vector<double> spend;  // tiers are by total spend whatever --monetary says
  std::size_t n_transactions = 0;
  if (totals) {
    if (progress) progress(1.0);
    values = rfm_values(*totals, seconds_per_day, values_config);
    ids = totals->ids;
    spend = std::move(totals->spend);
    for (const std::uint64_t k : totals->count) n_transactions += k;
  } else {
    tx = read_transaction_view(o.table.file, o.table.csv(), columns, std::move(progress));
    ids = tx->ids();
    values = rfm_values(tx->customer(), ids, tx->time(), tx->amount(), values_config);
    n_transactions = tx->size();
    spend = values.monetary;
    if (o.monetary == "mean") {
      std::fill(spend.begin(), spend.end(), 0.0);
      for (std::size_t i = 0; i < tx->size(); ++i) spend[tx->customer()[i]] += tx->amount()[i];
    }
  }
  const RfmModel::FitScore fitted = RfmModel::fit_score(
      values, {.bins = o.bins, .method = o.method == "rank" ? BinMethod::rank : BinMethod::quantile});
  const RfmModel& model = fitted.model;
  const RfmScores& scores = fitted.scores;
  const auto seg = table.assign(scores);
  const auto tier = assign_tiers(tiers, values.frequency, spend);

  if (!o.model_out.empty()) save(model, o.model_out);
  if (!(o.json && o.out.empty())) {
    // Numbers formatted in place (integers without the float path), names
    // quoted once per segment and tier, half the rows on each of two threads,
    // each into a buffer sized for its rows' longest possible text.
    std::vector<std::string> seg_field, tier_field;
    for (std::size_t k = 0; k <= table.rules().size(); ++k) seg_field.push_back(csv_field(table.name(k)));
    for (std::size_t k = 0; k <= tiers.tiers.size(); ++k) tier_field.push_back(csv_field(tier_name(tiers, k)));
    std::size_t names_width = 0;
    for (const auto* fields : {&seg_field, &tier_field})
      names_width += std::max_element(fields->begin(), fields->end(), [](const auto& a, const auto& b) {
                       return a.size() < b.size();
                     })->size();
    // Beside the id (quoted: at most twice as long, plus quotes): three
    // shortest doubles (at most 24 characters each), three scores of at
    // most 2 digits, a cell of at most 8, the names, 9 commas and a newline.
    const std::size_t row_width = 2 + 3 * 24 + 3 * 2 + 8 + names_width + 10;
    const auto rows = [&](std::size_t from, std::size_t to, std::unique_ptr<char[]>& buffer) -> std::size_t {
      std::size_t bound = 0;
      for (std::size_t i = from; i < to; ++i) bound += 2 * ids[i].size() + row_width;
      buffer = std::make_unique_for_overwrite<char[]>(bound);
      char* out = buffer.get();
      const auto put = [&](double v) {
        // fmt's "{}" prints a whole double below 1e15 as the integer.
        out = !std::signbit(v) && v < 1e15 && v == std::floor(v)
                  ? std::to_chars(out, out + 24, static_cast<std::int64_t>(v)).ptr
                  : fmt::format_to(out, FMT_COMPILE("{}"), v);
      };
      const auto text = [&](std::string_view s) { out = std::copy(s.begin(), s.end(), out); };
      for (std::size_t i = from; i < to; ++i) {
        // Ids view the file at each customer's first row, far apart: a cache
        // miss each, unless asked for some rows ahead.
#if defined(__GNUC__) || defined(__clang__)
        if (i + 16 < to) __builtin_prefetch(ids[i + 16].data());
#endif
        const std::string_view id = ids[i];
        if (id.find_first_of(",\"\n\r") == std::string_view::npos) text(id);
        else text(csv_field(id));
        *out++ = ',';
        put(values.recency[i]);
        *out++ = ',';
        put(values.frequency[i]);
        *out++ = ',';
        put(values.monetary[i]);
        const std::uint8_t rfm[3] = {scores.r[i], scores.f[i], scores.m[i]};
        for (std::uint8_t x : rfm) {
          *out++ = ',';
          out = std::to_chars(out, out + 2, unsigned{x}).ptr;
        }
        *out++ = ',';
        if (scores.bins <= 9) {
          for (std::uint8_t x : rfm) *out++ = static_cast<char>('0' + x);
        } else {
          text(scores.cell(i));
        }
        *out++ = ',';
        text(seg_field[seg[i]]);
        *out++ = ',';
        text(tier_field[tier[i]]);
        *out++ = '\n';
      }
      return static_cast<std::size_t>(out - buffer.get());
    };
    const std::size_t half = values.size() / 2;
    std::unique_ptr<char[]> buffer[2];
    std::size_t used[2] = {0, 0};
    leadscore::detail::parallel_for(2, 2, [&](std::size_t k) {
      used[k] = k == 0 ? rows(0, half, buffer[0]) : rows(half, values.size(), buffer[1]);
    });
    const std::string_view parts[3] = {"customer_id,recency,frequency,monetary,r,f,m,cell,segment,tier\n",
                                       {buffer[0].get(), used[0]},
                                       {buffer[1].get(), used[1]}};
    write_output(o.out, parts);
  }
  if (o.json) {
    const Concentration c = concentration(spend, 11);
    std::map<std::string, std::pair<std::size_t, double>> by_segment, by_tier;
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto& s = by_segment[table.name(seg[i])];
      ++s.first;
      s.second += spend[i];
      auto& t = by_tier[tier_name(tiers, tier[i])];
      ++t.first;
      t.second += spend[i];
    }
    const auto groups = [&](const auto& m) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [name, v] : m)
        j[name] = {{"customers", v.first}, {"revenue_share", v.second / c.total}};
      return j;
    };
    nlohmann::json j{{"customers", values.size()},
                     {"transactions", n_transactions},
                     {"as_of", format_day(as_of)},
                     {"breaks",
                      {{"recency", model.recency_breaks()},
                       {"frequency", model.frequency_breaks()},
                       {"monetary", model.monetary_breaks()}}},
                     {"segments", groups(by_segment)},
                     {"tiers", groups(by_tier)},
                     {"concentration",
                      {{"gini", c.gini},
                       {"top_1", c.top_1},
                       {"top_10", c.top_10},
                       {"top_20", c.top_20},
                       {"customers_for_80", c.customers_for_80}}},
                     {"out", o.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.out)}};
    std::cout << j.dump(2) << '\n';
  }
  return 0;
}

struct KMeansOptions {
  std::string file;
  std::string id_col;
  std::string delimiter = ",";
  bool no_header = false;
  std::vector<std::string> features;
  int k = 0;
  std::string k_range;
  KMeansConfig kmeans;  // the library's defaults; k and standardize come from the flags below
  bool no_standardize = false;
  std::size_t silhouette_sample = 2000;
  std::string out;
  std::string model_out;
  bool json = false;
};

std::pair<int, int> parse_range(const std::string& text) {
  const auto dots = text.find("..");
  try {
    if (dots != std::string::npos) {
      std::size_t used1 = 0, used2 = 0;
      const int a = std::stoi(text.substr(0, dots), &used1);
      const int b = std::stoi(text.substr(dots + 2), &used2);
      if (used1 == dots && used2 == text.size() - dots - 2) return {a, b};
    }
  } catch (const std::exception&) {
  }
  throw InvalidInput("--k-range must look like 2..10, got '" + text + "'");
}

int run_kmeans(const KMeansOptions& o) {
  CsvOptions csv{.delimiter = CsvOptions::parse_delimiter(o.delimiter), .header = !o.no_header};
  std::vector<ColumnRef> cols(o.features.begin(), o.features.end());
  const NumericTable t = read_numeric_table(o.file, csv, o.id_col, cols, progress_for("reading " + o.file));
  const std::size_t n = t.id.size(), d = t.values.size();
  RowMatrix X(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = 0; i < n; ++i) X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = t.values[j][i];
  const RowsView view(X.data(), X.rows(), X.cols());
  KMeansConfig config = o.kmeans;
  config.k = o.k;
  config.standardize = !o.no_standardize;
  nlohmann::json j;
  int k = o.k;
  if (!o.k_range.empty()) {
    const auto [lo, hi] = parse_range(o.k_range);
    const KChoice choice = choose_k(view, lo, hi, config, o.silhouette_sample);
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < choice.k.size(); ++i)
      rows.push_back({{"k", choice.k[i]}, {"inertia", choice.inertia[i]}, {"silhouette", choice.silhouette[i]}});
    j["k_range"] = rows;
    j["best_silhouette_k"] = choice.best_silhouette_k;
    j["elbow_k"] = choice.elbow_k;
    if (!o.json) {
      std::cout << fmt::format("{:>4} {:>14} {:>11}\n", "k", "inertia", "silhouette");
      for (std::size_t i = 0; i < choice.k.size(); ++i)
        std::cout << fmt::format("{:>4} {:>14.4f} {:>11.4f}\n", choice.k[i], choice.inertia[i], choice.silhouette[i]);
      std::cout << fmt::format("best silhouette: k = {}; elbow: k = {}\n", choice.best_silhouette_k, choice.elbow_k);
    }
    k = choice.best_silhouette_k;
  }
  if (k < 1) throw InvalidInput("give --k or --k-range");
  config.k = k;
  const KMeansModel model = KMeansModel::fit(view, config, t.names);
  std::vector<std::string> names;
  try {
    names = rfm_cluster_names(model, RfmModel::fit({t.id, t.column("recency"), t.column("frequency"),
                                                     t.column("monetary")}));
  } catch (const InvalidInput&) {
    names.clear();  // no recency / frequency / monetary features: clusters stay numbered
  }
  if (!o.model_out.empty()) save(model, o.model_out);
  if (!(o.json && o.out.empty())) {
    std::string out = "customer_id,cluster" + std::string(names.empty() ? "" : ",cluster_name") + "\n";
    for (std::size_t i = 0; i < n; ++i) {
      out += csv_field(t.id[i]) + ',' + std::to_string(model.labels()[i]);
      if (!names.empty()) out += ',' + csv_field(names[static_cast<std::size_t>(model.labels()[i])]);
      out += '\n';
    }
    write_output(o.out, out);
  }
  nlohmann::json clusters = nlohmann::json::array();
  for (int c = 0; c < model.k(); ++c) {
    nlohmann::json means = nlohmann::json::object();
    for (std::size_t f = 0; f < d; ++f) means[t.names[f]] = model.cluster_means()(c, static_cast<Eigen::Index>(f));
    clusters.push_back({{"cluster", c}, {"size", model.sizes()[static_cast<std::size_t>(c)]}, {"means", means}});
    if (!names.empty()) clusters.back()["name"] = names[static_cast<std::size_t>(c)];
  }
  if (o.json) {
    j["k"] = model.k();
    j["rows"] = n;
    j["inertia"] = model.inertia();
    j["converged"] = model.fit_info().converged;
    j["iterations"] = model.fit_info().iterations;
    j["seconds"] = model.fit_info().seconds;
    j["clusters"] = clusters;
    std::cout << j.dump(2) << '\n';
  } else if (!o.out.empty()) {
    std::cout << fmt::format("k = {}, {} rows, inertia {:.4f}, {} iterations\n", model.k(), n, model.inertia(),
                             model.fit_info().iterations);
    for (const auto& c : clusters) std::cout << c.dump() << '\n';
  }
  return 0;
}

struct TypesOptions {
  TableOptions table{.id_col = "customer_id", .date_col = "date", .amount_col = "amount"};
  std::string discount_col;
  std::string events;
  std::string event_id_col = "customer_id", event_type_col = "type", event_date_col = "date";
  std::string value_col = "value", page_col = "page", survey_col = "survey";
  std::string as_of;
  CustomerTypesConfig config;
  std::string out;
  bool json = false;
};

// Events: id, type (page_view, support_ticket, survey_answer, referral, ...),
// date, and optional value, page and survey columns (used when present).
EventBatch read_events(const TypesOptions& o, IdInterner& ids) {
  CsvReader reader(o.events, o.table.csv(), progress_for("reading " + o.events));
  const std::size_t id_i = reader.resolve(o.event_id_col), type_i = reader.resolve(o.event_type_col),
                    date_i = reader.resolve(o.event_date_col);
  const auto optional_column = [&](const std::string& name) -> std::optional<std::size_t> {
    const auto& h = reader.header();
    for (std::size_t j = 0; j < h.size(); ++j)
      if (h[j] == name) return j;
    return std::nullopt;
  };
  const auto value_i = optional_column(o.value_col), page_i = optional_column(o.page_col),
             survey_i = optional_column(o.survey_col);
  const DateFormat format(o.table.date_format);
  EventBatch ev;
  std::vector<std::string_view> row;
  while (reader.next(row)) {
    if (row[id_i].empty()) reader.fail(id_i, "empty id");
    const auto type = parse_event_type(row[type_i]);
    if (!type) reader.fail(type_i, "unknown event type '" + std::string(row[type_i]) + "'");
    const auto t = format.parse(row[date_i]);
    if (!t) reader.fail(date_i, "'" + std::string(row[date_i]) + "' is not a date (" + format.pattern() + ")");
    double value = std::numeric_limits<double>::quiet_NaN();
    if (value_i && !row[*value_i].empty()) {
      try {
        std::size_t used = 0;
        value = std::stod(std::string(row[*value_i]), &used);
        if (used != row[*value_i].size() || !std::isfinite(value)) throw std::invalid_argument("");
      } catch (const std::exception&) {
        reader.fail(*value_i, "'" + std::string(row[*value_i]) + "' is not a number");
      }
    }
    std::vector<EventProperty> props;
    if (page_i && !row[*page_i].empty()) props.push_back({"page", std::string(row[*page_i])});
    if (survey_i && !row[*survey_i].empty()) props.push_back({"survey", std::string(row[*survey_i])});
    ev.add(ids.intern(row[id_i]), *type, *t, value, props);
  }
  return ev;
}

int run_types(TypesOptions& o) {
  const TransactionColumns columns{.id = o.table.id_col, .date = o.table.date_col, .amount = o.table.amount_col,
                                   .discount = o.discount_col, .date_format = o.table.date_format};
  o.config.as_of = parse_day_argument(o.as_of, "--as-of");
  o.config.page_property = "page";
  TransactionBatch tx =
      read_transactions(o.table.file, o.table.csv(), columns, progress_for("reading " + o.table.file));
  const EventBatch ev = o.events.empty() ? EventBatch{} : read_events(o, tx.ids);
  const CustomerTypes t = customer_types(tx, ev, o.config);
  std::vector<std::string> types(tx.n_customers()), evidence(tx.n_customers());
  std::map<std::string, std::size_t> counts;
  for (const auto& a : t.assignments) {
    const std::string name(to_string(a.type));
    types[a.customer] += (types[a.customer].empty() ? "" : ";") + name;
    evidence[a.customer] += (evidence[a.customer].empty() ? "" : "; ") + name + ": " + a.evidence;
    ++counts[name];
  }
  if (!(o.json && o.out.empty())) {
    std::string csv =
        "customer_id,types,frequency_class,volume_class,referrals,influencer,awareness,evidence,awareness_evidence\n";
    for (std::size_t i = 0; i < tx.n_customers(); ++i)
      csv += csv_field(tx.ids.name(static_cast<std::uint32_t>(i))) + ',' + csv_field(types[i]) + ',' +
             t.frequency_class[i] + ',' + t.volume_class[i] + ',' + std::to_string(t.referrals[i]) + ',' +
             std::to_string(t.influencer[i]) + ',' + t.awareness[i] + ',' + csv_field(evidence[i]) + ',' +
             csv_field(t.awareness_evidence[i]) + '\n';
    write_output(o.out, csv);
  }
  if (o.json) {
    std::size_t influencers = 0;
    for (auto f : t.influencer) influencers += f;
    std::map<std::string, std::size_t> awareness;
    for (const auto& a : t.awareness) ++awareness[a];
    std::cout << nlohmann::json{{"customers", tx.n_customers()},
                                {"types", counts},
                                {"awareness", awareness},
                                {"influencers", influencers}}
                     .dump(2)
              << '\n';
  }
  return 0;
}

struct FitOptions {
  std::string profiles;
  std::string id_col = "customer_id";
  std::string delimiter = ",";
  std::string target;
  std::string out;
  bool json = false;
};

// Profile fit: one row per profile, the weighted share of the target's
// criteria it meets and which.
int run_fit(const FitOptions& o) {
  const std::vector<FitCriterion> target = read_fit_target(o.target);
  IdInterner ids;
  const CsvOptions csv{.delimiter = CsvOptions::parse_delimiter(o.delimiter), .header = true};
  const ProfileTable profiles = scoring::read_profiles(o.profiles, ids, csv, o.id_col);
  ProfileFit fit;
  try {
    fit = profile_fit(profiles, target);
  } catch (const InvalidInput& e) {
    throw InvalidInput(o.target + " against " + o.profiles + ": " + e.what());
  }
  const std::size_t n = fit.score.size();
  if (!(o.json && o.out.empty())) {
    std::string out = csv_field(o.id_col) + ",fit,matched\n";
    for (std::size_t i = 0; i < n; ++i)
      out += csv_field(ids.name(profiles.customer[i])) + ',' + number(fit.score[i]) + ',' + csv_field(fit.matched[i]) +
             '\n';
    write_output(o.out, out);
  }
  if (o.json) {
    std::size_t full = 0, none = 0;
    double sum = 0;
    std::map<std::string, std::size_t> met;
    for (std::size_t i = 0; i < n; ++i) {
      sum += fit.score[i];
      full += fit.score[i] >= 1.0 - 1e-12;
      none += fit.score[i] == 0.0;
    }
    for (std::size_t k = 0; k < target.size(); ++k) met[target[k].field] += fit.met[k];
    std::cout << nlohmann::json{{"profiles", n},
                                {"criteria", target.size()},
                                {"mean_fit", n ? sum / static_cast<double>(n) : 0.0},
                                {"full_fit", full},
                                {"no_fit", none},
                                {"met", met},
                                {"out", o.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.out)}}
                     .dump(2)
              << '\n';
  }
  return 0;
}

}  // namespace

Runner add_segment_command(CLI::App& app) {
  auto* seg = app.add_subcommand("segment", "RFM segments, loyalty tiers and behavioural clusters");
  seg->require_subcommand(1);

  auto ro = std::make_shared<RfmOptions>();
  auto* rfm = seg->add_subcommand("rfm", "RFM scores, named segments and loyalty tiers per customer");
  add_table_options(*rfm, ro->table, "--transactions", "Transactions file (CSV)", {.date = true, .amount = true});
  rfm->add_option("--as-of", ro->as_of, "Day recency is counted from (YYYY-MM-DD)")->required()->type_name("DATE");
  rfm->add_option("--segments", ro->segments, "Segment table: rfm-package, rf-grid or a JSON file")
      ->capture_default_str();
  rfm->add_option("--bins", ro->bins, "Scores per dimension")->capture_default_str()->check(CLI::Range(2, 99));
  rfm->add_option("--method", ro->method, "quantile (R rfm's breaks; ties share a score) or rank (equal sizes)")
      ->capture_default_str()
      ->check(CLI::IsMember({"quantile", "rank"}));
  rfm->add_option("--monetary", ro->monetary, "Monetary value: total or mean spend")
      ->capture_default_str()
      ->check(CLI::IsMember({"total", "mean"}));
  rfm->add_option("--tiers", ro->tiers, "Loyalty tiers NAME:THRESHOLD,... ascending")->capture_default_str();
  rfm->add_option("--tier-measure", ro->tier_measure, "spend, orders or points")->capture_default_str();
  rfm->add_option("--out", ro->out, "Output CSV (stdout when absent)")->type_name("FILE");
  rfm->add_option("--model-out", ro->model_out, "Save the fitted RFM breaks")->type_name("FILE");
  rfm->add_flag("--json", ro->json, "Print a JSON summary (segments, tiers, concentration)");

  auto ko = std::make_shared<KMeansOptions>();
  auto* km = seg->add_subcommand("kmeans", "Behavioural clusters (k-means) of customer features");
  km->add_option("--data", ko->file, "Customer table (CSV)")->required()->type_name("FILE");
  km->add_option("--id-col", ko->id_col, "Id column (default: rows numbered from 1)");
  km->add_option("--delimiter", ko->delimiter, "Field separator")->capture_default_str();
  km->add_flag("--no-header", ko->no_header, "The first line is data; name columns by 0-based index");
  km->add_option("--features", ko->features, "Feature columns, comma-separated")
      ->required()
      ->delimiter(',');
  auto* k_opt = km->add_option("--k", ko->k, "Number of clusters")->check(CLI::Range(1, 100000));
  auto* range_opt = km->add_option("--k-range", ko->k_range, "Try k = A..B; keep the best silhouette");
  k_opt->excludes(range_opt);
  km->add_option("--n-init", ko->kmeans.n_init, "Seeded runs; the least inertia is kept")->capture_default_str();
  km->add_option("--max-iter", ko->kmeans.max_iter, "Iterations per run")->capture_default_str();
  km->add_option("--tol", ko->kmeans.tol, "Convergence tolerance (relative, as scikit-learn)")->capture_default_str();
  km->add_option("--seed", ko->kmeans.seed, "Random seed")->capture_default_str();
  km->add_option("--threads", ko->kmeans.threads, "Threads (0 = all cores)")->capture_default_str();
  km->add_flag("--log1p", ko->kmeans.log1p, "log1p every feature before standardizing");
  km->add_flag("--no-standardize", ko->no_standardize, "Cluster the raw (or log1p) features");
  km->add_option("--silhouette-sample", ko->silhouette_sample, "Rows sampled for the silhouette")
      ->capture_default_str();
  km->add_option("--out", ko->out, "Labels CSV (stdout when absent)")->type_name("FILE");
  km->add_option("--model-out", ko->model_out, "Save the fitted model")->type_name("FILE");
  km->add_flag("--json", ko->json, "Print the clusters as JSON");

  auto to = std::make_shared<TypesOptions>();
  auto* types = seg->add_subcommand("types", "Customer types (new, browser, impulse, discount-driven, angry, loyal), "
                                             "traits and awareness, with the evidence");
  add_table_options(*types, to->table, "--transactions", "Transactions file (CSV)", {.date = true, .amount = true});
  types->add_option("--discount-col", to->discount_col, "0/1, true/false or yes/no: discount applied");
  types->add_option("--events", to->events, "Events (CSV: customer_id, type, date[, value, page, survey])")
      ->type_name("FILE");
  types->add_option("--as-of", to->as_of, "Day the types are judged on")->required()->type_name("DATE");
  auto& c = to->config;
  types->add_option("--new-days", c.new_days, "new: first purchase within this many days")->capture_default_str();
  types->add_option("--intent-min-views", c.intent_min_views, "browser: intent page views")->capture_default_str();
  types->add_option("--intent-window-days", c.intent_window_days, "browser: counted over these days")
      ->capture_default_str();
  types->add_option("--intent-pages", c.intent_pages, "browser: pages showing intent")->delimiter(',')
      ->capture_default_str();
  types->add_option("--impulse-max-hours", c.impulse_max_hours, "impulse: first touch to first purchase")
      ->capture_default_str();
  types->add_option("--discount-min-share", c.discount_min_share, "discount-driven: share of purchases above this")
      ->capture_default_str();
  types->add_option("--angry-window-days", c.angry_window_days, "angry: tickets and answers of these days")
      ->capture_default_str();
  types->add_option("--angry-min-tickets", c.angry_min_tickets, "angry: support tickets")->capture_default_str();
  types->add_option("--loyal-min-periods", c.loyal_min_periods, "loyal: periods with purchases")
      ->capture_default_str();
  types->add_option("--loyal-period-days", c.loyal_period_days, "loyal: period length")->capture_default_str();
  types->add_option("--competitor-pages", c.competitor_pages, "awareness: pages of competitor comparisons")
      ->delimiter(',')
      ->capture_default_str();
  types->add_option("--comparing-min-views", c.comparing_min_views, "awareness: competitor page views to be comparing")
      ->capture_default_str();
  types->add_option("--out", to->out, "Output CSV (stdout when absent)")->type_name("FILE");
  types->add_flag("--json", to->json, "Print counts per type as JSON");

  auto fo = std::make_shared<FitOptions>();
  auto* fit = seg->add_subcommand("fit", "Profile fit: how close each profile is to a target profile (JSON criteria)");
  fit->add_option("--profiles", fo->profiles, "Profiles (CSV): an id column and one column per field")
      ->required()
      ->type_name("FILE");
  fit->add_option("--id-col", fo->id_col, "Id column")->capture_default_str();
  fit->add_option("--delimiter", fo->delimiter, "Field separator")->capture_default_str();
  fit->add_option("--target", fo->target,
                  R"(Target profile (JSON): {"criteria": [{"field": F, "any_of": [...]} or {"field": F, "min": A, )"
                  R"("max": B}, optional "weight"]})")
      ->required()
      ->type_name("FILE");
  fit->add_option("--out", fo->out, "Output CSV: id, fit (0..1), matched (stdout when absent)")->type_name("FILE");
  fit->add_flag("--json", fo->json, "Print a JSON summary (mean fit, profiles meeting all / none, per criterion)");

  return {seg, [=] {
            if (rfm->parsed()) return run_rfm(*ro);
            if (types->parsed()) return run_types(*to);
            if (fit->parsed()) return run_fit(*fo);
            return run_kmeans(*ko);
          }};
}

}  // namespace leadscore::cli
