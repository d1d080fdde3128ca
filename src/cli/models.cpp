#include "models.hpp"

#include <fmt/format.h>

#include <fstream>

namespace leadscore::cli {

void add_summary_options(CLI::App& command, SummaryOptions& o, bool recency_and_T, bool monetary) {
  add_table_options(command, o.table, "--summary",
                    "Customer summary (CSV), as `leadscore summarize` writes it", {});
  command.get_option("--id-col")->each([&o](const std::string&) { o.id_given = true; });
  command.add_option("--frequency-col", o.frequency_col, "Repeat purchases column")
      ->capture_default_str();
  if (recency_and_T) {
    command.add_option("--recency-col", o.recency_col, "Recency column")->capture_default_str();
    command.add_option("--T-col", o.T_col,
                       "Age column (T; for bgbb the number of opportunities, default 'periods')");
  }
  if (monetary)
    command.add_option("--monetary-col", o.monetary_col, "Mean repeat spend column")
        ->capture_default_str();
  command.add_option("--weights-col", o.weights_col,
                     "Optional column of counts: each row stands for that many customers");
}

SummaryColumns read_summary(const SummaryOptions& o, bool recency_and_T, bool monetary) {
  std::vector<ColumnRef> wanted{o.frequency_col};
  if (recency_and_T) wanted.insert(wanted.end(), {o.recency_col, o.T_col});
  if (monetary) wanted.emplace_back(o.monetary_col);
  if (!o.weights_col.empty()) wanted.emplace_back(o.weights_col);

  // Without --id-col, a file with no customer_id column is numbered by row.
  ColumnRef id = o.table.id_col;
  if (!o.id_given) {
    CsvReader probe(o.table.file, o.table.csv());
    const auto& header = probe.header();
    if (std::find(header.begin(), header.end(), o.table.id_col) == header.end()) id = ColumnRef();
  }
  NumericTable table = read_numeric_table(o.table.file, o.table.csv(), id, wanted,
                                          progress_for("reading " + o.table.file));
  SummaryColumns out;
  out.id = std::move(table.id);
  std::size_t k = 0;
  out.frequency = std::move(table.values[k++]);
  if (recency_and_T) {
    out.recency = std::move(table.values[k++]);
    out.T = std::move(table.values[k++]);
  }
  if (monetary) out.monetary = std::move(table.values[k++]);
  if (!o.weights_col.empty()) out.weight = std::move(table.values[k++]);
  return out;
}

ChurnModel load_churn_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SerializationError("cannot open model file " + path);
  std::string magic, kind;
  in >> magic >> kind;
  if (magic != "leadscore-model")
    throw SerializationError(path + " is not a leadscore model file");
  if (kind == churn::BgNbdModel::kind) return churn::load<churn::BgNbdModel>(path);
  if (kind == churn::ParetoNbdModel::kind) return churn::load<churn::ParetoNbdModel>(path);
  if (kind == churn::MbgNbdModel::kind) return churn::load<churn::MbgNbdModel>(path);
  if (kind == churn::BgBbModel::kind) return churn::load<churn::BgBbModel>(path);
  throw SerializationError(path + " holds a '" + kind + "' model, not a churn model");
}

nlohmann::json fit_json(const std::string& model, const churn::FitInfo& info) {
  nlohmann::json params = nlohmann::json::object(), se = nlohmann::json::object(),
                 ci = nlohmann::json::object();
  for (std::size_t k = 0; k < info.names.size(); ++k) {
    params[info.names[k]] = info.estimates[k];
    if (info.standard_errors_ok) {
      se[info.names[k]] = info.standard_errors[k];
      ci[info.names[k]] = {info.ci_lower[k], info.ci_upper[k]};
    }
  }
  return {{"model", model},
          {"params", params},
          {"standard_errors", se},
          {"confidence_intervals", ci},
          {"confidence_level", info.confidence_level},
          {"log_likelihood", info.log_likelihood},
          {"n_customers", info.n_customers},
          {"n_unique_rows", info.n_unique},
          {"iterations", info.iterations},
          {"converged", info.converged},
          {"seconds", info.seconds}};
}

std::string fit_table(const std::string& model, const churn::FitInfo& info) {
  std::string out = fmt::format("{} fit on {:g} customers ({} distinct rows): log-likelihood {:.4f}, "
                                "{} iterations, {:.3f} s\n",
                                model, info.n_customers, info.n_unique, info.log_likelihood,
                                info.iterations, info.seconds);
  out += fmt::format("{:>8} {:>12} {:>12} {:>25}\n", "param", "estimate", "std. error",
                     fmt::format("{:g}% interval", 100 * info.confidence_level));
  for (std::size_t k = 0; k < info.names.size(); ++k)
    out += fmt::format("{:>8} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g}\n", info.names[k],
                       info.estimates[k], info.standard_errors[k], info.ci_lower[k],
                       info.ci_upper[k]);
  return out;
}

}  // namespace leadscore::cli
