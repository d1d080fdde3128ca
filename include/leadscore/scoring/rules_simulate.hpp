#pragma once
// Seeded synthetic leads and event streams for rule scoring: for tests
// (bulk vs incremental) and benchmarks. Fields: job_title, company_size,
// email_domain, country, stage, budget; events of several types with a "page"
// property on page views and values on purchases and survey answers.

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "leadscore/core/events.hpp"
#include "leadscore/core/profile.hpp"

namespace leadscore::scoring {

struct SimulatedLeads {
  ProfileTable profiles;
  EventBatch events;
  Timestamp as_of = 0;  ///< 2024-07-01T00:00:00Z; events fall in the 180 days before it (and a few after)
};

/// `n_leads` leads with on average `events_per_lead` events each, in random
/// order across leads and time (as they arrive in a live system).
inline SimulatedLeads simulate_leads(std::size_t n_leads, double events_per_lead, std::uint64_t seed = 7) {
  static constexpr std::array<const char*, 8> titles{"CEO", "CTO", "VP Sales", "Head of Marketing",
                                                     "Engineer", "Student", "Analyst", "Consultant"};
  static constexpr std::array<const char*, 6> domains{"acme.com", "gmail.com", "example.org",
                                                      "yahoo.com", "initech.io", "hotmail.com"};
  static constexpr std::array<const char*, 4> countries{"US", "DE", "IN", "BR"};
  static constexpr std::array<const char*, 4> stages{"lead", "lead", "prospect", "customer"};
  static constexpr std::array<const char*, 5> pages{"pricing", "product", "blog", "competitor-comparison",
                                                    "careers"};
  static constexpr std::array<EventType, 8> types{EventType::page_view, EventType::page_view,
                                                  EventType::page_view, EventType::email_open,
                                                  EventType::email_click, EventType::ebook_download,
                                                  EventType::webinar, EventType::demo_request};
  std::mt19937_64 rng(seed);
  SimulatedLeads out;
  out.as_of = Timestamp{19905} * seconds_per_day;  // 2024-07-01
  ProfileColumn title{"job_title", AttributeKind::demographic, std::vector<std::optional<std::string>>{}};
  ProfileColumn size{"company_size", AttributeKind::firmographic, std::vector<double>{}};
  ProfileColumn domain{"email_domain", AttributeKind::demographic, std::vector<std::optional<std::string>>{}};
  ProfileColumn country{"country", AttributeKind::geographic, std::vector<std::optional<std::string>>{}};
  ProfileColumn stage{"stage", AttributeKind::source, std::vector<std::optional<std::string>>{}};
  ProfileColumn budget{"budget", AttributeKind::firmographic, std::vector<double>{}};
  auto& t = std::get<1>(title.values);
  auto& s = std::get<0>(size.values);
  auto& d = std::get<1>(domain.values);
  auto& c = std::get<1>(country.values);
  auto& st = std::get<1>(stage.values);
  auto& b = std::get<0>(budget.values);
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  std::lognormal_distribution<double> company(3.5, 1.5);
  for (std::size_t i = 0; i < n_leads; ++i) {
    out.profiles.customer.push_back(static_cast<std::uint32_t>(i));
    const int r = pick(rng);
    t.push_back(r % 11 < 8 ? std::optional<std::string>(titles[static_cast<std::size_t>(r % 8)]) : std::nullopt);
    s.push_back(r % 13 == 0 ? std::numeric_limits<double>::quiet_NaN() : std::floor(company(rng)));
    d.push_back(domains[static_cast<std::size_t>((r >> 4) % 6)]);
    c.push_back(countries[static_cast<std::size_t>((r >> 7) % 4)]);
    st.push_back(stages[static_cast<std::size_t>((r >> 9) % 4)]);
    b.push_back((r >> 11) % 10 < 3 ? std::floor(company(rng)) * 1000 : std::numeric_limits<double>::quiet_NaN());
  }
  out.profiles.columns = {std::move(title), std::move(size), std::move(domain), std::move(country),
                          std::move(stage), std::move(budget)};

  const auto n_events = static_cast<std::size_t>(events_per_lead * static_cast<double>(n_leads));
  std::uniform_int_distribution<std::size_t> who(0, n_leads == 0 ? 0 : n_leads - 1);
  std::uniform_int_distribution<Timestamp> when(-180 * seconds_per_day, 3 * seconds_per_day);
  std::uniform_int_distribution<std::size_t> what(0, types.size() - 1), page(0, pages.size() - 1);
  std::lognormal_distribution<double> amount(4.0, 1.0);
  out.events.customer.reserve(n_events);
  for (std::size_t e = 0; e < n_events && n_leads > 0; ++e) {
    const EventType type = types[what(rng)];
    const Timestamp time = out.as_of + when(rng);
    if (type == EventType::page_view) {
      const EventProperty prop{"page", pages[page(rng)]};
      out.events.add(static_cast<std::uint32_t>(who(rng)), type, time,
                     std::numeric_limits<double>::quiet_NaN(), {&prop, 1});
    } else if (type == EventType::webinar) {
      out.events.add(static_cast<std::uint32_t>(who(rng)), type, time, std::floor(amount(rng)));
    } else {
      out.events.add(static_cast<std::uint32_t>(who(rng)), type, time);
    }
  }
  return out;
}

}  // namespace leadscore::scoring
