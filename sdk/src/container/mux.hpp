// The container's switchboard, used by whichever thread reads: who is
// hosted here, which patterns the broker accepted for each of them, and to
// whom each message from the broker goes. A delivery comes once per container (the broker
// sends one copy however many of its agents subscribed) and is shared with
// every agent whose accepted patterns match; an answer, a request or the
// broker's own reply names its agent in its address (protocol 2); flow
// control is for all of them.
#pragma once

#include "hosted_port.hpp"

#include <watt/proto/topic_index.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace watt::detail {

class Mux {
public:
  explicit Mux(std::string own_identity) : own_(std::move(own_identity)) {}

  // Any thread.
  void attach(HostedPort& port);
  void detach(HostedPort& port);
  // A hosted agent's subscribe (its id, its pattern) on its way to the
  // broker: the pattern counts once the broker acknowledged it.
  void subscribing(HostedPort& port, std::uint64_t id, std::string_view pattern);
  void unsubscribing(HostedPort& port, std::string_view pattern);

  // The reader (one thread at a time): hands the message to the agents it is for; false when it
  // is for the container itself (and, for flow control, also for it).
  bool route(Incoming& in);
  // The container's own link came or went: each agent hears it, and says
  // hello again once the container has.
  void link(LinkEvent event);
  std::uint64_t dropped() const;  // messages for agents no longer here

  // While an agent's queue is full the container reads nothing more from
  // the broker; `on_resume` (any thread) runs when it may again.
  bool intake_paused() const noexcept { return full_ports_.load() > 0; }
  std::uint64_t intake_pauses() const noexcept { return pauses_.load(); }
  void on_resume(std::function<void()> fn) { on_resume_ = std::move(fn); }

private:
  void settle(HostedPort& port, std::uint64_t id, bool accepted);
  void revoked(HostedPort& port, std::string_view why);  // under the lock

  const std::string own_;
  mutable std::mutex mutex_;
  // Searched with the address's string_view: no string built per message.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, HostedPort*, Hash, std::equal_to<>> by_identity_;
  proto::TopicIndex<HostedPort*> subscribed_;
  std::uint64_t dropped_ = 0;
  std::atomic<int> full_ports_{0};
  std::atomic<std::uint64_t> pauses_{0};
  std::function<void()> on_resume_;
};

}  // namespace watt::detail
