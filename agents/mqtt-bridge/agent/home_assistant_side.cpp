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
    : ha_(std::move(settings)), bus_(bus), send_(std::move(send)) {
  subscription_ = bus_.subscribe(ha_.devices, [this](const Envelope& e) { on_all(e); });
}

HomeAssistantSide::~HomeAssistantSide() { bus_.unsubscribe(subscription_); }

Subscription HomeAssistantSide::subscription() const { return Subscription{ha_.base + "/#", 1, true}; }

void HomeAssistantSide::send(std::string topic, std::string payload) {
  send_(Outgoing{0, std::move(topic), std::move(payload), ha_.qos, true});
}

void HomeAssistantSide::connected() {
  send(availability_topic(ha_), "online");
  for (const auto& [device, points] : points_) publish_discovery(device);
}

void HomeAssistantSide::on_all(const Envelope& e) {
  // Only the driver's own messages make entities: nobody else's topics can.
  if (e.sender != ha_.driver || !e.topic.starts_with("devices/") || !e.topic.ends_with("/all")) return;
  const auto device = e.topic.substr(8, e.topic.size() - 12);
  const auto known = points_.find(device);
  if (known == points_.end()) {
    if (asking_.insert(device).second)
      bus_.call(ha_.driver, "points", device).then([this, device, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
        if (alive.expired()) return;
        asking_.erase(device);
        if (r.ok())
          learn(device, r.value());
        else if (limiter_.count("points"))
          bus_.log().warn("home assistant: the points of {} are unknown ({}): {}", device, ha_.driver,
                          r.error().message);
      });
    return;
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(e.body.to_json());
  } catch (const std::exception&) {
    body = nullptr;
  }
  if (!body.is_array() || body.empty() || !body[0].is_object()) {
    if (limiter_.count("all")) bus_.log().warn("home assistant: {}: not a driver's `all` message", e.topic);
    return;
  }
  for (const auto& [point, value] : body[0].items()) {
    const auto p = known->second.find(point);
    if (p != known->second.end()) send(state_topic(ha_, device, point), state_payload(p->second, value.dump()));
  }
}

void HomeAssistantSide::learn(const std::string& device, const Value& points) {
  auto& mine = points_[device];
  try {
    const auto all = nlohmann::json::parse(points.to_json());
    for (const auto& [name, info] : all.items())
      mine[name] = HaPoint{info.value("units", ""), info.value("type", "float"), info.value("writable", false)};
  } catch (const std::exception& e) {
    bus_.log().warn("home assistant: the points of {} do not read: {}", device, e.what());
  }
  publish_discovery(device);
  bus_.log().info("home assistant: {} with {} points", device, mine.size());
}

void HomeAssistantSide::publish_discovery(const std::string& device) {
  for (const auto& [point, p] : points_[device]) {
    auto d = discovery(ha_, device, point, p);
    send(std::move(d.topic), std::move(d.payload));
  }
}

bool HomeAssistantSide::command(const std::string& topic, const std::string& payload) {
  if (!topic.starts_with(ha_.base + "/")) return false;
  const auto target = parse_command(ha_, topic);
  if (!target) return true;  // our own state topics: not commands, and not for the rules
  const auto& [device, point] = *target;
  const HaPoint* p = nullptr;
  if (const auto d = points_.find(device); d != points_.end())
    if (const auto it = d->second.find(point); it != d->second.end()) p = &it->second;
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
  const auto args = Value::from_json("[" + nlohmann::json(device).dump() + "," + nlohmann::json(point).dump() + "," +
                                     value->to_json() + "]");
  bus_.call_value(CallOptions{}, ha_.driver, "set_point", args)
      .then([this, device, point, pt = *p, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
        if (alive.expired()) return;
        if (!r.ok()) {
          bus_.log().warn("home assistant: set_point {} {}: {}", device, point, r.error().message);
          return;
        }
        send(state_topic(ha_, device, point), state_payload(pt, r.value().to_json()));
      });
  return true;
}

}  // namespace watt::mqtt
