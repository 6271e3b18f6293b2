// Supervisor: spawn, reap, restart with backoff, adopt.
#include "supervisor.hpp"

#include "agent_registry.hpp"
#include "spawn.hpp"

#include <watt/error.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

namespace watt::platform {

const char* to_string(AgentState s) noexcept {
  switch (s) {
    case AgentState::stopped: return "stopped";
    case AgentState::starting: return "starting";
    case AgentState::running: return "running";
    case AgentState::stopping: return "stopping";
    case AgentState::restarting: return "restarting";
    case AgentState::failed: return "failed";
  }
  return "unknown";
}

const char* to_string(RestartPolicy p) noexcept {
  switch (p) {
    case RestartPolicy::never: return "never";
    case RestartPolicy::on_failure: return "on-failure";
    case RestartPolicy::always: return "always";
  }
  return "on-failure";
}

RestartPolicy restart_policy_from_string(const std::string& s) {
  if (s == "never") return RestartPolicy::never;
  if (s == "on-failure") return RestartPolicy::on_failure;
  if (s == "always") return RestartPolicy::always;
  throw Error("restart policy '" + s + "' is not one of: never, on-failure, always");
}

Supervisor::Supervisor(SupervisorOptions options) : options_(std::move(options)) {
  std::filesystem::create_directories(options_.pid_dir);
}

std::filesystem::path Supervisor::pid_file(const std::string& identity) const {
  return options_.pid_dir / (identity + ".pid");
}

void Supervisor::start(const LaunchSpec& spec) {
  ProcessInfo& p = procs_[spec.identity];
  if (p.pid > 0) throw Error("agent '" + spec.identity + "' is already " + to_string(p.state));
  p.spec = spec;
  p.restarts.clear();
  p.backoff = options_.backoff_initial;
  p.last_failure.clear();
  spawn_process(p);
}

std::vector<std::string> Supervisor::arguments(const LaunchSpec& s) const {
  std::vector<std::string> args;
  if (s.container.empty())
    args = {options_.runner.string(), s.library.string(), "--identity", s.identity};
  else
    args = {options_.container_runner.string(), "--name", s.container};
  if (s.threads > 0) args.insert(args.end(), {"--threads", std::to_string(s.threads)});
  if (s.agent_queue > 0) args.insert(args.end(), {"--agent-queue", std::to_string(s.agent_queue)});
  for (std::string a : {"--connect", s.address.c_str(), "--configs-from-platform", "--heartbeat-ms"}) args.push_back(a);
  args.push_back(std::to_string(s.heartbeat.count()));
  for (std::string a : {"--log-file", s.log_file.c_str(), "--log-max-bytes"}) args.push_back(a);
  args.push_back(std::to_string(s.log_max_bytes));
  args.emplace_back("--log-files");
  args.push_back(std::to_string(s.log_files));
  return args;
}

void Supervisor::spawn_process(ProcessInfo& p) {
  const auto& s = p.spec;
  SpawnOptions o;
  o.output = s.log_file;  // stray prints and crash reports; the agent logs here itself too
  o.environment = {"WATT_JOURNAL=" + options_.journal};  // set or cleared, never inherited
  p.pid = spawn(arguments(s), o);
  p.state = AgentState::starting;
  p.adopted = false;
  p.started = SteadyClock::now();
  write_file_atomic(pid_file(s.identity), std::to_string(p.pid) + "\n");
}

bool Supervisor::adopt(const LaunchSpec& spec) {
  std::ifstream in(pid_file(spec.identity));
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return false;
  // Only a live watt-agent running this very identity: pids get reused.
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
  std::stringstream ss;
  ss << cmd.rdbuf();
  const std::string cmdline = ss.str();
  const bool container = !spec.container.empty();
  const std::string want = container ? std::string("--name") + '\0' + spec.container + '\0'
                                     : std::string("--identity") + '\0' + spec.identity + '\0';
  const auto& program = container ? options_.container_runner : options_.runner;
  if (cmdline.find(program.filename().string()) == std::string::npos || cmdline.find(want) == std::string::npos) {
    std::filesystem::remove(pid_file(spec.identity));
    return false;
  }
  ProcessInfo& p = procs_[spec.identity];
  p.spec = spec;
  p.pid = static_cast<pid_t>(pid);
  p.adopted = true;
  p.state = AgentState::running;
  p.started = SteadyClock::now();
  p.backoff = options_.backoff_initial;
  return true;
}

void Supervisor::stop(const std::string& identity) {
  auto it = procs_.find(identity);
  if (it == procs_.end()) return;
  ProcessInfo& p = it->second;
  if (p.state == AgentState::restarting || p.state == AgentState::failed) {
    p.state = AgentState::stopped;  // a pending restart is cancelled
    return;
  }
  if (p.pid > 0 && p.state != AgentState::stopping) {
    ::kill(p.pid, SIGTERM);
    p.state = AgentState::stopping;
    p.kill_at = SteadyClock::now() + options_.stop_timeout;
  }
}

void Supervisor::stop_all() {
  for (auto& [identity, p] : procs_) stop(identity);
}

void Supervisor::mark_running(const std::string& identity) {
  auto it = procs_.find(identity);
  if (it != procs_.end() && it->second.state == AgentState::starting) it->second.state = AgentState::running;
}

void Supervisor::forget(const std::string& identity) {
  std::filesystem::remove(pid_file(identity));
  procs_.erase(identity);
}

void Supervisor::exited(ProcessInfo& p, int code) {
  const bool asked = p.state == AgentState::stopping;
  p.exit_code = code;
  p.pid = 0;
  p.adopted = false;
  std::filesystem::remove(pid_file(p.spec.identity));
  if (asked) {
    p.state = AgentState::stopped;
    return;
  }
  const bool failure = code != 0;
  const bool restart =
      p.spec.restart == RestartPolicy::always || (p.spec.restart == RestartPolicy::on_failure && failure);
  p.last_failure = code < 0     ? "exited (status unknown: started by an earlier platform)"
                   : code > 128 ? "killed by signal " + std::to_string(code - 128)
                                : "exited with code " + std::to_string(code);
  if (!restart) {
    p.state = failure ? AgentState::failed : AgentState::stopped;
    return;
  }
  const auto now = SteadyClock::now();
  // A long healthy run earns a fresh start: backoff and history reset.
  if (now - p.started > options_.restart_window) {
    p.backoff = options_.backoff_initial;
    p.restarts.clear();
  }
  while (!p.restarts.empty() && now - p.restarts.front() > options_.restart_window) p.restarts.pop_front();
  if (static_cast<int>(p.restarts.size()) >= options_.restart_limit) {
    p.state = AgentState::failed;
    p.last_failure = "crash loop: " + std::to_string(p.restarts.size()) + " restarts within " +
                     std::to_string(options_.restart_window.count() / 1000) + " s; last " + p.last_failure;
    return;
  }
  p.restarts.push_back(now);
  p.state = AgentState::restarting;
  p.restart_at = now + p.backoff;
  p.backoff = std::min(p.backoff * 2, options_.backoff_max);
}

void Supervisor::tick() {
  const auto now = SteadyClock::now();
  for (auto& [identity, p] : procs_) {
    if (p.pid > 0) {
      std::optional<int> code;
      if (p.adopted) {
        // Not our child: no exit status, only whether it still exists.
        if (::kill(p.pid, 0) != 0 && errno == ESRCH) code = -1;
      } else {
        int status = 0;
        if (::waitpid(p.pid, &status, WNOHANG) == p.pid)
          code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (code) {
        const bool asked = p.state == AgentState::stopping;
        exited(p, *code);
        if (!asked && on_exit_) on_exit_(p);
      }
    }
    if (p.pid > 0 && p.state == AgentState::stopping && now >= p.kill_at) {
      ::kill(p.pid, SIGKILL);
      p.kill_at = now + options_.stop_timeout;
    }
    if (p.state == AgentState::restarting && now >= p.restart_at) {
      try {
        spawn_process(p);
      } catch (const std::exception& e) {
        p.state = AgentState::failed;
        p.last_failure = e.what();
      }
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
