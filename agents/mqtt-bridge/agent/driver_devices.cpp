#include "driver_devices.hpp"

namespace watt::mqtt {

DriverDevices::DriverDevices(std::string driver, const std::string& pattern, std::string who, Endpoint& bus,
                             Events events)
    : driver_(std::move(driver)), who_(std::move(who)), bus_(bus), events_(std::move(events)) {
  subscription_ = bus_.subscribe(pattern, [this](const Envelope& e) { on_all(e); });
}

DriverDevices::~DriverDevices() { bus_.unsubscribe(subscription_); }

const HaPoint* DriverDevices::find(const std::string& device, const std::string& point) const {
  const auto d = devices_.find(device);
  if (d == devices_.end()) return nullptr;
  const auto p = d->second.find(point);
  return p == d->second.end() ? nullptr : &p->second;
}

void DriverDevices::on_all(const Envelope& e) {
  if (e.sender != driver_ || !e.topic.starts_with("devices/") || !e.topic.ends_with("/all")) return;
  const auto device = e.topic.substr(8, e.topic.size() - 12);
  const auto known = devices_.find(device);
  if (known == devices_.end()) {
    if (asking_.insert(device).second)
      bus_.call(driver_, "points", device).then([this, device, alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
        if (alive.expired()) return;
        asking_.erase(device);
        if (r.ok())
          learn(device, r.value());
        else if (limiter_.count("points"))
          bus_.log().warn("{}: the points of {} are unknown ({}): {}", who_, device, driver_, r.error().message);
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
    if (limiter_.count("all")) bus_.log().warn("{}: {}: not a driver's `all` message", who_, e.topic);
    return;
  }
  events_.scraped(device, body[0]);
}

void DriverDevices::learn(const std::string& device, const Value& points) {
  auto& mine = devices_[device];
  try {
    const auto all = nlohmann::json::parse(points.to_json());
    for (const auto& [name, info] : all.items())
      mine[name] = HaPoint{info.value("units", ""), info.value("type", "float"), info.value("writable", false)};
  } catch (const std::exception& e) {
    bus_.log().warn("{}: the points of {} do not read: {}", who_, device, e.what());
  }
  bus_.log().info("{}: {} with {} points", who_, device, mine.size());
  events_.learned(device);
}

void DriverDevices::set_point(const std::string& device, const std::string& point, const std::string& json_value,
                              std::function<void(Result<Value>)> done) {
  const auto args = Value::from_json("[" + nlohmann::json(device).dump() + "," + nlohmann::json(point).dump() + "," +
                                     json_value + "]");
  bus_.call_value(CallOptions{}, driver_, "set_point", args)
      .then([done = std::move(done), alive = std::weak_ptr<int>(alive_)](Result<Value> r) {
        if (!alive.expired()) done(std::move(r));
      });
}

}  // namespace watt::mqtt
