// leadscore demo, segmentation: the R rfm package's example reproduced, then
// RFM segments, tiers, revenue concentration and k-means clusters of the UCI
// Online Retail invoices (Dec 2010 - Feb 2011); their customer types and
// purchase funnel; CDNOW's monthly acquisition cohorts.

#include "demo_segment.hpp"

#include <fmt/format.h>

#include <map>

#include "leadscore/io/csv.hpp"
#include "leadscore/segment/cluster_names.hpp"
#include "leadscore/segment/cohorts.hpp"
#include "leadscore/segment/concentration.hpp"
#include "leadscore/segment/customer_types.hpp"
#include "leadscore/segment/funnel.hpp"
#include "leadscore/segment/kmeans.hpp"
#include "leadscore/segment/segments.hpp"
#include "leadscore/segment/tiers.hpp"

namespace leadscore::cli {
namespace {

// Customer types, awareness and a purchase funnel of the retail invoices;
// retention by acquisition cohort of the CDNOW sample.
void demo_customers(const std::filesystem::path& dir) {
  using namespace leadscore::segment;
  const auto tx = read_transactions((dir / "retail" / "online_retail_invoices.csv").string());
  fmt::print("\n== Customer types of the same invoices, as of 2011-02-28 (no events: purchases only; loyal = "
             "purchases in 2+ periods of 30 days) ==\n");
  CustomerTypesConfig config;
  config.as_of = parse_day_argument("2011-02-28", "as-of");
  config.loyal_period_days = 30;
  const CustomerTypes types = customer_types(tx, EventBatch{}, config);
  std::map<std::string, std::pair<int, std::string>> by_type;  // count, first evidence
  for (const auto& a : types.assignments) {
    auto& t = by_type[std::string(to_string(a.type))];
    if (t.first++ == 0) t.second = tx.ids.name(a.customer) + ": " + a.evidence;
  }
  for (const auto& [name, t] : by_type) fmt::print("  {:<8} {:>5}   e.g. {}\n", name, t.first, t.second);
  std::map<std::string, int> awareness, frequency;
  for (std::size_t i = 0; i < types.awareness.size(); ++i) {
    ++awareness[types.awareness[i]];
    ++frequency[types.frequency_class[i]];
  }
  fmt::print("  awareness:");
  for (const auto& [name, n] : awareness) fmt::print(" {} {}", name, n);
  fmt::print("\n  purchase frequency:");
  for (const auto& [name, n] : frequency) fmt::print(" {} {}", name, n);
  fmt::print("\n");

  // Funnel: a customer at the first invoice, repeat at the second, loyal at
  // the first invoice in a third calendar month.
  std::vector<std::vector<Timestamp>> times(tx.n_customers());
  for (std::size_t i = 0; i < tx.size(); ++i) times[tx.customer[i]].push_back(tx.time[i]);
  std::vector<std::int64_t> record;
  std::vector<LifecycleStage> stage;
  std::vector<Timestamp> when;
  for (std::size_t c = 0; c < times.size(); ++c) {
    auto& t = times[c];
    std::sort(t.begin(), t.end());
    const auto add = [&](LifecycleStage s, Timestamp at) {
      record.push_back(static_cast<std::int64_t>(c)), stage.push_back(s), when.push_back(at);
    };
    add(LifecycleStage::customer, t[0]);
    if (t.size() > 1) add(LifecycleStage::repeat, t[1]);
    std::vector<int> months;
    for (auto at : t) {
      const int m = month_index(static_cast<Day>(at / seconds_per_day));
      if (months.empty() || months.back() != m) months.push_back(m);
      if (months.size() == 3) {
        add(LifecycleStage::loyal, at);
        break;
      }
    }
  }
  const FunnelReport f = funnel(record, times.size(), stage, when);
  fmt::print("\nPurchase funnel (customer at the first invoice, repeat at the second, loyal in a third month):\n");
  for (auto s : {LifecycleStage::customer, LifecycleStage::repeat, LifecycleStage::loyal}) {
    const auto k = static_cast<std::size_t>(s);
    fmt::print("  {:<9} reached by {:>5}", to_string(s), f.reached[k]);
    if (k + 1 < f.reached.size() && s != LifecycleStage::loyal)
      fmt::print("; {:>5.1f}% went on, after a median {:.0f} days", 100 * f.conversion[k], f.median_days[k]);
    fmt::print("\n");
  }

  fmt::print("\n== Retention by monthly acquisition cohort: CDNOW sample (1997-01 .. 1998-06) ==\n");
  const auto cd = read_transactions((dir / "cdnow" / "CDNOW_sample.txt").string(),
                                    {.delimiter = CsvOptions::whitespace, .header = false},
                                    {.id = ColumnRef::at(1), .date = ColumnRef::at(2), .amount = ColumnRef::at(4),
                                     .discount = {}, .date_format = "%Y%m%d"});
  const CohortTable ct = cohorts(cd);
  fmt::print("  {:<8} {:>9} {:>7} {:>7} {:>7} {:>7}   churn in month 1\n", "cohort", "customers", "m1", "m3", "m6",
             "m12");
  for (std::size_t c = 0; c < ct.n_cohorts(); ++c) {
    fmt::print("  {:<8} {:>9}", format_day(ct.cohort[c]).substr(0, 7), ct.size[c]);
    for (std::size_t m : {1, 3, 6, 12}) fmt::print(" {:>6.1f}%", 100 * ct.retention(c, m));
    fmt::print("   {:.1f}%\n", 100 * ct.churn(c, 1));
  }
}

}  // namespace

void demo_segment(const std::filesystem::path& dir) {
  using namespace leadscore::segment;
  fmt::print("\n== Segmentation: the R rfm package's example (rfm_data_orders, as of 2006-12-31) ==\n");
  {
    const auto tx = read_transactions((dir / "retail" / "rfm_data_orders.csv").string(), {},
                                      {.id = "customer_id", .date = "order_date", .amount = "revenue"});
    const auto values = rfm_values(tx, {.as_of = parse_day_argument("2006-12-31", "as-of")});
    const auto model = RfmModel::fit(values);
    const auto table = SegmentTable::rfm_package();
    const auto seg = table.assign(model.score(values));
    std::map<std::string, int> counts;
    for (auto s : seg) ++counts[table.name(s)];
    fmt::print("{} customers; frequency breaks {} (R prints 4, 5, 6, 8)\n", values.size(),
               fmt::join(model.frequency_breaks(), ", "));
    for (const auto& [name, n] : counts) fmt::print("  {:<20} {:>4}\n", name, n);
  }

  fmt::print("\n== Segmentation: UCI Online Retail invoices, as of 2011-02-28 ==\n");
  const auto tx = read_transactions((dir / "retail" / "online_retail_invoices.csv").string());
  const auto values = rfm_values(tx, {.as_of = parse_day_argument("2011-02-28", "as-of")});
  const auto model = RfmModel::fit(values);
  const auto scores = model.score(values);
  const auto grid = SegmentTable::rf_grid();
  const auto seg = grid.assign(scores);
  const Concentration c = concentration(values.monetary);
  fmt::print("{} customers, {} invoices, revenue {:.0f}\n", values.size(), tx.size(), c.total);
  fmt::print("revenue from the top 1% / 10% / 20% of customers: {:.1f}% / {:.1f}% / {:.1f}%; Gini {:.3f}\n",
             100 * c.top_1, 100 * c.top_10, 100 * c.top_20, c.gini);
  fmt::print("80% of revenue comes from {:.1f}% of customers\n\n", 100 * c.customers_for_80);

  std::map<std::string, std::pair<int, double>> by_segment;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto& s = by_segment[grid.name(seg[i])];
    ++s.first;
    s.second += values.monetary[i];
  }
  fmt::print("{:<20} {:>9} {:>9}\n", "RF-grid segment", "customers", "revenue");
  for (const auto& rule : grid.rules()) {
    const auto it = by_segment.find(rule.name);
    if (it == by_segment.end()) continue;
    fmt::print("{:<20} {:>9} {:>8.1f}%\n", rule.name, it->second.first, 100 * it->second.second / c.total);
  }

  TierConfig tiers;
  const auto tier = assign_tiers(tiers, values.frequency, values.monetary);
  std::vector<int> per_tier(tiers.tiers.size() + 1, 0);
  for (auto t : tier) ++per_tier[t];
  fmt::print("\nloyalty tiers by spend:");
  for (std::size_t t = 0; t < tiers.tiers.size(); ++t)
    fmt::print(" {} (>= {:g}) {}", tiers.tiers[t].name, tiers.tiers[t].threshold, per_tier[t]);
  fmt::print("\n");

  // Behavioural clusters on log1p-standardized recency, frequency, monetary.
  RowMatrix X(static_cast<Eigen::Index>(values.size()), 3);
  for (std::size_t i = 0; i < values.size(); ++i)
    X.row(static_cast<Eigen::Index>(i)) << values.recency[i], values.frequency[i], values.monetary[i];
  const RowsView view(X.data(), X.rows(), X.cols());
  const KMeansConfig config{.k = 0, .n_init = 10, .seed = 1, .log1p = true};
  const KChoice choice = choose_k(view, 2, 8, config, 1000);
  fmt::print("\nk-means (log1p + standardized R, F, M; 10 restarts): k  inertia  silhouette\n");
  for (std::size_t i = 0; i < choice.k.size(); ++i)
    fmt::print("  {:>2} {:>9.1f} {:>8.3f}\n", choice.k[i], choice.inertia[i], choice.silhouette[i]);
  fmt::print("best silhouette at k = {}, elbow at k = {}\n", choice.best_silhouette_k, choice.elbow_k);
  KMeansConfig best = config;
  best.k = std::max(choice.elbow_k, choice.best_silhouette_k);
  const auto km = KMeansModel::fit(view, best, {"recency", "frequency", "monetary"});
  const auto names = rfm_cluster_names(km, model);
  fmt::print("\nk = {} clusters (named by the RF grid of their mean R, F, M):\n", km.k());
  fmt::print("  {:<24} {:>9} {:>8} {:>9} {:>9}\n", "cluster", "customers", "recency", "frequency", "monetary");
  for (int k = 0; k < km.k(); ++k)
    fmt::print("  {:<24} {:>9} {:>8.1f} {:>9.2f} {:>9.1f}\n", names[static_cast<std::size_t>(k)],
               km.sizes()[static_cast<std::size_t>(k)], km.cluster_means()(k, 0), km.cluster_means()(k, 1),
               km.cluster_means()(k, 2));
  demo_customers(dir);
}

}  // namespace leadscore::cli
