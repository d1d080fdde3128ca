// A CRM product using the installed leadscore.
#include <leadscore/leadscore.hpp>

#include <cstdio>

int main() {
  leadscore::TransactionBatch tx;
  const auto day = [](int d) { return static_cast<leadscore::Timestamp>(*leadscore::make_day(2024, 1, d)) * 86400; };
  tx.add("alice", day(1), 10.0);
  tx.add("alice", day(8), 30.0);
  tx.add("bob", day(2), 5.0);
  const auto s = leadscore::summarize(tx, {.time_unit = leadscore::TimeUnit::days,
                                           .calibration_end = {},
                                           .observation_end = *leadscore::make_day(2024, 1, 31)});
  std::printf("leadscore %s: %zu customers, alice frequency %g, T %g\n", leadscore::version,
              s.size(), s.frequency[0], s.T[0]);
  return s.size() == 2 && s.frequency[0] == 1 && s.T[0] == 30 ? 0 : 1;
}
