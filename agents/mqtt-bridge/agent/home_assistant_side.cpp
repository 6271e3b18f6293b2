#include "home_assistant_side.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace watt::mqtt {
namespace {

// A command's payload as the point's type takes it; nullopt when it does not.
std::optional<Value> typed(const HaPoint& p, const std::string& payload) {
  if (p.type == "bool") {
    if (payload == "ON" || payload == "on" || payload == "true" || payload == "1") return Value::of(true);
    if (payload == "OFF" || payload == "off" || payload == "false" || payload == "0") return Value::of(false);
    return std::nullopt;
  }
  double v = 0;
  const auto r = std::from_chars(payload.data(), payload.data() + payload.size(), v);
  if (r.ec != std::errc() || r.ptr != payload.data() + payload.size() || !std::isfinite(v)) return std::nullopt;
  if (p.type == "int") {
    if (v != std::round(v)) return std::nullopt;
    return Value::of(static_cast<std::int64_t>(v));
  }
  return Value::of(v);
}

}  // namespace

HomeAssistantSide::HomeAssistantSide(HomeAssistant settings, Endpoint& bus, Send send)
    : ha_(std::move(settings)),
      bus_(bus),
      send_(std::move(send)),
      driver_(ha_.driver, ha_.devices, "home assistant", bus,
              {[this](const std::string& device) { publish_discovery(device); },
               [this](const std::string& device, const nlohmann::json& values) { scraped(device, values); }}) {}

HomeAssistantSide::~HomeAssistantSide() = default;

Subscription HomeAssistantSide::subscription() const { return Subscription{ha_.base + "/#", 1, true}; }

void HomeAssistantSide::send(std::string topic, std::string payload) {
  send_(Outgoing{0, std::move(topic), std::move(payload), ha_.qos, true});
}

void HomeAssistantSide::connected() {
  send(availability_topic(ha_), "online");
  for (const auto& [device, points] : driver_.devices()) publish_discovery(device);
}

void HomeAssistantSide::scraped(const std::string& device, const nlohmann::json& values) {
  for (const auto& [point, value] : values.items())
    if (const auto* p = driver_.find(device, point))
      send(state_topic(ha_, device, point), state_payload(*p, value.dump()));
}

void HomeAssistantSide::publish_discovery(const std::string& device) {
  const auto d = driver_.devices().find(device);
  if (d == driver_.devices().end()) return;
  for (const auto& [point, p] : d->second) {
    auto disc = discovery(ha_, device, point, p);
    send(std::move(disc.topic), std::move(disc.payload));
  }
}

bool HomeAssistantSide::command(const std::string& topic, const std::string& payload) {
  if (!topic.starts_with(ha_.base + "/")) return false;
  const auto target = parse_command(ha_, topic);
  if (!target) return true;  // our own state topics: not commands, and not for the rules
  const auto& [device, point] = *target;
  const HaPoint* p = driver_.find(device, point);
  if (p == nullptr || !p->writable) {
    if (limiter_.count("unknown"))
      bus_.log().warn("home assistant: {}: no writable point {} of {}", topic, point, device);
    return true;
  }
  const auto value = typed(*p, payload);
  if (!value) {
    if (limiter_.count("payload"))
      bus_.log().warn("home assistant: {}: '{}' is not a {} value", topic, payload.substr(0, 64), p->type);
    return true;
  }
  ++commands_;
  driver_.set_point(device, point, value->to_json(), [this, device, point, pt = *p](Result<Value> r) {
    if (!r.ok()) {
      bus_.log().warn("home assistant: set_point {} {}: {}", device, point, r.error().message);
      return;
    }
    send(state_topic(ha_, device, point), state_payload(pt, r.value().to_json()));
  });
  return true;
}

}  // namespace watt::mqtt
