// Agent processes: started as `watt-agent <lib> …` children, restarted by
// policy with exponential backoff, stopped with SIGTERM then SIGKILL, and
// adopted again by a restarted platform. Never blocks.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace watt::platform {

enum class AgentState { stopped, starting, running, stopping, restarting, failed };
const char* to_string(AgentState s) noexcept;

enum class RestartPolicy { never, on_failure, always };
const char* to_string(RestartPolicy p) noexcept;
// Throws watt::Error naming the valid values.
RestartPolicy restart_policy_from_string(const std::string& s);

using SteadyClock = std::chrono::steady_clock;

struct LaunchSpec {
  std::string identity;
  // Set for an agent container (docs/containers.md): its name; it runs as
  // watt-container, identity container.<name>, and hosts the agents itself.
  std::string container;
  unsigned threads = 0;      // a container's pool (0: watt-container's default)
  unsigned agent_queue = 0;  // and its per-agent queue
  std::filesystem::path library;
  std::filesystem::path log_file;
  std::string address;
  RestartPolicy restart = RestartPolicy::on_failure;
  std::chrono::milliseconds heartbeat{10000};
  std::size_t log_max_bytes = 10 << 20;  // the agent rotates its log at this size
  std::size_t log_files = 5;             // and keeps this many old ones
};

struct ProcessInfo {
  LaunchSpec spec;
  AgentState state = AgentState::stopped;
  pid_t pid = 0;
  bool adopted = false;  // left running by a previous platform: not our child
  SteadyClock::time_point started;
  SteadyClock::time_point kill_at;               // while stopping
  SteadyClock::time_point restart_at;            // while restarting
  std::chrono::milliseconds backoff{0};          // the next restart's delay
  std::deque<SteadyClock::time_point> restarts;  // within the window
  int exit_code = 0;                             // last exit: code, 128+signal, or -1 when unknown
  std::string last_failure;                      // why it last stopped on its own, for `watt status`
};

struct SupervisorOptions {
  std::filesystem::path runner;            // the watt-agent executable
  std::filesystem::path container_runner;  // the watt-container executable
  std::filesystem::path pid_dir;           // <pid_dir>/<identity>.pid while an agent runs
  std::chrono::milliseconds stop_timeout{10000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
  int restart_limit = 5;  // restarts within the window before FAILED
  std::chrono::milliseconds restart_window{60000};
  // The journal's socket, for the agents to log to as well as their files
  // (their $WATT_JOURNAL); empty: their files only.
  std::string journal;
};

class Supervisor {
public:
  explicit Supervisor(SupervisorOptions options);

  // Throws watt::Error when the process cannot be started.
  void start(const LaunchSpec& spec);
  // Takes over an agent a previous platform started, if its pid file names a
  // live watt-agent for that identity. Returns whether it did.
  bool adopt(const LaunchSpec& spec);
  // Sends SIGTERM; tick() sends SIGKILL once the grace period is over. A
  // stopped agent is never restarted by policy.
  void stop(const std::string& identity);
  void stop_all();
  // Reaps exits, restarts by policy, escalates overdue stops. Call it often.
  void tick();
  // The agent said hello on the bus.
  void mark_running(const std::string& identity);
  void forget(const std::string& identity);
  // Called after a process exited on its own (not asked to stop), with what
  // the supervisor made of it (restarting, failed or stopped).
  void on_exit(std::function<void(const ProcessInfo&)> handler) { on_exit_ = std::move(handler); }

  const ProcessInfo* find(const std::string& identity) const;
  bool any_alive() const;

private:
  void spawn_process(ProcessInfo& p);
  void exited(ProcessInfo& p, int code);
  std::filesystem::path pid_file(const std::string& identity) const;

  std::vector<std::string> arguments(const LaunchSpec& s) const;

  SupervisorOptions options_;
  std::map<std::string, ProcessInfo> procs_;
  std::function<void(const ProcessInfo&)> on_exit_;
};

}  // namespace watt::platform
