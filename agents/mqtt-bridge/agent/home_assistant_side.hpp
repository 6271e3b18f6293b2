// The bridge's Home Assistant side (docs/mqtt.md): for each of the platform
// driver's devices (DriverDevices) it publishes the points' discovery configs
// and states, and turns Home Assistant's commands into set_point calls. Runs
// on the agent's thread.
#pragma once

#include "driver_devices.hpp"

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/link.hpp>
#include <watt/mqtt/outbox.hpp>

#include <functional>
#include <string>

namespace watt::mqtt {

class HomeAssistantSide {
public:
  using Send = std::function<void(Outgoing)>;
  HomeAssistantSide(HomeAssistant settings, Endpoint& bus, Send send);
  ~HomeAssistantSide();
  HomeAssistantSide(const HomeAssistantSide&) = delete;
  HomeAssistantSide& operator=(const HomeAssistantSide&) = delete;

  // The broker subscription of the command topics.
  Subscription subscription() const;
  // Connected: "online", and every known device's discovery again (a broker
  // that restarted without its store has lost the retained configs).
  void connected();
  // A message from the broker: true when it was a command topic (taken).
  bool command(const std::string& topic, const std::string& payload);

  std::size_t devices() const { return driver_.devices().size(); }
  std::uint64_t commands() const { return commands_; }

private:
  void scraped(const std::string& device, const nlohmann::json& values);
  void publish_discovery(const std::string& device);
  void send(std::string topic, std::string payload);

  HomeAssistant ha_;
  Endpoint& bus_;
  Send send_;
  DriverDevices driver_;
  std::uint64_t commands_ = 0;
  LogLimiter limiter_;
};

}  // namespace watt::mqtt
