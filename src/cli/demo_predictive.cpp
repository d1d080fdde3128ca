// The demo's predictive section: which X Education leads will convert,
// learned from 70% of the leads and checked on the other 30%.
#include "demo_predictive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "leadscore/scoring/model.hpp"

namespace leadscore::cli {

void demo_predictive_section(const std::filesystem::path& data_dir) {
  using namespace leadscore::scoring;
  fmt::print("\n== Predictive lead scoring: X Education leads ==\n");
  const DataTable leads =
      read_table((data_dir / "leads" / "Leads.csv").string(), {}, {.missing_values = {"Select"}});
  const auto y = binary_target(leads.view().column("Converted"));
  const Split split = train_test_split(y.size(), 0.3, 42, y);
  const DataTable train = leads.take(split.train), test = leads.take(split.test);
  std::vector<double> ytr, yte;
  for (auto i : split.train) ytr.push_back(y[i]);
  for (auto i : split.test) yte.push_back(y[i]);
  fmt::print("{} leads, {:.1f}% converted; trained on {}, tested on {}\n", y.size(),
             100 * std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size()),
             ytr.size(), yte.size());
  fmt::print(
      "left out: ids, and Tags, Lead Quality, Lead Profile, Asymmetrique *: the sales team fills "
      "them in\n"
      "after contacting the lead, so they leak the outcome\n");
  PredictiveConfig c;
  c.target = "Converted";
  c.features.exclude = {"Prospect ID",
                        "Lead Number",
                        "Tags",
                        "Lead Quality",
                        "Lead Profile",
                        "Asymmetrique Activity Index",
                        "Asymmetrique Profile Index",
                        "Asymmetrique Activity Score",
                        "Asymmetrique Profile Score"};
  std::optional<PredictiveModel> logistic;
  for (ModelKind kind : {ModelKind::logistic, ModelKind::naive_bayes}) {
    c.kind = kind;
    PredictiveModel m = PredictiveModel::fit(train.view(), ytr, c);
    const Evaluation e = evaluate(yte, m.predict_proba(test.view()));
    fmt::print(
        "{:<12} held-out AUC {:.3f}  log loss {:.3f}  Brier {:.3f}  top-decile lift {:.2f}  "
        "top 30% find {:.0f}% of conversions\n",
        to_string(kind), e.auc, e.log_loss, e.brier, e.lift[0].lift,
        100 * e.lift[2].cumulative_gain);
    if (kind == ModelKind::logistic) logistic = std::move(m);
  }
  // The hottest held-out leads, with the reasons a salesperson reads.
  const TableView tv = test.view();
  const auto p = logistic->predict_proba(tv);
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 3, order.end(),
                    [&](auto a, auto b) { return p[a] > p[b]; });
  fmt::print("\nhottest held-out leads (logistic), with their top reasons:\n");
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t i = order[k];
    fmt::print("  lead {}  P(convert) {:.2f}  converted: {}\n", tv.column("Lead Number").text(i),
               p[i], yte[i] == 1.0 ? "yes" : "no");
    for (const Reason& r : logistic->reasons(tv, i, 2))
      fmt::print("      {:+.2f}  {}\n", r.contribution, r.feature);
  }
}

}  // namespace leadscore::cli
