// Supervisor: posix_spawn, signals, waitpid.
#include "supervisor.hpp"

#include "spawn.hpp"

#include <watt/error.hpp>

#include <signal.h>
#include <sys/wait.h>


namespace watt::platform {

const char* to_string(AgentState s) noexcept {
  switch (s) {
    case AgentState::stopped: return "stopped";
    case AgentState::starting: return "starting";
    case AgentState::running: return "running";
    case AgentState::stopping: return "stopping";
    case AgentState::failed: return "failed";
  }
  return "unknown";
}

Supervisor::Supervisor(std::filesystem::path agent_runner, std::chrono::milliseconds stop_timeout)
    : runner_(std::move(agent_runner)), stop_timeout_(stop_timeout) {}

void Supervisor::start(const LaunchSpec& spec) {
  if (auto it = procs_.find(spec.identity); it != procs_.end() && it->second.pid > 0)
    throw Error("agent '" + spec.identity + "' is already " + to_string(it->second.state));
  std::vector<std::string> args = {runner_.string(), spec.library.string(), "--identity", spec.identity,
                                   "--connect", spec.address};
  if (!spec.config.empty()) {
    args.emplace_back("--config");
    args.push_back(spec.config.string());
  }
  SpawnOptions o;
  o.output = spec.log_file;
  const pid_t pid = spawn(args, o);
  ProcessInfo& p = procs_[spec.identity];
  p.state = AgentState::starting;
  p.pid = pid;
  p.started = std::chrono::steady_clock::now();
  p.exit_code = 0;
}

void Supervisor::stop(const std::string& identity) {
  auto it = procs_.find(identity);
  if (it == procs_.end() || it->second.pid <= 0) return;
  if (it->second.state != AgentState::stopping) {
    ::kill(it->second.pid, SIGTERM);
    it->second.state = AgentState::stopping;
    it->second.kill_at = std::chrono::steady_clock::now() + stop_timeout_;
  }
}

void Supervisor::stop_all() {
  for (auto& [identity, p] : procs_) stop(identity);
}

void Supervisor::mark_running(const std::string& identity) {
  auto it = procs_.find(identity);
  if (it != procs_.end() && it->second.state == AgentState::starting) it->second.state = AgentState::running;
}

void Supervisor::tick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [identity, p] : procs_) {
    if (p.pid <= 0) continue;
    int status = 0;
    const pid_t r = ::waitpid(p.pid, &status, WNOHANG);
    if (r == p.pid) {
      p.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      const bool asked = p.state == AgentState::stopping;
      p.state = asked || p.exit_code == 0 ? AgentState::stopped : AgentState::failed;
      p.pid = 0;
    } else if (p.state == AgentState::stopping && now >= p.kill_at) {
      ::kill(p.pid, SIGKILL);
      p.kill_at = now + stop_timeout_;
    }
  }
}

const ProcessInfo* Supervisor::find(const std::string& identity) const {
  auto it = procs_.find(identity);
  return it == procs_.end() ? nullptr : &it->second;
}

bool Supervisor::any_alive() const {
  for (const auto& [identity, p] : procs_)
    if (p.pid > 0) return true;
  return false;
}

}  // namespace watt::platform
