#pragma once
// Interactions of leads and customers, one event at a time, stored columnar.

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadscore/core/date.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/core/text_pool.hpp"

namespace leadscore {

/// What happened. Page views carry the page (product, pricing, competitor
/// comparison) as a property; survey answers carry the NPS (0-10) or CSAT
/// (1-5) score as their value; purchases and refunds carry the amount.
enum class EventType : std::uint8_t {
  page_view,
  form_fill,
  demo_request,
  consultation_request,
  ebook_download,
  webinar,
  email_open,
  email_click,
  social_mention,
  support_ticket,
  survey_answer,
  referral,
  purchase,
  refund,
};

inline constexpr std::array<EventType, 14> all_event_types{
    EventType::page_view,      EventType::form_fill,      EventType::demo_request,
    EventType::consultation_request, EventType::ebook_download, EventType::webinar,
    EventType::email_open,     EventType::email_click,    EventType::social_mention,
    EventType::support_ticket, EventType::survey_answer,  EventType::referral,
    EventType::purchase,       EventType::refund};

constexpr std::string_view to_string(EventType type) noexcept {
  switch (type) {
    case EventType::page_view: return "page_view";
    case EventType::form_fill: return "form_fill";
    case EventType::demo_request: return "demo_request";
    case EventType::consultation_request: return "consultation_request";
    case EventType::ebook_download: return "ebook_download";
    case EventType::webinar: return "webinar";
    case EventType::email_open: return "email_open";
    case EventType::email_click: return "email_click";
    case EventType::social_mention: return "social_mention";
    case EventType::support_ticket: return "support_ticket";
    case EventType::survey_answer: return "survey_answer";
    case EventType::referral: return "referral";
    case EventType::purchase: return "purchase";
    case EventType::refund: return "refund";
  }
  return "unknown";
}

constexpr std::optional<EventType> parse_event_type(std::string_view text) noexcept {
  for (auto type : all_event_types)
    if (to_string(type) == text) return type;
  return std::nullopt;
}

/// One key/value property of an event, such as page = "pricing", as a
/// caller hands it over.
struct EventProperty {
  std::string key;
  std::string value;
};

/// An event's property as a batch keeps it: the codes of its key and value
/// in the batch's texts.
struct PropertyCode {
  std::uint32_t key = 0;
  std::uint32_t value = 0;
};

/// Events of many records, struct of arrays. Row i is: customer[i] (a dense
/// id), type[i], time[i], value[i] (NaN when the event has no value) and the
/// properties in [property_begin[i], property_begin[i + 1]), coded in
/// `texts`.
struct EventBatch {
  std::vector<std::uint32_t> customer;
  std::vector<EventType> type;
  std::vector<Timestamp> time;
  std::vector<double> value;
  std::vector<std::uint32_t> property_begin{0};
  std::vector<PropertyCode> properties;
  TextPool texts;

  std::size_t size() const noexcept { return customer.size(); }

  void add(std::uint32_t who, EventType what, Timestamp when,
           double amount = std::numeric_limits<double>::quiet_NaN(),
           std::span<const EventProperty> props = {}) {
    for (const EventProperty& p : props) properties.push_back({texts.intern(p.key), texts.intern(p.value)});
    end_event(who, what, when, amount);
  }
  /// The same with properties already coded in `texts`.
  void add(std::uint32_t who, EventType what, Timestamp when, double amount, std::span<const PropertyCode> props) {
    properties.insert(properties.end(), props.begin(), props.end());
    end_event(who, what, when, amount);
  }
  /// Room for `n` more events with `n_properties` properties among them.
  void reserve(std::size_t n, std::size_t n_properties) {
    customer.reserve(customer.size() + n);
    type.reserve(type.size() + n);
    time.reserve(time.size() + n);
    value.reserve(value.size() + n);
    property_begin.reserve(property_begin.size() + n);
    properties.reserve(properties.size() + n_properties);
  }

  bool has_value(std::size_t i) const noexcept { return !std::isnan(value[i]); }

  std::span<const PropertyCode> properties_of(std::size_t i) const noexcept {
    return {properties.data() + property_begin[i], properties.data() + property_begin[i + 1]};
  }

  /// The value of property `key` of event i, or nullopt.
  std::optional<std::string_view> property(std::size_t i, std::string_view key) const noexcept {
    for (const PropertyCode& p : properties_of(i))
      if (texts[p.key] == key) return texts[p.value];
    return std::nullopt;
  }

  /// Throws InvalidInput unless the columns agree in length.
  void validate() const {
    const std::size_t n = customer.size();
    if (type.size() != n || time.size() != n || value.size() != n || property_begin.size() != n + 1)
      throw InvalidInput("EventBatch: columns differ in length");
    if (property_begin[0] != 0 || property_begin[n] != properties.size())
      throw InvalidInput("EventBatch: property_begin does not span the properties");
    for (std::size_t i = 0; i < n; ++i)
      if (property_begin[i] > property_begin[i + 1])
        throw InvalidInput("EventBatch: event " + std::to_string(i) + ": property_begin decreases");
    for (const PropertyCode& p : properties)
      if (p.key >= texts.size() || p.value >= texts.size())
        throw InvalidInput("EventBatch: a property code is not in the batch's texts");
  }

 private:
  // The event's columns, after its properties.
  void end_event(std::uint32_t who, EventType what, Timestamp when, double amount) {
    customer.push_back(who);
    type.push_back(what);
    time.push_back(when);
    value.push_back(amount);
    property_begin.push_back(static_cast<std::uint32_t>(properties.size()));
  }
};

}  // namespace leadscore
