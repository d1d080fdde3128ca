// leadscore value fit | clv: the Gamma-Gamma spend model and lifetime value.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "leadscore/value/clv.hpp"
#include "models.hpp"

namespace leadscore::cli {
namespace {

struct ValueOptions {
  SummaryOptions summary;
  std::string model;
  std::string spend_model;
  std::string out;
  std::string time_unit = "days";
  double penalizer = 0.0;
  int horizon = 12;
  double discount_rate = 0.01;
  bool json = false;
};

int run_fit(const ValueOptions& o) {
  const SummaryColumns s = read_summary(o.summary, false, true);
  const value::SpendView view{s.frequency, s.monetary, s.weight, s.id};
  const auto model = value::GammaGammaModel::fit(view, {.penalizer_coef = o.penalizer});
  const churn::FitInfo& info = model.fit_info();
  const auto skipped = std::count(s.frequency.begin(), s.frequency.end(), 0.0);
  if (!o.out.empty()) value::save(model, o.out);
  if (o.json) {
    nlohmann::json j = fit_json(o.model, info);
    // lifetimes calls the third parameter v; the papers call it gamma.
    j["params"] = {{"p", model.params().p}, {"q", model.params().q}, {"v", model.params().gamma}};
    j["skipped_no_repeat_purchases"] = skipped;
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << fit_table(o.model, info)
              << fmt::format("{} customers without repeat purchases were skipped\n", skipped);
  }
  return 0;
}

double units_per_month(const std::string& unit) { return unit == "weeks" ? 4.345 : 30.0; }

int run_clv(const ValueOptions& o) {
  const ChurnModel churn_model = load_churn_model(o.model);
  if (std::holds_alternative<churn::BgBbModel>(churn_model))
    throw InvalidInput("value clv: " + o.model +
                       " is a BG/BB model (discrete time); CLV needs bgnbd, pareto-nbd or mbgnbd");
  const auto spend = value::load<value::GammaGammaModel>(o.spend_model);
  const SummaryColumns s = read_summary(o.summary, true, true);
  const std::size_t n = s.frequency.size();
  std::vector<double> expected_spend(n), clv(n);
  spend.conditional_expected_average_spend(s.frequency, s.monetary, expected_spend);
  const value::ClvConfig config{.months = o.horizon, .discount_rate = o.discount_rate,
                                .units_per_month = units_per_month(o.time_unit)};
  std::visit(
      [&](const auto& m) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(m)>, churn::BgBbModel>)
          value::customer_lifetime_value(m, spend, s.frequency, s.recency, s.T, s.monetary, clv, config);
      },
      churn_model);
  write_output(o.out, id_table_csv(s.id, {{"expected_spend", &expected_spend}, {"clv", &clv}}));
  return 0;
}

}  // namespace

Runner add_value_command(CLI::App& app) {
  auto* value_cmd = app.add_subcommand("value", "Spend model and customer lifetime value");
  value_cmd->require_subcommand(1);

  auto fit_options = std::make_shared<ValueOptions>();
  auto* fit = value_cmd->add_subcommand("fit", "Fit the Gamma-Gamma spend model to repeat customers");
  fit->add_option("--model", fit_options->model, "Spend model")
      ->required()
      ->check(CLI::IsMember({"gamma-gamma"}));
  add_summary_options(*fit, fit_options->summary, false, true);
  fit->add_option("--penalizer", fit_options->penalizer, "L2 penalty, as lifetimes' penalizer_coef")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  fit->add_option("--out", fit_options->out, "Save the fitted model to this file")->type_name("FILE");
  fit->add_flag("--json", fit_options->json, "Print the fit as JSON");

  auto clv_options = std::make_shared<ValueOptions>();
  auto* clv = value_cmd->add_subcommand(
      "clv", "Discounted customer lifetime value (lifetimes' customer_lifetime_value)");
  clv->add_option("--model", clv_options->model, "A churn model saved by `leadscore churn fit --out`")
      ->required()
      ->type_name("FILE");
  clv->add_option("--spend-model", clv_options->spend_model, "A spend model saved by `leadscore value fit --out`")
      ->required()
      ->type_name("FILE");
  add_summary_options(*clv, clv_options->summary, true, true);
  clv->add_option("--horizon", clv_options->horizon, "Horizon in months")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  clv->add_option("--discount-rate", clv_options->discount_rate, "Discount rate per month")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  clv->add_option("--time-unit", clv_options->time_unit, "Time unit of the summary's recency and T")
      ->check(CLI::IsMember({"days", "weeks"}))
      ->capture_default_str();
  clv->add_option("--out", clv_options->out, "Output CSV (stdout when absent)")->type_name("FILE");

  return {value_cmd, [=] {
            if (fit->parsed()) return run_fit(*fit_options);
            return run_clv(*clv_options);
          }};
}

}  // namespace leadscore::cli
