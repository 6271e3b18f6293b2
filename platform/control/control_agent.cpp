// ControlAgent: lifecycle, and the methods that install and run agents.
#include "control_agent.hpp"

#include "spawn.hpp"

#include <watt/container.hpp>
#include <watt/identity.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::platform {
namespace {
constexpr auto tick_period = std::chrono::milliseconds(50);

// The last n lines of a file, of those holding `tag` if one is given (an
// agent's lines in its container's log).
std::vector<std::string> last_lines(const fs::path& file, std::size_t n, const std::string& tag = {}) {
  std::ifstream in(file);
  std::deque<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!tag.empty() && l.find(tag) == std::string::npos) continue;
    lines.push_back(std::move(l));
    if (lines.size() > n) lines.pop_front();
  }
  return {lines.begin(), lines.end()};
}
}  // namespace

ControlAgent::ControlAgent(ControlOptions options)
    : options_(std::move(options)),
      configs_(options_.home / "config.db"),
      registry_(options_.home / "agents"),
      supervisor_(options_.supervisor),
      started_(std::chrono::steady_clock::now()) {
  std::vector<std::string> problems;
  registry_.load(problems);
  for (const auto& p : problems) log().warn("{}", p);
}

void ControlAgent::on_start() {
  // An agent is running once it is on the bus and through its on_start, not
  // merely forked: its host says so (agent_started, in control_config.cpp).
  every(tick_period, [this] {
    supervisor_.tick();
    if (shutting_down_ && !supervisor_.any_alive() && options_.on_shutdown) {
      auto done = std::exchange(options_.on_shutdown, nullptr);
      done();
    }
  });
  watch_health();
  export_config_methods();
  export_auth_methods();
  export_container_methods();
  export_org_methods();

  export_agent_methods();
  export_method("platform_status", [this] {
    const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return PlatformStatus{::getpid(), uptime, options_.home.string(), registry_.all().size()};
  });
  export_method("stats", [this] {
    PlatformStats s;
    auto b = call("broker", "stats").get_as<broker::BrokerStats>();
    if (!b) throw Error("the broker did not answer: " + b.error().what());
    s.broker = *b;
    for (const auto& [identity, a] : registry_.all()) ++s.agents[status_of(a, false).state];
    return s;
  });
  export_method("shutdown", [this] {
    log().info("shutdown requested by '{}'", caller());
    shutting_down_ = true;
    supervisor_.stop_all();
  });

  // Agents a previous platform left running are taken over, not restarted;
  // then the enabled ones that are not running start, in priority order.
  std::set<std::string> containers;
  for (const auto& [identity, a] : registry_.all()) {
    if (!a.container.empty()) {
      containers.insert(a.container);
      continue;
    }
    if (supervisor_.adopt(launch_spec(a)))
      log().info("adopted '{}' (pid {}), still running from before", identity, supervisor_.find(identity)->pid);
  }
  for (const auto& name : containers) adopt_container(name);
  start_enabled_agents();
}

// Installing, running and listing agents.
void ControlAgent::export_agent_methods() {
  export_method("install", [this](const InstallRequest& r) { return install(r); });
  export_method("install_many", [this](const std::vector<InstallRequest>& rs, bool check_only, std::uint64_t first) {
    return install_many(rs, check_only, first);
  });
  export_method("start", [this](const std::string& identity) { start_agent(identity); });
  export_method("stop", [this](const std::string& identity) { stop_agent(identity); });
  export_method("remove", [this](const std::string& identity) { remove_agent(identity); });
  export_method("enable", [this](const std::string& identity, int priority) {
    registry_.update(identity, [&](InstalledAgent& a) {
      a.enabled = true;
      a.priority = priority;
    });
  });
  export_method("disable", [this](const std::string& identity) {
    registry_.update(identity, [](InstalledAgent& a) { a.enabled = false; });
  });
  export_method("set_restart", [this](const std::string& identity, const std::string& policy) {
    (void)restart_policy_from_string(policy);
    registry_.update(identity, [&](InstalledAgent& a) { a.restart = policy; });
  });
  export_method("status", [this](const std::string& identity) { return status_of(installed(identity), true); });
  // With no arguments, every agent. With (after, max): the agents after
  // `after` in identity order, at most `max` (up to 2,000), a page well
  // within a message's size, for platforms of thousands of agents; under the
  // same name, so a grant of platform/list still covers `watt list`.
  export_raw("list", [this](const Value& args) {
    const auto& all = registry_.all();
    std::string after;
    std::uint64_t max = all.size();
    if (!args.empty() && args != Value::of(std::make_tuple())) {
      auto [from, most] = args.as<std::tuple<std::string, std::uint64_t>>();
      after = std::move(from);
      max = std::min<std::uint64_t>(most, 2000);
    }
    // A page also ends at half a MiB, well within a message's size.
    std::vector<AgentStatus> out;
    std::size_t bytes = 0;
    for (auto it = all.upper_bound(after); it != all.end() && out.size() < max && bytes < (512U << 10); ++it) {
      out.push_back(status_of(it->second, false));
      bytes += Value::of(out.back()).bytes().size();
    }
    return Value::of(out);
  });
}

void ControlAgent::on_stop() {
  // wattd is going away: no agent outlives an orderly shutdown.
  supervisor_.stop_all();
  const auto deadline = std::chrono::steady_clock::now() + options_.supervisor.stop_timeout + std::chrono::seconds(2);
  while (supervisor_.any_alive() && std::chrono::steady_clock::now() < deadline) {
    supervisor_.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ControlAgent::start_enabled_agents() {
  std::vector<const InstalledAgent*> enabled;
  for (const auto& [identity, a] : registry_.all())
    if (a.enabled) enabled.push_back(&a);
  std::stable_sort(enabled.begin(), enabled.end(),
                   [](const auto* x, const auto* y) { return x->priority < y->priority; });
  for (const auto* a : enabled) {
    const auto* p = supervisor_.find(a->identity);
    if (p != nullptr && p->pid > 0) continue;
    try {
      start_agent(a->identity);
    } catch (const std::exception& e) {
      log().error("cannot start enabled agent '{}': {}", a->identity, e.what());
    }
  }
}

const InstalledAgent& ControlAgent::installed(const std::string& identity) const {
  const auto* a = registry_.find(identity);
  if (a == nullptr) throw Error("no agent '" + identity + "' is installed");
  return *a;
}

fs::path ControlAgent::log_file(const std::string& identity) const {
  return options_.home / "logs" / (identity + ".log");
}

LaunchSpec ControlAgent::launch_spec(const InstalledAgent& a) const {
  LaunchSpec spec;
  spec.identity = a.identity;
  spec.library = a.library();
  spec.log_file = log_file(a.identity);
  spec.address = options_.agent_address;
  spec.restart = restart_policy_from_string(a.restart);
  spec.heartbeat = options_.heartbeat;
  spec.log_max_bytes = options_.log_max_bytes;
  spec.log_files = options_.log_files;
  return spec;
}

AgentStatus ControlAgent::status_of(const InstalledAgent& a, bool with_log) const {
  AgentStatus s;
  s.identity = a.identity;
  s.class_name = a.class_name;
  s.source = a.source;
  s.restart = a.restart;
  s.enabled = a.enabled;
  s.priority = a.priority;
  s.state = to_string(AgentState::stopped);
  if (!a.container.empty()) {
    hosted_status(a, s);
  } else if (const auto* p = supervisor_.find(a.identity)) {
    s.state = to_string(p->state);
    s.pid = p->pid;
    s.exit_code = p->exit_code;
    s.restarts = p->restarts.size();
    s.last_failure = p->last_failure;
    if (p->pid > 0) s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->started).count();
  }
  if (auto it = health_.entries().find(a.identity); it != health_.entries().end()) {
    s.health = std::string(to_string(it->second.status));
    s.health_context = it->second.context;
  }
  if (with_log)
    s.log_tail = a.container.empty()
                     ? last_lines(log_file(a.identity), 10)
                     : last_lines(log_file(container_identity(a.container)), 10, "[" + a.identity + "]");
  return s;
}

void ControlAgent::start_agent(const std::string& identity) {
  if (shutting_down_) throw Error("the platform is shutting down");
  const InstalledAgent& a = installed(identity);
  if (!a.container.empty()) {
    start_hosted(a);
    log().info("starting '{}' in container '{}'", identity, a.container);
    return;
  }
  fs::create_directories(options_.home / "logs");
  supervisor_.start(launch_spec(a));
  log().info("started '{}' (pid {})", identity, supervisor_.find(identity)->pid);
}

void ControlAgent::stop_agent(const std::string& identity) {
  const InstalledAgent& a = installed(identity);
  if (a.container.empty())
    supervisor_.stop(identity);
  else
    stop_hosted(a);
  health_.forget(identity);
}

void ControlAgent::remove_agent(const std::string& identity) {
  const InstalledAgent& a = installed(identity);
  if (const auto* p = supervisor_.find(identity); p != nullptr && p->pid > 0)
    throw Error("agent '" + identity + "' is " + to_string(p->state) + "; stop it first");
  if (!a.container.empty()) {
    if (const auto s = status_of(a, false).state; hosted_.wanted(identity) || s == "running" || s == "starting")
      throw Error("agent '" + identity + "' is " + s + " in container '" + a.container + "'; stop it first");
    tell_container(a.container, "remove_agent", identity);
    hosted_.forget(identity);
  }
  registry_.remove(identity);
  configs_.remove_all(identity);
  change_allow_list([&](broker::AllowList& l) { l.remove(identity); });
  supervisor_.forget(identity);
  health_.forget(identity);
}

}  // namespace watt::platform
