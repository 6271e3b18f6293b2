// ContainerHost: the container's own runtime (its identity on the bus, on the
// thread that calls run()), the scheduler's pool (which reads the shared
// connection for everyone, with the run() thread standing in while the pool
// is busy), and the agents.
#include "../log_sinks.hpp"
#include "container_port.hpp"
#include "hosted_agent.hpp"

#include <watt/call.hpp>
#include <watt/container.hpp>
#include <watt/identity.hpp>
#include <watt/paths.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <tuple>

namespace watt {

std::string container_identity(const std::string& name) { return "container." + name; }

struct ContainerHost::Impl {
  explicit Impl(ContainerOptions o) : options(std::move(o)), mux(container_identity(options.name)) {
    if (options.name.empty()) throw Error("a container needs a name");
    if (auto err = identity_error(container_identity(options.name)); !err.empty())
      throw Error("container name '" + options.name + "': " + err);
    if (options.address.empty()) options.address = default_address();
    sink = detail::log_sinks(options.log_file, options.log_max_bytes, options.log_files);
    threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    scheduler = std::make_unique<detail::Scheduler>(threads);
    auto port = std::make_unique<detail::ContainerPort>(mux, *scheduler);
    own_port = port.get();
    rt = std::make_unique<detail::Runtime>(container_identity(options.name), options.address, sink, std::move(port));
  }

  detail::HostedAgent* find(const std::string& identity) const {
    std::lock_guard lock(mutex);
    auto it = agents.find(identity);
    return it == agents.end() ? nullptr : it->second.get();
  }

  ContainerOptions options;
  spdlog::sink_ptr sink;
  detail::Mux mux;
  detail::ContainerPort* own_port = nullptr;
  std::unique_ptr<detail::Runtime> rt;
  std::size_t threads = 1;
  std::unique_ptr<detail::Scheduler> scheduler;
  std::map<std::string, std::shared_ptr<const AgentLibrary>> libraries;
  mutable std::mutex mutex;  // agents and libraries
  std::map<std::string, std::unique_ptr<detail::HostedAgent>> agents;
  std::vector<std::unique_ptr<detail::HostedAgent>> retired;
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
};

ContainerHost::ContainerHost(ContainerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

ContainerHost::~ContainerHost() {
  // The pool first: no turn may run while the agents go, and no pool thread
  // reads any more.
  impl_->own_port->leave_scheduler();
  impl_->scheduler.reset();
  std::lock_guard lock(impl_->mutex);
  impl_->agents.clear();
  impl_->retired.clear();
}

void ContainerHost::add(HostedAgentOptions agent) {
  if (auto err = identity_error(agent.identity); !err.empty()) throw Error("agent identity: " + err);
  if (agent.restart != "never" && agent.restart != "on-failure" && agent.restart != "always")
    throw Error("restart policy '" + agent.restart + "' is not one of: never, on-failure, always");
  detail::HostedAgent* added = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->agents.contains(agent.identity))
      throw Error("agent '" + agent.identity + "' is in this container already");
    auto& library = impl_->libraries[agent.library];
    if (!library) library = std::make_shared<const AgentLibrary>(agent.library);  // loaded once, shared
    const std::string identity = agent.identity;
    auto hosted = std::make_unique<detail::HostedAgent>(
        detail::ContainerParts{impl_->mux, *impl_->own_port, *impl_->scheduler, impl_->options, impl_->sink,
                               [this](const HostedAgentStatus& s) { report(s); }},
        std::move(agent), library);
    added = hosted.get();
    impl_->agents.emplace(identity, std::move(hosted));
  }
  if (impl_->running) added->start();
}

void ContainerHost::run() {
  auto& i = *impl_;
  detail::Lifecycle own;
  own.connect_timeout = i.options.connect_timeout;
  own.server_key = i.options.server_key;
  own.key_file = i.options.key_file;
  own.heartbeat_period = i.options.heartbeat_period;
  if (!own.server_key.empty()) i.rt->set_curve(detail::curve_keys(own.server_key, own.key_file));
  i.rt->connect(own.connect_timeout);
  i.rt->health = Health::good;
  if (own.heartbeat_period.count() > 0) detail::start_heartbeats(*i.rt, own.heartbeat_period);
  export_methods();
  if (i.options.configs_from_platform) {
    take_agents_from_platform();
    // The platform counts the container as running from here.
    Call(i.rt.get(), i.rt->start_call(CallOptions{}, "platform", "agent_started", Value::of(std::make_tuple())));
  }
  i.rt->log().info("container '{}' joined with {} threads, {} agents", i.options.name, i.threads, status().size());
  i.running = true;
  {
    std::lock_guard lock(i.mutex);
    for (auto& [identity, agent] : i.agents) agent->start();
  }
  i.rt->spin_until([&] { return i.stopping.load(); }, detail::Clock::time_point::max());
  // Each agent leaves with a goodbye the broker acknowledges, through this
  // thread: it keeps reading while they go.
  // Not before every agent is done with the connection: an agent in a long
  // callback is waited for (the platform's stop_timeout ends a container that
  // never gets there, as it ends an agent's process).
  {
    std::lock_guard lock(i.mutex);
    i.running = false;  // one added from now on is not started
    for (auto& [identity, agent] : i.agents) agent->stop();
  }
  const auto unsettled = [&] {
    std::lock_guard lock(i.mutex);
    std::size_t n = 0;
    for (auto& [identity, agent] : i.agents) n += agent->settled() ? 0U : 1U;
    return n;
  };
  while (!i.rt->spin_until([&] { return unsettled() == 0; }, detail::Clock::now() + std::chrono::seconds(10)))
    i.rt->log().warn("stopping: {} agents are still in a callback", unsettled());
  (void)i.rt->turn();  // the last reports of the agents' states go out before the goodbye
  i.rt->leave();
}

// Run by the platform: the agents it wants here, fetched once joined.
void ContainerHost::take_agents_from_platform() {
  auto& rt = *impl_->rt;
  CallOptions o;
  o.timeout = impl_->options.connect_timeout;
  auto r = Call(&rt, rt.start_call(o, "platform", "container_agents", Value::of(std::make_tuple()))).get();
  if (!r) throw Error("cannot fetch the agents of container '" + impl_->options.name + "': " + r.error().what());
  for (auto& [identity, library, restart] : r->as<std::vector<std::tuple<std::string, std::string, std::string>>>()) {
    HostedAgentOptions a;
    a.identity = std::move(identity);
    a.library = std::move(library);
    a.restart = std::move(restart);
    try {
      add(std::move(a));
    } catch (const std::exception& e) {
      rt.log().error("cannot host an agent: {}", e.what());
    }
  }
}

// Each change of an agent's state, to the platform (from the I/O thread,
// which alone uses the container's own runtime; not waited for).
void ContainerHost::report(const HostedAgentStatus& s) {
  if (!impl_->options.configs_from_platform) return;
  impl_->rt->post([rt = impl_->rt.get(), s] {
    Call(rt, rt->start_call(CallOptions{}, "platform", "hosted_state",
                            Value::of(std::make_tuple(s.identity, s.state, s.restarts, s.last_failure))));
  });
}

// What the platform (and `watt container`) asks of a running container.
void ContainerHost::export_methods() {
  auto& rt = *impl_->rt;
  rt.export_method("status", [this](const Value&) {
    std::vector<std::tuple<std::string, std::string, std::uint64_t, std::string>> list;
    for (const auto& s : status()) list.emplace_back(s.identity, s.state, s.restarts, s.last_failure);
    return Value::of(list);
  });
  rt.export_method("stats", [this](const Value&) {
    // How often an agent's full queue stopped the container reading, and
    // messages that came for agents already gone.
    return Value::of(std::map<std::string, std::uint64_t>{
        {"agents", status().size()}, {"intake_pauses", impl_->mux.intake_pauses()}, {"dropped", impl_->mux.dropped()}});
  });
  rt.export_method("add_agent", [this](const Value& args) {
    auto [identity, library, restart] = args.as<std::tuple<std::string, std::string, std::string>>();
    if (impl_->find(identity) != nullptr) {
      start_agent(identity);  // here already: started again
      return Value::of(false);
    }
    HostedAgentOptions a;
    a.identity = std::move(identity);
    a.library = std::move(library);
    a.restart = std::move(restart);
    add(std::move(a));
    return Value::of(true);
  });
  rt.export_method("remove_agent", [this](const Value& args) {
    remove_agent(std::get<0>(args.as<std::tuple<std::string>>()));
    return Value::of(true);
  });
  rt.export_method("start_agent", [this](const Value& args) {
    start_agent(std::get<0>(args.as<std::tuple<std::string>>()));
    return Value::of(true);
  });
  rt.export_method("stop_agent", [this](const Value& args) {
    stop_agent(std::get<0>(args.as<std::tuple<std::string>>()));
    return Value::of(true);
  });
}

void ContainerHost::stop() noexcept {
  impl_->stopping.store(true);
  impl_->own_port->wake();
}

std::vector<HostedAgentStatus> ContainerHost::status() const {
  std::vector<HostedAgentStatus> out;
  std::lock_guard lock(impl_->mutex);
  out.reserve(impl_->agents.size());
  for (const auto& [identity, agent] : impl_->agents) out.push_back(agent->status());
  return out;
}

void ContainerHost::start_agent(const std::string& identity) {
  auto* agent = impl_->find(identity);
  if (agent == nullptr) throw Error("no agent '" + identity + "' in this container");
  agent->start();
}

void ContainerHost::remove_agent(const std::string& identity) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->agents.find(identity);
  if (it == impl_->agents.end()) throw Error("no agent '" + identity + "' in this container");
  if (!it->second->settled()) throw Error("agent '" + identity + "' is still running; stop it first");
  // Kept until the container ends (the scheduler may still know it); its
  // library is let go once no agent uses it, so a reinstalled one loads anew.
  it->second->release_library();
  impl_->retired.push_back(std::move(it->second));
  impl_->agents.erase(it);
  for (auto lib = impl_->libraries.begin(); lib != impl_->libraries.end();)
    lib = lib->second.use_count() == 1 ? impl_->libraries.erase(lib) : std::next(lib);
}

void ContainerHost::stop_agent(const std::string& identity) {
  auto* agent = impl_->find(identity);
  if (agent == nullptr) throw Error("no agent '" + identity + "' in this container");
  agent->stop();
}

}  // namespace watt
