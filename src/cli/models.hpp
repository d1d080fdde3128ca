#pragma once
// What the churn and value subcommands share: reading summary files, the
// fitted model kinds, and loading a saved model whose kind the file names.

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

#include "common.hpp"
#include "leadscore/churn/archive.hpp"
#include "leadscore/churn/fit.hpp"
#include "leadscore/value/archive.hpp"

namespace leadscore::cli {

using ChurnModel = std::variant<churn::BgNbdModel, churn::ParetoNbdModel, churn::MbgNbdModel,
                                churn::BgBbModel>;

/// Options naming the columns of a summary file (as `leadscore summarize`
/// writes them, or mapped for other layouts).
struct SummaryOptions {
  TableOptions table{.id_col = "customer_id"};
  bool id_given = false;  // --id-col given: then the column must exist
  std::string frequency_col = "frequency";
  std::string recency_col = "recency";
  std::string T_col = "T";
  std::string monetary_col = "monetary_value";
  std::string weights_col;
};

/// Adds --summary FILE and the column options. With `monetary`, adds
/// --monetary-col; with `T`, --T-col (its default is `T_default`).
void add_summary_options(CLI::App& command, SummaryOptions& options, bool recency_and_T,
                         bool monetary);

/// A summary read into columns: ids (row numbers from 1 when the file has no
/// id column and none was asked for) and the wanted numeric columns.
struct SummaryColumns {
  std::vector<std::string> id;
  std::vector<double> frequency, recency, T, monetary, weight;
};
SummaryColumns read_summary(const SummaryOptions& options, bool recency_and_T, bool monetary);

/// bgnbd, pareto-nbd, mbgnbd, bgbb: the CLI names of the churn models.
inline const std::vector<std::string> churn_model_names{"bgnbd", "pareto-nbd", "mbgnbd", "bgbb"};

/// Loads a churn model saved by `leadscore churn fit --out`, whatever its kind.
ChurnModel load_churn_model(const std::string& path);

/// {name: value} of each parameter, and the fit report.
nlohmann::json fit_json(const std::string& model, const churn::FitInfo& info);

/// A human-readable table of the parameters with standard errors.
std::string fit_table(const std::string& model, const churn::FitInfo& info);

}  // namespace leadscore::cli
