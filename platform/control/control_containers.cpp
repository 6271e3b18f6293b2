// ControlAgent: agents in containers (docs/containers.md). An installed agent
// with a container runs in that container's process, watt-container, which
// the supervisor runs like any agent process under the identity
// container.<name>. The control service decides which hosted agents run; the
// container asks for that list when it starts, is told of changes, and
// reports each agent's state back.
#include "container_settings.hpp"
#include "control_agent.hpp"

#include <watt/container.hpp>
#include <watt/identity.hpp>

#include <tuple>

namespace fs = std::filesystem;

namespace watt::platform {
namespace {

// The container's name, from its identity on the bus (container.<name>).
std::string container_of_caller(const std::string& caller) {
  const std::string prefix = container_identity("");
  if (!caller.starts_with(prefix) || caller.size() == prefix.size())
    throw Error("only an agent container may ask this ('" + caller + "' is none)");
  return caller.substr(prefix.size());
}

}  // namespace

void ControlAgent::export_container_methods() {
  supervisor_.on_exit([this](const ProcessInfo& p) {
    if (!p.spec.container.empty()) container_exited(p);
  });
  // The container, as it starts: which of its agents to run.
  export_method("container_agents", [this] {
    const std::string name = container_of_caller(caller());
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto* a : agents_in(name))
      if (hosted_.wanted(a->identity)) out.emplace_back(a->identity, a->library().string(), a->restart);
    return out;
  });
  // The container, whenever one of its agents changes state.
  export_method("hosted_state", [this](const std::string& identity, const std::string& state, std::uint64_t restarts,
                                       const std::string& last_failure) {
    const std::string name = container_of_caller(caller());
    const auto* a = registry_.find(identity);
    if (a == nullptr || a->container != name) throw Error("'" + identity + "' is not an agent of container " + name);
    hosted_.report(identity, {state, restarts, last_failure});
  });
  export_method("containers", [this] { return containers(); });
  export_method("container_start", [this](const std::string& name) {
    const auto agents = agents_in(name);
    if (agents.empty()) throw Error("no agent is installed in container '" + name + "'");
    for (const auto* a : agents) start_hosted(*a);
  });
  export_method("container_set", [this](const std::string& name, unsigned threads, unsigned agent_queue) {
    if (auto err = identity_error(container_identity(name)); !err.empty())
      throw Error("container name '" + name + "': " + err);
    ContainerSettings s;
    s.threads = threads;
    s.agent_queue = agent_queue;
    save_container_settings(options_.home / "containers", name, s);
    log().info("container '{}' set: {} threads, agent queue {} (from its next start)", name, threads, agent_queue);
  });
  export_method("container_stop", [this](const std::string& name) {
    const auto agents = agents_in(name);
    if (agents.empty()) throw Error("no agent is installed in container '" + name + "'");
    for (const auto* a : agents) hosted_.unwant(a->identity);
    supervisor_.stop(container_identity(name));
  });
}

std::vector<const InstalledAgent*> ControlAgent::agents_in(const std::string& container) const {
  std::vector<const InstalledAgent*> out;
  for (const auto& [identity, a] : registry_.all())
    if (a.container == container) out.push_back(&a);
  return out;
}

LaunchSpec ControlAgent::container_spec(const std::string& name) {
  LaunchSpec spec;
  spec.identity = container_identity(name);
  spec.container = name;
  spec.log_file = log_file(spec.identity);
  spec.address = options_.agent_address;
  spec.restart = RestartPolicy::on_failure;  // its agents each have their own policy inside
  spec.heartbeat = options_.heartbeat;
  spec.log_max_bytes = options_.log_max_bytes;
  spec.log_files = options_.log_files;
  try {
    const auto settings = load_container_settings(options_.home / "containers", name);
    spec.threads = settings.threads;
    spec.agent_queue = settings.agent_queue;
  } catch (const std::exception& e) {
    // A damaged settings file costs the container its settings, not its start.
    log().warn("container '{}' runs with the defaults: {}", name, e.what());
  }
  return spec;
}

void ControlAgent::start_container(const std::string& name) {
  const auto* p = supervisor_.find(container_identity(name));
  if (p != nullptr && p->pid > 0) return;
  fs::create_directories(options_.home / "logs");
  supervisor_.start(container_spec(name));
  log().info("started container '{}' (pid {})", name, supervisor_.find(container_identity(name))->pid);
}

void ControlAgent::adopt_container(const std::string& name) {
  if (!supervisor_.adopt(container_spec(name))) return;
  log().info("adopted container '{}' (pid {}), still running from before", name,
             supervisor_.find(container_identity(name))->pid);
  call(container_identity(name), "status").then([this, name](Result<Value> r) {
    if (!r) {
      log().warn("container '{}' did not say what it runs: {}", name, r.error().what());
      return;
    }
    for (const auto& [identity, state, restarts, last_failure] :
         r->as<std::vector<std::tuple<std::string, std::string, std::uint64_t, std::string>>>()) {
      hosted_.report(identity, {state, restarts, last_failure});
      if (state != "stopped" && state != "failed") hosted_.want(identity);
    }
  });
}

void ControlAgent::tell_container(const std::string& name, const char* method, const std::string& identity) {
  // A container still starting is not on the bus yet; it asks for its
  // agents itself once it is, so unknown_peer is no news.
  call(container_identity(name), method, identity).then([this, name, identity, method](Result<Value> r) {
    if (!r && r.error().code != ErrorCode::unknown_peer)
      log().warn("container '{}' did not take {} of '{}': {}", name, method, identity, r.error().what());
  });
}

void ControlAgent::start_hosted(const InstalledAgent& a) {
  hosted_.want(a.identity);
  const auto* p = supervisor_.find(container_identity(a.container));
  if (p == nullptr || p->pid == 0) {
    start_container(a.container);  // it asks for its agents, this one among them
    return;
  }
  call(container_identity(a.container), "add_agent", a.identity, a.library().string(), a.restart)
      .then([this, name = a.container, identity = a.identity](Result<Value> r) {
        if (!r && r.error().code != ErrorCode::unknown_peer)
          log().warn("container '{}' did not start '{}': {}", name, identity, r.error().what());
      });
}

void ControlAgent::stop_hosted(const InstalledAgent& a) {
  hosted_.unwant(a.identity);
  tell_container(a.container, "stop_agent", a.identity);
  // A container with nothing left to run goes too.
  for (const auto* other : agents_in(a.container))
    if (hosted_.wanted(other->identity)) return;
  supervisor_.stop(container_identity(a.container));
}

void ControlAgent::container_exited(const ProcessInfo& p) {
  std::vector<std::string> agents;
  for (const auto* a : agents_in(p.spec.container)) agents.push_back(a->identity);
  const bool restarting = p.state == AgentState::restarting;
  hosted_.container_exited(agents, restarting, "its container '" + p.spec.container + "' " + p.last_failure);
  log().warn("container '{}' {}; its {} agents {}", p.spec.container, p.last_failure, agents.size(),
             restarting ? "restart with it" : "are down");
}

std::vector<ContainerStatus> ControlAgent::containers() const {
  std::map<std::string, ContainerStatus> by_name;
  for (const auto& [identity, a] : registry_.all()) {
    if (a.container.empty()) continue;
    auto& c = by_name[a.container];
    c.name = a.container;
    ++c.agents;
    AgentStatus st;
    hosted_status(a, st);
    if (st.state == "running") ++c.running;
  }
  std::vector<ContainerStatus> out;
  for (auto& [name, c] : by_name) {
    c.state = to_string(AgentState::stopped);
    try {
      const auto settings = load_container_settings(options_.home / "containers", name);
      c.threads = settings.threads;
      c.agent_queue = settings.agent_queue;
    } catch (const std::exception& e) {
      c.last_failure = e.what();
    }
    if (const auto* p = supervisor_.find(container_identity(name))) {
      c.state = to_string(p->state);
      c.pid = p->pid;
      c.restarts = p->restarts.size();
      c.last_failure = p->last_failure;
    }
    out.push_back(std::move(c));
  }
  return out;
}

void ControlAgent::hosted_status(const InstalledAgent& a, AgentStatus& s) const {
  s.container = a.container;
  const auto* p = supervisor_.find(container_identity(a.container));
  const bool container_up = p != nullptr && p->pid > 0;
  const HostedState h = hosted_.state(a.identity);
  // What the container last said, while it runs; after it stopped, what its
  // exit made of its agents.
  s.state = container_up || h.state != "running" ? h.state : to_string(AgentState::stopped);
  if (container_up && s.state == "stopped" && hosted_.wanted(a.identity)) s.state = to_string(AgentState::starting);
  s.pid = container_up && s.state != "stopped" ? p->pid : 0;
  s.restarts = h.restarts;
  s.last_failure = h.last_failure;
  if (container_up && s.pid > 0)
    s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p->started).count();
}

}  // namespace watt::platform
