// A hosted agent's port: its share of the container's connection. What it
// sends goes out at once on that connection, under the agent's identity;
// what is for it the container's reader puts in its queue, and a wait
// sleeps on a condition variable, so a hosted agent costs no socket, no
// descriptor and no thread.
#pragma once

#include "../port.hpp"

#include <watt/proto/topic_index.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

namespace watt::detail {

class Mux;
class SharedConnection;

class HostedPort final : public Port {
public:
  // `on_wake` runs (on any thread, without this port's lock) whenever the
  // agent has something new to do: the container schedules a turn. `help`
  // is how it waits in the middle of a turn: the container's scheduler runs
  // other agents meanwhile (Scheduler::help).
  using Help = std::function<void(const std::function<bool()>& done, Clock::time_point deadline)>;
  HostedPort(Mux& mux, SharedConnection& connection, std::function<void()> on_wake, Help help);
  ~HostedPort() override;
  HostedPort(const HostedPort&) = delete;
  HostedPort& operator=(const HostedPort&) = delete;

  void open(const std::string& address, const std::string& identity, const CurveKeys* curve) override;
  void close(int linger_ms) override;
  bool is_open() const noexcept override { return open_; }
  bool hosted() const noexcept override { return true; }
  void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) override;
  bool try_receive(Incoming& out, std::string& error) override;
  LinkEvent next_event() override;
  void wait(Clock::time_point deadline) override;
  void wake() noexcept override;

  // What may wait for one agent before its container stops reading from
  // the broker (so the broker's own limits and flow control apply):
  // ContainerOptions::agent_queue.
  void set_intake_limit(std::size_t limit) { intake_limit_ = limit; }

  // The container's reader, through the mux. True when this message filled the
  // queue to the limit: the mux pauses the container's intake until
  // `on_drained` says it is down to half.
  bool push(Incoming&& in);
  void push(LinkEvent event);
  void on_drained(std::function<void()> fn) { on_drained_ = std::move(fn); }
  // Leaving: whether it was full (and is no longer counted so).
  bool release_full();

  const std::string& identity() const noexcept { return identity_; }

  // The mux's bookkeeping, guarded by its lock.
  proto::MatchMark match_mark;
  std::unordered_map<std::uint64_t, std::string> subscribing;  // subscribe id -> normalized pattern
  std::set<std::string> patterns;                              // accepted by the broker

private:
  Mux& mux_;
  SharedConnection& connection_;
  std::function<void()> on_wake_;
  Help help_;
  std::string identity_;
  bool open_ = false;

  mutable std::mutex mutex_;
  std::deque<Incoming> queue_;
  std::deque<LinkEvent> events_;
  bool woken_ = false;
  bool full_ = false;
  std::size_t intake_limit_ = 10'000;
  std::function<void()> on_drained_;
};

}  // namespace watt::detail
