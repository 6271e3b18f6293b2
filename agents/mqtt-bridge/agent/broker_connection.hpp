// The one broker connection a side of the bridge keeps (the bridge's own, the
// Sparkplug edge node's): a new Link for each attempt, the lost one kept a
// moment longer (Paho is still inside the event that told of the loss), and
// the next attempt after a backoff with jitter. Runs on the agent's thread;
// nothing it scheduled runs after it is gone.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/log_limiter.hpp>
#include <watt/mqtt/link.hpp>
#include <watt/mqtt/settings.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace watt::mqtt {

class BrokerConnection {
public:
  // `who` starts its log lines ("" for the bridge, "sparkplug: "...).
  BrokerConnection(Endpoint& bus, Backoff backoff, std::string who);
  ~BrokerConnection();
  BrokerConnection(const BrokerConnection&) = delete;
  BrokerConnection& operator=(const BrokerConnection&) = delete;

  // A new client for `broker`, connecting; its events come on the agent's
  // thread.
  void open(const BrokerSettings& broker, LinkEvents events);
  // The current client; only between open() and down() or close().
  Link& link() { return *link_; }
  bool has_link() const { return link_ != nullptr; }

  void up() { attempts_ = 0; }
  // Lost (`was_up`), never made, or left on purpose: the client retires
  // (nothing it says is heard any more), and `again` runs after the backoff. Logs it (every attempt's failure only once
  // in a while) and returns what it said, for the health.
  std::string down(bool was_up, const std::string& url, const std::string& why, std::function<void()> again);
  // No more attempts; the clients go.
  void close();

  unsigned attempts() const { return attempts_; }

private:
  Endpoint& bus_;
  Backoff backoff_;
  std::string who_;
  std::unique_ptr<Link> link_;
  std::deque<std::unique_ptr<Link>> retired_;  // lost connections' clients, gone in a moment
  std::optional<TimerId> retry_;
  unsigned attempts_ = 0;
  std::uint64_t generation_ = 0;  // of the current client; events of older ones are dropped
  LogLimiter limiter_;
  std::mt19937 random_{std::random_device{}()};
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted events and timers may outlive this
};

}  // namespace watt::mqtt
