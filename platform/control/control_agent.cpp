// ControlAgent: the platform's control RPC methods.
#include "control_agent.hpp"

#include "spawn.hpp"

#include <watt/identity.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::platform {
namespace {
constexpr auto tick_period = std::chrono::milliseconds(50);
}

ControlAgent::ControlAgent(ControlOptions options)
    : options_(std::move(options)),
      registry_(options_.home / "agents"),
      supervisor_(options_.agent_runner, options_.stop_timeout),
      started_(std::chrono::steady_clock::now()) {
  std::vector<std::string> problems;
  registry_.load(problems);
  for (const auto& p : problems) log().warn("{}", p);
}

void ControlAgent::on_start() {
  // An agent is running once it is on the bus, not merely forked.
  subscribe("platform/peers/joined", [this](const Envelope& e) {
    supervisor_.mark_running(e.topic.substr(e.topic.rfind('/') + 1));
  });
  every(tick_period, [this] {
    supervisor_.tick();
    if (shutting_down_ && !supervisor_.any_alive() && options_.on_shutdown) {
      auto done = std::exchange(options_.on_shutdown, nullptr);
      done();
    }
  });

  export_method("install", [this](const std::string& source, const std::string& identity,
                                  const std::string& config_text, bool start) {
    return install(source, identity, config_text, start);
  });
  export_method("start", [this](const std::string& identity) { start_agent(identity); });
  export_method("stop", [this](const std::string& identity) {
    installed(identity);
    supervisor_.stop(identity);
  });
  export_method("remove", [this](const std::string& identity) {
    installed(identity);
    if (const auto* p = supervisor_.find(identity); p != nullptr && p->pid > 0)
      throw Error("agent '" + identity + "' is " + to_string(p->state) + "; stop it first");
    registry_.remove(identity);
    supervisor_.forget(identity);
  });
  export_method("status", [this](const std::string& identity) { return status_of(installed(identity)); });
  export_method("list", [this] {
    std::vector<AgentStatus> out;
    for (const auto& [identity, a] : registry_.all()) out.push_back(status_of(a));
    return out;
  });
  export_method("platform_status", [this] {
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return PlatformStatus{::getpid(), uptime, options_.home.string(), registry_.all().size()};
  });
  export_method("shutdown", [this] {
    log().info("shutdown requested by '{}'", caller());
    shutting_down_ = true;
    supervisor_.stop_all();
  });
}

void ControlAgent::on_stop() {
  // wattd is going away: no agent outlives it.
  supervisor_.stop_all();
  const auto deadline = std::chrono::steady_clock::now() + options_.stop_timeout + std::chrono::seconds(2);
  while (supervisor_.any_alive() && std::chrono::steady_clock::now() < deadline) {
    supervisor_.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

const InstalledAgent& ControlAgent::installed(const std::string& identity) const {
  const auto* a = registry_.find(identity);
  if (a == nullptr) throw Error("no agent '" + identity + "' is installed");
  return *a;
}

AgentStatus ControlAgent::status_of(const InstalledAgent& a) const {
  AgentStatus s;
  s.identity = a.identity;
  s.class_name = a.class_name;
  s.source = a.source;
  s.state = to_string(AgentState::stopped);
  if (const auto* p = supervisor_.find(a.identity)) {
    s.state = to_string(p->state);
    s.pid = p->pid;
    s.exit_code = p->exit_code;
    if (p->pid > 0) s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->started).count();
  }
  return s;
}

std::string ControlAgent::check_library(const fs::path& library) const {
  // Loaded in a child, never in wattd: a library's static constructors are
  // its own business, and a crash there must not take the platform down.
  const fs::path out = options_.home / "run" / ("check-" + std::to_string(::getpid()) + ".out");
  std::vector<std::string> args = {options_.agent_runner.string(), library.string(), "--check"};
  SpawnOptions o;
  o.output = out;
  o.append = false;
  const pid_t pid = spawn(args, o);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(out);
  std::string result = text.str();
  while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) result.pop_back();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string prefix = "watt-agent: ";
    if (result.rfind(prefix, 0) == 0) result = result.substr(prefix.size());
    throw Error(result.empty() ? "the library could not be loaded" : result);
  }
  return result;  // the agent's class name
}

std::string ControlAgent::install(const std::string& source, const std::string& identity,
                                  const std::string& config_text, bool start) {
  if (shutting_down_) throw Error("the platform is shutting down");
  if (auto err = identity_error(identity); !err.empty()) throw Error(err);
  if (identity == "platform") throw Error("identity 'platform' is reserved");
  fs::path library(source);
  if (fs::is_directory(library)) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(library))
      if (e.path().extension() == ".so") found.push_back(e.path());
    if (found.size() != 1)
      throw Error(source + " holds " + std::to_string(found.size()) + " .so files; expected exactly one");
    library = found.front();
  }
  if (!fs::is_regular_file(library)) throw Error("no such agent library: " + source);
  if (!config_text.empty()) {
    try {
      (void)YAML::Load(config_text);
    } catch (const YAML::Exception& e) {
      throw Error(std::string("the configuration is not valid YAML: ") + e.what());
    }
  }
  std::string class_name = check_library(library);
  registry_.install(identity, library, class_name, config_text);
  log().info("installed '{}' ({}) from {}", identity, class_name, library.string());
  if (start) start_agent(identity);
  return class_name;
}

void ControlAgent::start_agent(const std::string& identity) {
  if (shutting_down_) throw Error("the platform is shutting down");
  const InstalledAgent& a = installed(identity);
  fs::create_directories(options_.home / "logs");
  LaunchSpec spec;
  spec.identity = identity;
  spec.library = a.library();
  if (a.has_config()) spec.config = a.config();
  spec.log_file = options_.home / "logs" / (identity + ".log");
  spec.address = options_.agent_address;
  supervisor_.start(spec);
  log().info("started '{}' (pid {})", identity, supervisor_.find(identity)->pid);
}

}  // namespace watt::platform
