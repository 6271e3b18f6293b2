// AgentHost and AgentLibrary: load an agent, run its lifecycle.
#include "runtime.hpp"

#include <watt/config_names.hpp>
#include <watt/health.hpp>
#include <watt/host.hpp>
#include <watt/paths.hpp>
#include <watt/plugin.hpp>

#include <spdlog/sinks/rotating_file_sink.h>

#include <dlfcn.h>
#include <unistd.h>

#include <array>

namespace watt {

AgentLibrary::AgentLibrary(const std::string& path) : path_(path) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw Error("cannot load agent library " + path + ": " + ::dlerror());
  auto sym = [&](const char* name) -> void* {
    ::dlerror();
    void* p = ::dlsym(handle_, name);
    if (p == nullptr) {
      ::dlclose(handle_);
      handle_ = nullptr;
      throw Error(path + " is not a Watt agent library: it has no " + name +
                  " (was it built with WATT_AGENT(YourAgent)?)");
    }
    return p;
  };
  // The ABI version comes first: nothing else in the library is touched
  // before we know it speaks our ABI.
  auto abi = reinterpret_cast<std::uint32_t (*)() noexcept>(sym("watt_agent_abi_version"));
  if (const auto v = abi(); v != WATT_AGENT_ABI_VERSION) {
    ::dlclose(handle_);
    handle_ = nullptr;
    throw Error(path + " was built for agent ABI " + std::to_string(v) + ", but this Watt speaks ABI " +
                std::to_string(WATT_AGENT_ABI_VERSION) + "; rebuild the agent against this SDK");
  }
  auto name = reinterpret_cast<const char* (*)() noexcept>(sym("watt_agent_class_name"));
  create_ = reinterpret_cast<void* (*)(char*, std::size_t) noexcept>(sym("watt_agent_create"));
  destroy_ = reinterpret_cast<void (*)(void*) noexcept>(sym("watt_agent_destroy"));
  class_name_ = name();
}

AgentLibrary::~AgentLibrary() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

AgentLibrary::AgentPtr AgentLibrary::create(detail::Runtime* rt) const {
  std::array<char, 1024> error{};
  void* agent = nullptr;
  {
    detail::ConstructionScope scope(rt);
    agent = create_(error.data(), error.size());
  }
  if (agent == nullptr) throw Error(path_ + ": the constructor of " + class_name_ + " threw: " + error.data());
  // The library's own destroy, so the agent is freed by the code that made it.
  return AgentPtr(static_cast<Agent*>(agent), [destroy = destroy_](Agent* a) { destroy(a); });
}

namespace {

spdlog::sink_ptr log_sink(const HostOptions& o) {
  if (o.log_file.empty()) return nullptr;
  try {
    return std::make_shared<spdlog::sinks::rotating_file_sink_mt>(o.log_file, o.log_max_bytes, o.log_files);
  } catch (const spdlog::spdlog_ex& e) {
    throw Error("cannot open the log file " + o.log_file + ": " + e.what());
  }
}

ConfigAction action_from_string(const std::string& a) {
  if (a == "create") return ConfigAction::create;
  if (a == "update") return ConfigAction::update;
  if (a == "remove") return ConfigAction::remove;
  throw Error("unknown configuration action '" + a + "'");
}

YAML::Node parse_config(const std::string& name, const std::string& text) {
  if (is_raw_config(name)) return YAML::Node(text);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error("configuration '" + name + "' is not valid YAML: " + e.what());
  }
}

// The agent's own configurations from the platform's store: their names,
// then each in a call of its own, so that together they may be larger than
// one message. Every agent may make these calls, whatever its grants, and
// gets its own configurations only.
std::vector<std::pair<std::string, std::string>> own_configs(detail::Runtime& rt, std::chrono::milliseconds timeout) {
  CallOptions o;
  o.timeout = timeout;
  auto fetch = [&](const char* method, const Value& args) {
    auto r = Call(&rt, rt.start_call(o, "platform", method, args)).get();
    if (!r)
      throw Error("cannot fetch the configuration of '" + rt.identity() + "' from the platform: " + r.error().what());
    return std::move(r).value();
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& name : fetch("own_config_names", Value::of(std::make_tuple())).as<std::vector<std::string>>()) {
    auto text = fetch("own_config", Value::of(std::make_tuple(name))).as<std::string>();
    out.emplace_back(std::move(name), std::move(text));
  }
  return out;
}

// Heartbeats on heartbeat/<identity>, the first at once.
void start_heartbeats(detail::Runtime& rt, std::chrono::milliseconds period) {
  const std::string topic = "heartbeat/" + rt.identity();
  rt.add_timer(detail::Clock::duration::zero(), period, [&rt, period, topic] {
    Heartbeat hb{rt.identity(), std::string(to_string(rt.health)), rt.health_context, period.count(),
                 static_cast<std::int64_t>(::getpid())};
    PublishOptions o;
    o.priority = 30;
    rt.publish(topic, Value::of(hb), o, false);  // not held back with the agent's own publishing
  });
}

}  // namespace

AgentHost::AgentHost(HostOptions options)
    : options_(std::move(options)),
      rt_(std::make_unique<detail::Runtime>(
          options_.identity, options_.address.empty() ? default_address() : options_.address, log_sink(options_))),
      agent_(nullptr, [](Agent*) {}) {
  if (options_.identity.empty()) throw Error("AgentHost: an identity is required");
}

AgentHost::~AgentHost() {
  agent_.reset();  // before the runtime it points into
}

void AgentHost::adopt(AgentLibrary::AgentPtr agent) {
  if (agent_) throw Error("AgentHost: an agent is already loaded");
  agent_ = std::move(agent);
}

Agent& AgentHost::load(const AgentLibrary& library) {
  adopt(library.create(rt_.get()));
  return *agent_;
}

Agent& AgentHost::agent() {
  if (!agent_) throw Error("AgentHost: no agent loaded");
  return *agent_;
}

void AgentHost::stop() noexcept { rt_->request_stop(); }

void AgentHost::run() {
  Agent& a = agent();
  if (!options_.server_key.empty()) rt_->set_curve(detail::curve_keys(options_.server_key, options_.key_file));
  rt_->connect(options_.connect_timeout);
  auto& log = rt_->log();
  auto configs = options_.configs;
  if (options_.configs_from_platform) {
    try {
      for (const auto& [name, text] : own_configs(*rt_, options_.connect_timeout))
        configs.emplace_back(name, parse_config(name, text));
    } catch (const Error&) {
      rt_->leave();
      throw;
    }
  }
  // Live changes from the config store arrive as this reserved method; a
  // throw from on_config goes back to whoever made the change.
  rt_->export_method(
      "watt.config",
      [&a, rt = rt_.get()](const Value& args) {
        // Only the platform, which keeps the store, may change configurations:
        // a change made around it would be lost at the next start.
        if (rt->caller() != "platform")
          throw Error("configurations are changed through the platform (watt config set)");
        const auto [name, action, text] = args.as<std::tuple<std::string, std::string, std::string>>();
        const auto act = action_from_string(action);
        a.on_config(name, act, act == ConfigAction::remove ? YAML::Node() : parse_config(name, text));
        return Value::of(true);
      },
      true);
  for (const auto& [name, node] : configs) {
    try {
      a.on_config(name, ConfigAction::create, node);
    } catch (const std::exception& e) {
      // A start-up configuration the agent refuses is fatal: running with
      // none would be a silent surprise.
      rt_->leave();
      throw Error("agent '" + rt_->identity() + "' refused configuration '" + name + "': " + e.what());
    }
  }
  bool started = false;
  if (options_.heartbeat_period.count() > 0) start_heartbeats(*rt_, options_.heartbeat_period);
  try {
    a.on_start();
    started = true;
    if (rt_->health == Health::starting) rt_->health = Health::good;
    if (!rt_->stop_requested()) log.info("started");
    // The platform counts an agent it runs as running from here (watt start
    // and install --start wait for it). Not waited for: nothing depends on
    // the answer.
    if (options_.configs_from_platform)
      Call(rt_.get(), rt_->start_call(CallOptions{}, "platform", "agent_started", Value::of(std::make_tuple())));
    rt_->run_loop();
  } catch (const std::exception& e) {
    log.error(std::string(started ? "stopping after an error: " : "on_start failed: ") + e.what());
    try {
      a.on_stop();
    } catch (...) {
    }
    rt_->leave();
    throw;
  }
  try {
    a.on_stop();
  } catch (const std::exception& e) {
    log.error(std::string("on_stop threw: ") + e.what());
  }
  rt_->leave();
  log.info("stopped");
}

}  // namespace watt
