// The platform driver's devices as the bridge's Home Assistant and Sparkplug
// sides see them: it follows the driver's `all` messages (from the driver's
// own identity only: nobody else's topics can make devices), asks the driver
// once for each new device's points (its `points` RPC: units, type,
// writable), and tells its owner of each device learned and of each scrape's
// values. Runs on the agent's thread.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/home_assistant.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace watt::mqtt {

class DriverDevices {
public:
  using Points = std::map<std::string, HaPoint>;  // point -> what it is
  struct Events {
    std::function<void(const std::string& device)> learned;
    // A scrape of a known device: point -> its value (JSON), as the driver sent them.
    std::function<void(const std::string& device, const nlohmann::json& values)> scraped;
  };
  // `who` names the side in log lines ("home assistant", "sparkplug").
  DriverDevices(std::string driver, const std::string& pattern, std::string who, Endpoint& bus, Events events);
  ~DriverDevices();
  DriverDevices(const DriverDevices&) = delete;
  DriverDevices& operator=(const DriverDevices&) = delete;

  const std::map<std::string, Points>& devices() const { return devices_; }
  const HaPoint* find(const std::string& device, const std::string& point) const;
  // set_point(device, point, value) on the driver; `done` gets what it
  // answered (the value now, or an error), unless this object is gone.
  void set_point(const std::string& device, const std::string& point, const std::string& json_value,
                 std::function<void(Result<Value>)> done);

private:
  void on_all(const Envelope& e);
  void learn(const std::string& device, const Value& points);

  std::string driver_;
  std::string who_;
  Endpoint& bus_;
  Events events_;
  SubscriptionId subscription_ = 0;
  std::map<std::string, Points> devices_;
  std::set<std::string> asking_;  // devices whose points are being asked for
  LogLimiter limiter_;
  // Answers to calls made on the bus may come after this object is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace watt::mqtt
