// leadscore churn fit | predict: the BTYD models on customer summaries.


#include <iostream>
#include <memory>

#include "commands.hpp"
#include "models.hpp"

namespace leadscore::cli {
namespace {

struct ChurnOptions {
  SummaryOptions summary;
  CLI::Option* T_col = nullptr;
  std::string model;  // fit: a model name; predict: a model file
  std::string out;
  double penalizer = 0.0;
  double horizon = 0.0;
  bool json = false;
};

// BG/BB's age column is the number of opportunities: 'periods' by default.
void default_T_column(ChurnOptions& o, bool discrete) {
  if (discrete && o.T_col->count() == 0) o.summary.T_col = "periods";
}

ChurnModel fit_model(const ChurnOptions& o, const SummaryColumns& s) {
  if (o.model == "bgbb") {
    const churn::DiscreteView view{s.frequency, s.recency, s.T, s.weight, s.id};
    return churn::BgBbModel::fit(view, {.penalizer_coef = o.penalizer});
  }
  const churn::SummaryView view{s.frequency, s.recency, s.T, s.weight, s.id};
  if (o.model == "bgnbd") return churn::BgNbdModel::fit(view, {.penalizer_coef = o.penalizer});
  if (o.model == "pareto-nbd") return churn::ParetoNbdModel::fit(view, {.penalizer_coef = o.penalizer});
  return churn::MbgNbdModel::fit(view, {.penalizer_coef = o.penalizer});
}

int run_fit(ChurnOptions& o) {
  default_T_column(o, o.model == "bgbb");
  const SummaryColumns s = read_summary(o.summary, true, false);
  const ChurnModel model = fit_model(o, s);
  const churn::FitInfo& info = std::visit([](const auto& m) -> const churn::FitInfo& { return m.fit_info(); }, model);
  if (!o.out.empty()) {
    // churn::save writes to a temporary name and renames.
    std::visit([&](const auto& m) { churn::save(m, o.out); }, model);
  }
  if (o.json)
    std::cout << fit_json(o.model, info).dump(2) << '\n';
  else
    std::cout << fit_table(o.model, info);
  return 0;
}

int run_predict(ChurnOptions& o) {
  const ChurnModel model = load_churn_model(o.model);
  const bool discrete = std::holds_alternative<churn::BgBbModel>(model);
  default_T_column(o, discrete);
  const SummaryColumns s = read_summary(o.summary, true, false);
  const std::size_t n = s.frequency.size();
  std::vector<double> p_alive(n), expected(n);
  std::visit(
      [&](const auto& m) {
        m.p_alive(s.frequency, s.recency, s.T, p_alive);
        m.expected_purchases(o.horizon, s.frequency, s.recency, s.T, expected);
      },
      model);
  std::vector<double> churn_risk(n);
  for (std::size_t i = 0; i < n; ++i) churn_risk[i] = 1.0 - p_alive[i];
  write_output(o.out, id_table_csv(s.id, {{"p_alive", &p_alive},
                                          {"churn_risk", &churn_risk},
                                          {"expected_purchases", &expected}}));
  return 0;
}

}  // namespace

Runner add_churn_command(CLI::App& app) {
  auto* churn_cmd = app.add_subcommand("churn", "BTYD churn models: P(alive), churn risk, expected purchases");
  churn_cmd->require_subcommand(1);

  auto fit_options = std::make_shared<ChurnOptions>();
  auto* fit = churn_cmd->add_subcommand("fit", "Fit a churn model to customer summaries");
  fit->add_option("--model", fit_options->model, "Model to fit")
      ->required()
      ->check(CLI::IsMember(churn_model_names));
  add_summary_options(*fit, fit_options->summary, true, false);
  fit_options->T_col = fit->get_option("--T-col");
  fit->add_option("--penalizer", fit_options->penalizer,
                  "L2 penalty on the parameters, as lifetimes' penalizer_coef")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  fit->add_option("--out", fit_options->out, "Save the fitted model to this file")->type_name("FILE");
  fit->add_flag("--json", fit_options->json, "Print the fit as JSON");

  auto predict_options = std::make_shared<ChurnOptions>();
  auto* predict = churn_cmd->add_subcommand("predict", "P(alive), churn risk and expected purchases per customer");
  predict->add_option("--model", predict_options->model, "A model saved by `leadscore churn fit --out`")
      ->required()
      ->type_name("FILE");
  add_summary_options(*predict, predict_options->summary, true, false);
  predict_options->T_col = predict->get_option("--T-col");
  predict->add_option("--horizon", predict_options->horizon,
                      "Expected purchases over this many time units (bgbb: opportunities)")
      ->required()
      ->check(CLI::NonNegativeNumber);
  predict->add_option("--out", predict_options->out, "Output CSV (stdout when absent)")->type_name("FILE");

  return {churn_cmd, [=] {
            if (fit->parsed()) return run_fit(*fit_options);
            return run_predict(*predict_options);
          }};
}

}  // namespace leadscore::cli
