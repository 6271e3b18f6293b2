// What a host of dispatch nodes does with the run's traffic, whatever carries
// it: the ed-node agent on the bus, watt-node over a serial line through the
// serial bridge. It decodes the messages on the run's topics, answers the
// monitor's roll, starts and stops the NodeGroup, and says what it publishes
// as (topic, msgpack bytes). Free of the bus and of any thread, so one
// careful implementation serves every transport and the tests drive it with
// a clock of their own.
#pragma once

#include <watt/ed/node_group.hpp>
#include <watt/ed/run_config.hpp>

#include <watt/log_limiter.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace watt::ed {

class NodeRunner {
public:
  using Clock = NodeGroup::Clock;
  enum class Level : std::uint8_t { info, warn, error };

  struct Transport {
    // Publish one msgpack value on a bus topic, ahead of telemetry (the
    // agent uses priority 10) and, where the transport has the choice,
    // losslessly: a lost iteration stalls the neighbours until a repeat.
    std::function<void(const std::string& topic, std::string msgpack)> publish;
    std::function<void(Level, const std::string& line)> log;
  };

  // The run's subscriptions: one topic per remote neighbour up to this many
  // in all, else one wildcard over the run (cheaper for the broker, and a
  // serial node may hold at most 64 subscriptions at its bridge).
  static constexpr std::size_t max_subscriptions = 64;

  // Throws Error for a configuration NodeGroup refuses.
  NodeRunner(RunConfig config, std::chrono::milliseconds pace, Transport transport);
  // The group's outputs point back here.
  NodeRunner(const NodeRunner&) = delete;
  NodeRunner& operator=(const NodeRunner&) = delete;

  const RunConfig& config() const { return group_.config(); }
  const NodeGroup& group() const { return group_; }

  // The patterns to subscribe to (losslessly) before announce().
  std::vector<std::string> subscriptions() const;
  // Tells the monitor the hosted nodes are subscribed and wait for its start.
  // Again after a transport reconnects: the monitor ignores a repeat.
  void announce();

  // A message on one of the subscriptions. `sender` is the publisher's bus
  // identity, for the log. A body that does not decode, or a state published
  // under another node's topic, is counted, logged on its 1st, 10th, 100th…
  // occurrence, and dropped.
  void on_message(const std::string& topic, const std::string& sender, std::string_view msgpack, Clock::time_point now);
  // Paced steps, keep-alive repeats, lost neighbours. Call it at least every
  // poll_period(), and at the time it returns, if any.
  std::optional<Clock::time_point> poll(Clock::time_point now);
  std::chrono::milliseconds poll_period() const { return config().neighbour_timeout / 4; }

  // The transport is going away: the hosted nodes stop where they are.
  void stop() { group_.stop(); }
  // The transport knows it is cut off from the run (a serial line down for
  // longer than the neighbour timeout): the others have re-formed without
  // these nodes, so they leave it, with `why` as the error, rather than
  // declare everyone else lost.
  void leave(const std::string& why);

  bool started() const { return started_; }
  // The monitor stopped the run, or it stopped on its own (error() says why).
  bool finished() const { return finished_; }
  const std::string& error() const { return error_; }
  const std::string& stop_reason() const { return stop_reason_; }
  // Messages dropped because they did not decode or named the wrong node.
  std::uint64_t dropped() const { return dropped_; }

private:
  void on_control(const std::string& sender, std::string_view body, const std::string& topic, Clock::time_point now);
  void on_state(const std::string& node, std::string_view body, const std::string& topic, Clock::time_point now);
  template <class T>
  bool decode(std::string_view body, T& out, const std::string& topic, const std::string& sender);
  void drop(const std::string& kind, const std::string& line);
  void finish(Level level, std::string why);
  void log(Level level, const std::string& line) const;

  Transport transport_;
  NodeGroup group_;
  bool started_ = false;
  bool finished_ = false;
  std::string stop_reason_;
  std::string error_;
  std::uint64_t dropped_ = 0;
  LogLimiter drops_;  // logs the 1st, 10th, 100th… of each kind
};

}  // namespace watt::ed
