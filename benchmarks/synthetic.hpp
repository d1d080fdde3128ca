#pragma once
// Seeded synthetic transactions for benchmarks: customers arrive over a year
// and buy at Poisson-like gaps, so summaries see realistic repeat patterns.

#include <cstdint>
#include <fstream>
#include <random>
#include <string>

#include "leadscore/core/transactions.hpp"

namespace leadscore::bench {

struct SyntheticColumns {
  std::vector<std::int64_t> customer;  // dense codes
  std::vector<std::int64_t> time;      // seconds since 1970-01-01
  std::vector<double> amount;
  std::size_t n_customers = 0;
};

/// About `n_transactions` purchases by `n_customers` customers, in customer
/// order (as exports usually are), over 2020-01-01 plus two years.
inline SyntheticColumns synthetic_transactions(std::size_t n_transactions, std::size_t n_customers,
                                               std::uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> first_day(0, 364);
  std::geometric_distribution<int> gap(0.02);
  std::lognormal_distribution<double> spend(3.0, 0.8);
  const Timestamp start = Timestamp{18262} * seconds_per_day;  // 2020-01-01
  SyntheticColumns out;
  out.n_customers = n_customers;
  out.customer.reserve(n_transactions);
  out.time.reserve(n_transactions);
  out.amount.reserve(n_transactions);
  const double per_customer = static_cast<double>(n_transactions) / static_cast<double>(n_customers);
  std::poisson_distribution<int> purchases(per_customer - 1);
  for (std::size_t c = 0; c < n_customers; ++c) {
    int day = first_day(rng);
    const int k = 1 + purchases(rng);
    for (int j = 0; j < k && day < 730; ++j) {
      out.customer.push_back(static_cast<std::int64_t>(c));
      out.time.push_back(start + Timestamp{day} * seconds_per_day + static_cast<Timestamp>(rng() % 86400));
      out.amount.push_back(std::round(spend(rng) * 100) / 100);
      day += gap(rng);
    }
  }
  return out;
}

/// Writes columns as customer_id,date,amount with ISO dates.
inline void write_csv(const SyntheticColumns& tx, const std::string& path) {
  std::ofstream out(path);
  out << "customer_id,date,amount\n";
  char line[96];
  for (std::size_t i = 0; i < tx.customer.size(); ++i) {
    const std::string day = format_day(day_of(tx.time[i]));
    std::snprintf(line, sizeof line, "C%07lld,%s,%.2f\n", static_cast<long long>(tx.customer[i]),
                  day.c_str(), tx.amount[i]);
    out << line;
  }
}

}  // namespace leadscore::bench
