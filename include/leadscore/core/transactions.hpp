#pragma once
// Purchases, stored columnar: the input of summaries, RFM, BTYD models and
// loyalty tiers.

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/core/ids.hpp"

namespace leadscore {

/// Transactions of many customers, struct of arrays: row i is a purchase by
/// customer[i] (a dense id into `ids`) at time[i] for amount[i], with
/// discounted[i] set when a discount was applied (empty when unknown).
struct TransactionBatch {
  IdInterner ids;
  std::vector<std::uint32_t> customer;
  std::vector<Timestamp> time;
  std::vector<double> amount;
  std::vector<std::uint8_t> discounted;

  std::size_t size() const noexcept { return customer.size(); }
  std::size_t n_customers() const noexcept { return ids.size(); }

  void reserve(std::size_t n) {
    customer.reserve(n);
    time.reserve(n);
    amount.reserve(n);
  }

  /// Adds one purchase; `id` is interned.
  void add(std::string_view id, Timestamp when, double value) {
    customer.push_back(ids.intern(id));
    time.push_back(when);
    amount.push_back(value);
  }

  /// Throws InvalidInput on mismatched columns, unknown customers, or an
  /// amount that is negative or not finite (naming the customer).
  void validate() const {
    const std::size_t n = customer.size();
    if (time.size() != n || amount.size() != n || (!discounted.empty() && discounted.size() != n))
      throw InvalidInput("TransactionBatch: columns differ in length");
    for (std::size_t i = 0; i < n; ++i) {
      if (customer[i] >= ids.size())
        throw InvalidInput("TransactionBatch: row " + std::to_string(i) +
                           " refers to an unknown customer");
      if (!std::isfinite(amount[i]) || amount[i] < 0)
        throw InvalidInput("TransactionBatch: customer '" + ids.name(customer[i]) +
                           "' has an invalid amount at row " + std::to_string(i));
    }
  }
};

}  // namespace leadscore
