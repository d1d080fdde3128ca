#pragma once
// The frequency ("naive Bayes") scorer CRM systems use for predictive lead
// scoring: for each field value, how many leads with that value were won and
// lost. A lead's log-odds is the prior log-odds of winning plus, per field,
// log P(value | won) - log P(value | lost), with additive smoothing. Missing
// values are skipped; numeric fields are bucketed at training quantiles.
// Counts can be updated as leads are won or lost, and give the same model as
// a full rebuild over the same outcomes.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "leadscore/scoring/fit_report.hpp"
#include "leadscore/scoring/table.hpp"

namespace leadscore::scoring {

struct NaiveBayesConfig {
  /// Additive (Laplace) smoothing added to every count.
  double alpha = 1.0;
  /// Quantile buckets for numeric fields (fewer when quantiles tie).
  int buckets = 10;
  /// Fields to use (empty: all not excluded) and fields never used.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

/// One field's counts. Numeric fields: values[k] names bucket k.
struct NaiveBayesField {
  std::string name;
  ColumnKind kind = ColumnKind::categorical;
  std::vector<double> edges;        ///< numeric: interior bucket edges, ascending
  std::vector<std::string> values;  ///< value (or bucket) names
  std::vector<double> won, lost;    ///< counts per value
  double won_total = 0, lost_total = 0;
};

class NaiveBayesModel {
 public:
  /// Learns the fields (levels, bucket edges) from `table` and counts the
  /// outcomes `y` (0/1). Throws InvalidInput on bad targets, missing columns,
  /// alpha <= 0, or a single class.
  static NaiveBayesModel fit(const TableView& table, std::span<const double> y,
                             const NaiveBayesConfig& config = {});

  NaiveBayesModel(std::vector<NaiveBayesField> fields, double won, double lost, double alpha,
                  FitReport report = {});

  /// This model with more outcomes counted (leads just won or lost). Values
  /// not seen before become new levels.
  NaiveBayesModel with_outcomes(const TableView& table, std::span<const double> y) const;
  /// The same fields and buckets, counts recounted from `y` alone.
  NaiveBayesModel rebuilt(const TableView& table, std::span<const double> y) const;

  const std::vector<NaiveBayesField>& fields() const noexcept { return fields_; }
  double won() const noexcept { return won_; }
  double lost() const noexcept { return lost_; }
  double alpha() const noexcept { return alpha_; }
  const FitReport& fit_info() const noexcept { return report_; }

  void log_odds(const TableView& table, std::span<double> out) const;
  void predict_proba(const TableView& table, std::span<double> out) const;
  /// Each field's log-likelihood ratio for `row` ("Lead Source = Reference").
  std::vector<Reason> contributions(const TableView& table, std::size_t row) const;

 private:
  void count(const TableView& table, std::span<const double> y);
  std::vector<const ColumnView*> bind(const TableView& table) const;
  // The value index of `row` in field f, or -1 (missing / unseen).
  long value_index(const NaiveBayesField& f, const ColumnView& c, std::size_t row) const;
  double ratio(const NaiveBayesField& f, long v) const;

  std::vector<NaiveBayesField> fields_;
  double won_ = 0, lost_ = 0, alpha_ = 1.0;
  FitReport report_;
};

}  // namespace leadscore::scoring
