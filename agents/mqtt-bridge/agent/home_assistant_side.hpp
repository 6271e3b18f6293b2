// The bridge's Home Assistant side (docs/mqtt.md): it follows the platform
// driver's `all` messages, asks the driver for each new device's points,
// publishes their discovery configs and states, and turns Home Assistant's
// commands into set_point calls. Runs on the agent's thread.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/link.hpp>
#include <watt/mqtt/outbox.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

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

  std::size_t devices() const { return points_.size(); }
  std::uint64_t commands() const { return commands_; }

private:
  void on_all(const Envelope& e);
  void learn(const std::string& device, const Value& points);
  void publish_discovery(const std::string& device);
  void send(std::string topic, std::string payload);

  HomeAssistant ha_;
  Endpoint& bus_;
  Send send_;
  SubscriptionId subscription_ = 0;
  std::map<std::string, std::map<std::string, HaPoint>> points_;  // device -> point -> what it is
  std::set<std::string> asking_;                                  // devices whose points are being asked for
  std::uint64_t commands_ = 0;
  LogLimiter limiter_;
  // Answers to calls made on the bus may come after this side is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace watt::mqtt
