// Reads a transaction file and prints the customers who bought on the most
// days, with their recency and average repeat spend.
//
//   top_customers FILE [--cdnow]
//
// --cdnow reads the whitespace-separated CDNOW sample shipped in data/.

#include <leadscore/leadscore.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: top_customers FILE [--cdnow]\n");
    return 2;
  }
  const bool cdnow = argc > 2 && std::string(argv[2]) == "--cdnow";
  try {
    leadscore::CsvOptions csv;
    leadscore::TransactionColumns columns;
    if (cdnow) {
      csv = {.delimiter = leadscore::CsvOptions::whitespace, .header = false};
      columns = {.id = "1", .date = "2", .amount = "4", .discount = {}, .date_format = "%Y%m%d"};
    }
    const auto tx = leadscore::read_transactions(argv[1], csv, columns);
    const auto s = leadscore::summarize(tx, {.time_unit = leadscore::TimeUnit::weeks});

    std::vector<std::size_t> order(s.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + std::min<std::size_t>(5, order.size()),
                      order.end(), [&](auto a, auto b) { return s.frequency[a] > s.frequency[b]; });
    std::printf("%-12s %9s %9s %9s\n", "customer", "repeats", "recency", "avg spend");
    for (std::size_t k = 0; k < std::min<std::size_t>(5, order.size()); ++k) {
      const std::size_t i = order[k];
      std::printf("%-12s %9.0f %9.1f %9.2f\n", tx.ids.name(s.customer[i]).c_str(), s.frequency[i],
                  s.recency[i], s.monetary_value[i]);
    }
  } catch (const leadscore::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
