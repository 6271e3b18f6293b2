// Supervisor: posix_spawn, signals, waitpid.
#include "supervisor.hpp"

#include <watt/error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <vector>

extern char** environ;

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
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (a Ctrl-C at wattd's terminal is wattd's to pass
  // on), and the default signal mask and handlers, not wattd's.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, runner_.c_str(), &files, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error("cannot start " + runner_.string() + " for '" + spec.identity + "': " + std::strerror(rc));
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
