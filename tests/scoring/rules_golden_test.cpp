// Rule scoring stays bit-identical across performance work: a digest of
// every output bit (totals, group scores, grades, levels, stages, reasons
// with their points) of bulk and incremental scoring on simulated leads,
// pinned to the values the first (straightforward) engine produced.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>

#include "../test_data.hpp"
#include "leadscore/scoring/rules.hpp"
#include "leadscore/scoring/rules_simulate.hpp"

namespace leadscore::scoring {
namespace {

struct Digest {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::uint64_t x) {
    for (int k = 0; k < 8; ++k) h = (h ^ ((x >> (8 * k)) & 0xFF)) * 1099511628211ull;
  }
  void add(double x) { add(std::bit_cast<std::uint64_t>(x)); }
  void add(const LeadScore& s) {
    add(s.total);
    for (double g : s.groups) add(g);
    add(std::uint64_t{s.grade});
    add(static_cast<std::uint64_t>(static_cast<std::int64_t>(s.level)));
    add(static_cast<std::uint64_t>(s.stage));
    add(std::uint64_t{s.reasons.size()});
    for (const RuleReason& r : s.reasons) add(std::uint64_t{r.rule}), add(r.points);
  }
};

// Bulk over all leads (on one thread, then checked on two and three),
// then incremental (events shuffled) for every lead, at the end of the
// stream and 20 days earlier.
std::pair<std::uint64_t, std::uint64_t> digests(const char* rules, std::size_t n, std::uint64_t seed) {
  const RuleEngine engine(load_rule_set(test::data_path(rules)));
  const SimulatedLeads sim = simulate_leads(n, 10, seed);
  std::vector<std::size_t> order(sim.events.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(seed));
  std::vector<LeadState> states(n, engine.new_state());
  for (std::size_t i : order) engine.update(states[sim.events.customer[i]], sim.events, i);
  const ProfileBinding b = engine.bind(sim.profiles);
  Digest bulk, incremental;
  for (Timestamp t : {sim.as_of, sim.as_of - 20 * seconds_per_day}) {
    const RuleScores all = engine.score(sim.profiles, sim.events, t, 1);
    for (std::size_t i = 0; i < n; ++i) bulk.add(all.row(i));
    // On several threads (blocks of rows in runs) the bits are the same.
    for (std::size_t threads : {2u, 3u}) {
      const RuleScores parallel = engine.score(sim.profiles, sim.events, t, threads);
      Digest a, b;
      for (std::size_t i = 0; i < n; ++i) a.add(all.row(i)), b.add(parallel.row(i));
      EXPECT_EQ(a.h, b.h) << rules << " on " << threads << " threads";
    }
    for (std::size_t i = 0; i < n; ++i) incremental.add(engine.score_one(b, i, states[i], t));
  }
  return {bulk.h, incremental.h};
}

TEST(RulesScoringGolden, BitIdenticalToTheFirstEngine) {
  struct Case {
    const char* rules;
    std::uint64_t seed;
    std::uint64_t expected;
  };
  const Case cases[] = {
      {"rules/bench_50.json", 11, 13137252674096372456ull},
      {"rules/b2b_saas.json", 12, 17202157734796038851ull},
  };
  for (const Case& c : cases) {
    const auto [bulk, incremental] = digests(c.rules, 4000, c.seed);
    EXPECT_EQ(bulk, incremental) << c.rules;
    EXPECT_EQ(bulk, c.expected) << c.rules;
  }
}

}  // namespace
}  // namespace leadscore::scoring
