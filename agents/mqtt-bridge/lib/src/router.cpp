#include <watt/mqtt/payload.hpp>
#include <watt/mqtt/router.hpp>
#include <watt/topic.hpp>

#include <algorithm>
#include <map>

namespace watt::mqtt {
namespace {

std::string where(std::size_t index) { return "rules[" + std::to_string(index) + "]"; }

}  // namespace

std::optional<Outgoing> Router::outward(std::size_t index, std::string_view bus_topic, const Value& body) const {
  const auto& r = rules_.at(index);
  auto topic = map_topic(r, bus_topic);
  if (!topic) return std::nullopt;
  if (auto err = filter_error(*topic); !err.empty() || topic->find_first_of("+#") != std::string::npos)
    throw RouteError(where(index) + ": bus topic '" + std::string(bus_topic) + "' maps to '" + *topic +
                     "', not an MQTT topic");
  try {
    return Outgoing{0, std::move(*topic), to_payload(body, r.format), r.qos, r.retain};
  } catch (const PayloadError& e) {
    throw RouteError(where(index) + ": bus topic '" + std::string(bus_topic) + "': " + e.what());
  }
}

std::optional<Inward> Router::inward(std::string_view mqtt_topic, std::string_view payload) const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& r = rules_[i];
    if (r.direction != Direction::in) continue;
    auto topic = map_topic(r, mqtt_topic);
    if (!topic) continue;
    if (auto err = topic_error(*topic); !err.empty())
      throw RouteError(where(i) + ": MQTT topic '" + std::string(mqtt_topic) + "' maps to no bus topic: " + err);
    try {
      return Inward{i, std::move(*topic), from_payload(payload, r.format)};
    } catch (const PayloadError& e) {
      throw RouteError(where(i) + ": MQTT topic '" + std::string(mqtt_topic) + "': " + e.what());
    }
  }
  return std::nullopt;
}

std::vector<Subscription> Router::subscriptions() const {
  std::map<std::string, int> qos;
  for (const auto& r : rules_)
    if (r.direction == Direction::in) qos[r.mqtt] = std::max(qos[r.mqtt], r.qos);
  std::vector<Subscription> out;
  // no_local: what the bridge itself publishes to the broker never comes back
  // to it, so a topic both out and in cannot loop through the bus.
  for (const auto& [filter, q] : qos) out.push_back(Subscription{filter, q, true});
  return out;
}

}  // namespace watt::mqtt
