#pragma once
// RFM: recency, frequency and monetary value per customer, scored 1..bins.
//
//   auto values = segment::rfm_values(transactions, {.as_of = day});
//   auto model  = segment::RfmModel::fit(values, {});      // the breaks
//   auto table  = model.score(values);                      // r, f, m, cell, score
//
// Two binning methods:
//  - quantile (the default; the R `rfm` package's method): breaks are the
//    type-7 quantiles at 1/bins, 2/bins, ... plus `break_offset` (R adds 1);
//    score k covers [break_{k-1}, break_k), so tied values share a score and
//    a bin may be empty. Recency is reversed: fewer days scores higher.
//  - rank: equal-size groups by rank (pandas' qcut on rank(method="first")):
//    customers sorted by value, ties broken by customer order (first seen
//    first), and rank i of n scores floor(i * bins / n) + 1. Recency ranks on
//    minus the days, so ties again go to the customer seen first.
// A fitted model keeps its breaks, so it scores new customers the same way
// (for rank models the break of score k is the smallest value that got k).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/transactions.hpp"
#include "leadscore/segment/customer_totals.hpp"

namespace leadscore::segment {

enum class BinMethod { quantile, rank };
enum class MonetaryMeasure { total, mean };

/// Per customer recency (whole days since the last purchase, as of a day),
/// frequency (number of purchases) and monetary value.
struct RfmValues {
  std::vector<std::string> id;
  std::vector<double> recency;
  std::vector<double> frequency;
  std::vector<double> monetary;

  std::size_t size() const noexcept { return recency.size(); }
};

struct RfmValuesConfig {
  /// The day recency is counted from. Required; a purchase after it is an
  /// error (it names the customer), so a re-run "as of" a past day must be
  /// given the transactions up to that day.
  Day as_of = 0;
  /// Total spend (R rfm's `amount`) or mean spend per purchase.
  MonetaryMeasure monetary = MonetaryMeasure::total;
};

/// Aggregates transactions per customer (in order of first sight). Throws
/// InvalidInput on an invalid batch or a purchase after `as_of`.
RfmValues rfm_values(const TransactionBatch& transactions, const RfmValuesConfig& config);

/// The same from columns: customer[i] in 0..n_customers-1 (ids are left
/// empty; customer c is row c), time[i] in ticks since 1970-01-01 with
/// `ticks_per_day` ticks a day (1 for days, 86400 for seconds, ...).
/// Throws InvalidInput naming the row on a bad code, amount or date.
RfmValues rfm_values(std::span<const std::int64_t> customer, std::size_t n_customers,
                     std::span<const std::int64_t> time, std::int64_t ticks_per_day, std::span<const double> amount,
                     const RfmValuesConfig& config);

/// The same from a TransactionView's columns: customer[i] indexes `names`
/// (used in errors; the result's ids are left empty, customer c is row c),
/// time[i] in seconds since the epoch.
RfmValues rfm_values(std::span<const std::uint32_t> customer, std::span<const std::string_view> names,
                     std::span<const Timestamp> time, std::span<const double> amount, const RfmValuesConfig& config);

/// The same from per-customer totals (CustomerTotals, times in ticks with
/// `ticks_per_day` a day): ids are left empty, customer c is row c. Equal to
/// rfm_values of the rows the totals were gathered from. Throws InvalidInput
/// on columns of different lengths, a customer without purchases or a last
/// purchase after `as_of`.
RfmValues rfm_values(const CustomerTotals& totals, std::int64_t ticks_per_day, const RfmValuesConfig& config);

struct RfmConfig {
  /// Number of scores per dimension (2..99; cells are printed as "rfm"
  /// digits up to 9 bins and as "r-f-m" above).
  int bins = 5;
  BinMethod method = BinMethod::quantile;
  /// Added to every quantile break (R rfm adds 1, which with integer data
  /// makes a break mean "up to and including the quantile"). Quantile only.
  double break_offset = 1.0;
};

/// Scores and cells of many customers.
struct RfmScores {
  std::vector<std::uint8_t> r, f, m;
  int bins = 5;

  std::size_t size() const noexcept { return r.size(); }
  /// "355" (bins <= 9) or "3-5-5".
  std::string cell(std::size_t i) const;
  /// r + f + m.
  int score(std::size_t i) const noexcept { return r[i] + f[i] + m[i]; }
};

class RfmModel {
 public:
  /// Breaks from the customers' values. Throws InvalidInput on no
  /// customers, mismatched lengths, a value that is not finite or is
  /// negative (naming the customer), or bins outside 2..99.
  static RfmModel fit(const RfmValues& values, const RfmConfig& config = {});

  /// fit(values, config) and score(values) in one pass: a rank model ranks
  /// each dimension once instead of twice.
  struct FitScore;
  static FitScore fit_score(const RfmValues& values, const RfmConfig& config = {});

  /// Scores of the customers the model was fitted on reproduce fit()'s
  /// binning exactly (rank method included: ranks on `values`).
  RfmScores score(const RfmValues& values) const;

  /// Scores of any customers by the stored breaks (values below the first
  /// break score as the lowest bin, above the last as the highest).
  void score(std::span<const double> recency, std::span<const double> frequency,
             std::span<const double> monetary, std::span<std::uint8_t> r,
             std::span<std::uint8_t> f, std::span<std::uint8_t> m) const;

  /// One customer.
  struct Row {
    int r, f, m;
  };
  Row score_one(double recency, double frequency, double monetary) const;

  const RfmConfig& config() const noexcept { return config_; }
  /// bins - 1 breaks per dimension, ascending: score k (recency: bins + 1 - k)
  /// covers [break[k-2], break[k-1]).
  const std::vector<double>& recency_breaks() const noexcept { return breaks_[0]; }
  const std::vector<double>& frequency_breaks() const noexcept { return breaks_[1]; }
  const std::vector<double>& monetary_breaks() const noexcept { return breaks_[2]; }

  /// For deserialization: validates and rebuilds a model.
  RfmModel(RfmConfig config, std::vector<double> recency_breaks, std::vector<double> frequency_breaks,
           std::vector<double> monetary_breaks);

  static constexpr const char* kind = "rfm";

 private:
  int bin_of(int dim, double x) const noexcept;
  RfmConfig config_;
  std::vector<double> breaks_[3];
};

struct RfmModel::FitScore {
  RfmModel model;
  RfmScores scores;
};

/// R's type-7 quantile of sorted values at probability p.
double quantile_type7(std::span<const double> sorted, double p);

/// Days since the epoch of an ISO date or %Y%m%d, for configs.
inline Day rfm_day(std::string_view text) { return parse_day_argument(text, "as-of date"); }

}  // namespace leadscore::segment
