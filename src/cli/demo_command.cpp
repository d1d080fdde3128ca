// leadscore demo: the whole pipeline on the CDNOW sample shipped in data/.

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>

#include "commands.hpp"
#include "common.hpp"
#include "demo_rules.hpp"
#include "demo_predictive.hpp"
#include "demo_segment.hpp"
#include "leadscore/churn/bg_nbd.hpp"
#include "leadscore/churn/check.hpp"
#include "leadscore/churn/pareto_nbd.hpp"
#include "leadscore/summary/summarize.hpp"
#include "leadscore/value/clv.hpp"

namespace leadscore::cli {
namespace {

namespace fs = std::filesystem;

// The shipped data: --data-dir, then $LEADSCORE_DATA_DIR, then the source
// tree this binary was built from, then the installed copy.
fs::path find_data_dir(const std::string& given) {
  std::vector<fs::path> candidates;
  if (!given.empty()) candidates.emplace_back(given);
  if (const char* env = std::getenv("LEADSCORE_DATA_DIR")) candidates.emplace_back(env);
  candidates.emplace_back(LEADSCORE_SOURCE_DATA_DIR);
  candidates.emplace_back(LEADSCORE_INSTALL_DATA_DIR);
  for (const auto& dir : candidates)
    if (fs::exists(dir / "cdnow" / "CDNOW_sample.txt")) return dir;
  throw Error("demo: cannot find the shipped data (data/cdnow/CDNOW_sample.txt); pass --data-dir");
}

double share_of_top(std::vector<double> spend, double top_fraction) {
  std::sort(spend.begin(), spend.end(), std::greater<>());
  const double total = std::accumulate(spend.begin(), spend.end(), 0.0);
  const auto n_top = static_cast<std::size_t>(std::ceil(top_fraction * static_cast<double>(spend.size())));
  const double top = std::accumulate(spend.begin(), spend.begin() + static_cast<std::ptrdiff_t>(n_top), 0.0);
  return total > 0 ? top / total : 0.0;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

void section(const std::string& title) { fmt::print("\n== {} ==\n", title); }

void transactions_section(const TransactionBatch& tx, const CustomerSummary& s) {
  section("Customers and transactions (CDNOW 1/10 sample, Jan 1997 - Jun 1998)");
  const auto [first, last] = std::minmax_element(tx.time.begin(), tx.time.end());
  fmt::print("customers             {:>8}\n", tx.n_customers());
  fmt::print("transactions          {:>8}\n", tx.size());
  fmt::print("first / last purchase {} / {}\n", format_day(day_of(*first)), format_day(day_of(*last)));

  std::vector<double> spend(tx.n_customers(), 0.0);
  for (std::size_t i = 0; i < tx.size(); ++i) spend[tx.customer[i]] += tx.amount[i];
  const double revenue = std::accumulate(spend.begin(), spend.end(), 0.0);
  fmt::print("revenue               {:>11.2f}\n", revenue);
  fmt::print("revenue from the top 20% of customers: {:.1f}%\n", 100 * share_of_top(spend, 0.2));

  section("Repeat buying in the 39-week calibration period (to 1997-09-30)");
  std::size_t repeaters = 0;
  std::vector<double> repeat_recency;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.frequency[i] > 0) ++repeaters, repeat_recency.push_back(s.recency[i]);
  fmt::print("repeat-purchase rate  {:.1f}% ({} of {} customers bought again)\n",
             100.0 * static_cast<double>(repeaters) / static_cast<double>(s.size()), repeaters, s.size());

  fmt::print("\nrepeat purchase days  customers\n");
  const std::vector<std::pair<double, double>> bins{{0, 0}, {1, 1}, {2, 2}, {3, 5}, {6, 10}, {11, 1e9}};
  for (const auto& [lo, hi] : bins) {
    const auto count = std::count_if(s.frequency.begin(), s.frequency.end(),
                                     [&](double f) { return f >= lo && f <= hi; });
    const std::string label = lo == hi ? fmt::format("{}", lo)
                              : hi > 1e8 ? fmt::format("{}+", lo) : fmt::format("{}-{}", lo, hi);
    fmt::print("{:>20}  {:>9}  {}\n", label, count,
               std::string(static_cast<std::size_t>(60.0 * static_cast<double>(count) / static_cast<double>(s.size())), '#'));
  }
  fmt::print("\nrecency of repeat buyers (weeks from first to last purchase)\n");
  fmt::print("  quartiles {:.1f} / {:.1f} / {:.1f}, max {:.1f}\n", quantile(repeat_recency, 0.25),
             quantile(repeat_recency, 0.5), quantile(repeat_recency, 0.75), quantile(repeat_recency, 1.0));
  fmt::print("holdout period (to 1998-06-30): {} purchase days by these customers\n",
             std::accumulate(s.frequency_holdout.begin(), s.frequency_holdout.end(), 0.0));
}

void churn_section(const TransactionBatch& tx, const CustomerSummary& s) {
  section("Churn risk: BTYD models fitted on the calibration period");
  const churn::SummaryView view{s.frequency, s.recency, s.T, {}, {}};
  const auto bg = churn::BgNbdModel::fit(view);
  const auto pnbd = churn::ParetoNbdModel::fit(view);
  const auto& b = bg.params();
  const auto& p = pnbd.params();
  fmt::print("BG/NBD      r {:.3f}  alpha {:.3f}  a {:.3f}  b {:.3f}      LL {:.1f}  ({:.1f} ms)\n", b.r,
             b.alpha, b.a, b.b, bg.fit_info().log_likelihood, 1e3 * bg.fit_info().seconds);
  fmt::print("  published r 0.243  alpha 4.414  a 0.793  b 2.426      LL -9582.4\n");
  fmt::print("Pareto/NBD  r {:.3f}  alpha {:.3f}  s {:.3f}  beta {:.3f}  LL {:.1f}  ({:.1f} ms)\n", p.r,
             p.alpha, p.s, p.beta, pnbd.fit_info().log_likelihood, 1e3 * pnbd.fit_info().seconds);
  fmt::print("  published r 0.553  alpha 10.578  s 0.606  beta 11.669  LL -9595.0\n");

  const auto report = churn::calibration_holdout(bg, view, s.frequency_holdout, s.duration_holdout);
  fmt::print("holdout check (39 weeks): predicted {:.0f} repeat purchases, actual {:.0f}; "
             "per-customer MAE {:.2f}, correlation {:.2f}\n",
             report.total_predicted, report.total_actual, report.mae, report.correlation);

  section("Value: Gamma-Gamma spend model and 12-month CLV (1% a month)");
  const auto spend = value::GammaGammaModel::fit({s.frequency, s.monetary_value, {}, {}});
  fmt::print("Gamma-Gamma p {:.2f}  q {:.2f}  gamma {:.2f}   (published 6.25, 3.74, 15.44)\n",
             spend.params().p, spend.params().q, spend.params().gamma);
  const std::size_t n = s.size();
  std::vector<double> p_alive(n), clv(n);
  bg.p_alive(s.frequency, s.recency, s.T, p_alive);
  value::customer_lifetime_value(bg, spend, s.frequency, s.recency, s.T, s.monetary_value, clv,
                                 {.months = 12, .discount_rate = 0.01, .units_per_month = 4.345});
  fmt::print("expected value of these customers over the next 12 months: ${:.0f}\n",
             std::accumulate(clv.begin(), clv.end(), 0.0));

  // Most valuable yet most at risk: the biggest repeat spenders whose churn
  // risk is above one half.
  std::vector<std::size_t> at_risk;
  for (std::size_t i = 0; i < n; ++i)
    if (p_alive[i] < 0.5 && s.frequency[i] > 0) at_risk.push_back(i);
  const auto repeat_spend = [&](std::size_t i) { return s.frequency[i] * s.monetary_value[i]; };
  std::sort(at_risk.begin(), at_risk.end(),
            [&](std::size_t x, std::size_t y) { return repeat_spend(x) > repeat_spend(y); });
  fmt::print("\nmost valuable customers most at risk ({} repeat buyers with churn risk > 50%)\n",
             at_risk.size());
  fmt::print("{:>9} {:>8} {:>9} {:>7} {:>13} {:>11} {:>9}\n", "customer", "repeats", "recency", "T",
             "repeat spend", "churn risk", "CLV");
  for (std::size_t k = 0; k < std::min<std::size_t>(5, at_risk.size()); ++k) {
    const std::size_t i = at_risk[k];
    fmt::print("{:>9} {:>8.0f} {:>9.1f} {:>7.1f} {:>13.2f} {:>10.0f}% {:>9.2f}\n",
               tx.ids.name(s.customer[i]), s.frequency[i], s.recency[i], s.T[i], repeat_spend(i),
               100 * (1 - p_alive[i]), clv[i]);
  }

  section("52-week sales forecast for these customers (BG/NBD x Gamma-Gamma)");
  std::vector<double> expected_spend(n), purchases(n);
  spend.conditional_expected_average_spend(s.frequency, s.monetary_value, expected_spend);
  fmt::print("{:>6} {:>22} {:>16}\n", "weeks", "repeat purchases", "revenue");
  for (int week : {13, 26, 39, 52}) {
    bg.expected_purchases(week, s.frequency, s.recency, s.T, purchases);
    double total = 0, revenue = 0;
    for (std::size_t i = 0; i < n; ++i) total += purchases[i], revenue += purchases[i] * expected_spend[i];
    fmt::print("{:>6} {:>22.0f} {:>16.0f}\n", week, total, revenue);
  }
  fmt::print("(actual repeat purchase days in the 39 holdout weeks: {:.0f})\n", report.total_actual);
}

int run(const std::string& data_dir) {
  const fs::path dir = find_data_dir(data_dir);
  const CsvOptions csv{.delimiter = CsvOptions::whitespace, .header = false};
  const TransactionColumns columns{.id = ColumnRef::at(1), .date = ColumnRef::at(2),
                                   .amount = ColumnRef::at(4), .discount = {},
                                   .date_format = "%Y%m%d"};
  const TransactionBatch tx = read_transactions((dir / "cdnow" / "CDNOW_sample.txt").string(), csv, columns);
  SummaryConfig config;
  config.time_unit = TimeUnit::weeks;
  config.calibration_end = parse_day_argument("1997-09-30", "calibration end");
  config.observation_end = parse_day_argument("1998-06-30", "observation end");
  const CustomerSummary summary = summarize(tx, config);

  fmt::print("leadscore demo: who buys again, and how much\n");
  transactions_section(tx, summary);
  churn_section(tx, summary);
  rules_demo_section(dir);
  demo_predictive_section(dir);
  demo_segment(dir);
  return 0;
}

}  // namespace

Runner add_demo_command(CLI::App& app) {
  auto data_dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("demo", "Run every engine on the data shipped with leadscore");
  cmd->add_option("--data-dir", *data_dir, "Folder of the shipped data (default: found)")
      ->type_name("DIR");
  return {cmd, [data_dir] { return run(*data_dir); }};
}

}  // namespace leadscore::cli
