// The rules applied to messages: a bus message out to MQTT by one rule (each
// out rule subscribes on its own, so every rule that matches forwards its
// copy), an MQTT message in to the bus by the first in rule whose filter
// matches (a broker may deliver a message once per overlapping subscription,
// so later rules must not add copies). Refusals name the rule and the topic.
#pragma once

#include <watt/mqtt/outbox.hpp>
#include <watt/mqtt/rules.hpp>
#include <watt/mqtt/subscription.hpp>
#include <watt/value.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace watt::mqtt {

struct RouteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Inward {
  std::size_t rule = 0;
  std::string topic;  // the bus topic
  Value body;
};

class Router {
public:
  explicit Router(std::vector<Rule> rules) : rules_(std::move(rules)) {}

  const std::vector<Rule>& rules() const { return rules_; }
  // The message out by rule `index` (an out rule); nullopt when the rule's
  // pattern does not cover the topic exactly (the bus matches below a
  // pattern too; MQTT's rules do not). Throws RouteError.
  std::optional<Outgoing> outward(std::size_t index, std::string_view bus_topic, const Value& body) const;
  // The message in, by the first in rule that matches; nullopt when none
  // does. Throws RouteError (not a bus topic, not the rule's format).
  std::optional<Inward> inward(std::string_view mqtt_topic, std::string_view payload) const;
  // The broker subscriptions of the in rules, one per distinct filter, at
  // the highest QoS asked for it.
  std::vector<Subscription> subscriptions() const;

private:
  std::vector<Rule> rules_;
};

}  // namespace watt::mqtt
