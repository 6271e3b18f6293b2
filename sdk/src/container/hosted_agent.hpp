// One agent in a container: its runtime on a hosted port, its instance, and
// its life as the scheduler's task. A turn either starts it (the whole
// start-up, which may wait for the broker), gives it one round of its
// callbacks, or stops it; a failure stops it and, by its restart policy,
// starts it again after a backoff, while the container's other agents go on.
#pragma once

#include "../lifecycle.hpp"
#include "../runtime.hpp"
#include "container_port.hpp"
#include "mux.hpp"
#include "scheduler.hpp"

#include <watt/container.hpp>
#include <watt/host.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace watt::detail {

// What every agent of one container shares.
struct ContainerParts {
  Mux& mux;
  ContainerPort& own;  // its shared connection, once the container has joined
  Scheduler& scheduler;
  const ContainerOptions& options;
  spdlog::sink_ptr log_sink;  // null = the console
  // After a turn that changed an agent's state (any thread).
  std::function<void(const HostedAgentStatus&)> on_state;
};

class HostedAgent final : public Scheduler::Task {
public:
  HostedAgent(ContainerParts parts, HostedAgentOptions options, std::shared_ptr<const AgentLibrary> library);
  ~HostedAgent() override;

  Clock::time_point run() override;
  // Any thread.
  void start();
  void stop();
  HostedAgentStatus status() const;
  bool settled() const;  // stopped or failed: nothing left to do
  // Retired (settled, and never started again): its library may be unloaded.
  void release_library() { library_.reset(); }
  const std::string& identity() const noexcept { return options_.identity; }

private:
  enum class State { stopped, starting, running, restarting, failed };
  static const char* name(State s) noexcept;

  Clock::time_point step();
  Clock::time_point begin();
  Clock::time_point end(const char* failure, bool asked);
  Clock::time_point after_exit(bool failure, const std::string& why);
  void set(State s);

  ContainerParts parts_;
  HostedAgentOptions options_;
  std::shared_ptr<const AgentLibrary> library_;
  Lifecycle life_;
  // Only the turn that runs touches these (one turn at a time).
  std::unique_ptr<Runtime> rt_;
  AgentLibrary::AgentPtr agent_;
  Clock::time_point started_{};
  std::chrono::milliseconds backoff_;
  std::deque<Clock::time_point> restarts_;

  mutable std::mutex mutex_;  // what other threads ask for and read
  State state_ = State::stopped;
  bool start_wanted_ = false;
  bool stop_wanted_ = false;
  Clock::time_point restart_at_{};
  std::uint64_t restart_count_ = 0;
  std::string last_failure_;
};

}  // namespace watt::detail
