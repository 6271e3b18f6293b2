// Agent processes: started as `watt-agent <lib> …` children, stopped with
// SIGTERM and, after a grace period, SIGKILL; reaped without blocking.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>

namespace watt::platform {

enum class AgentState { stopped, starting, running, stopping, failed };
const char* to_string(AgentState s) noexcept;

struct ProcessInfo {
  AgentState state = AgentState::stopped;
  pid_t pid = 0;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point kill_at;  // while stopping
  int exit_code = 0;                               // last exit: code, or 128+signal
};

struct LaunchSpec {
  std::string identity;
  std::filesystem::path library;
  std::filesystem::path config;  // empty = none
  std::filesystem::path log_file;
  std::string address;
};

class Supervisor {
public:
  Supervisor(std::filesystem::path agent_runner, std::chrono::milliseconds stop_timeout);

  // Throws watt::Error when the process cannot be started.
  void start(const LaunchSpec& spec);
  // Sends SIGTERM; tick() sends SIGKILL once the grace period is over.
  void stop(const std::string& identity);
  // Reaps exited children and escalates overdue stops. Call it often.
  void tick();
  // The agent said hello on the bus.
  void mark_running(const std::string& identity);
  void forget(const std::string& identity) { procs_.erase(identity); }

  const ProcessInfo* find(const std::string& identity) const;
  bool any_alive() const;
  void stop_all();

private:
  std::filesystem::path runner_;
  std::chrono::milliseconds stop_timeout_;
  std::map<std::string, ProcessInfo> procs_;
};

}  // namespace watt::platform
