// AgentHost and AgentLibrary: load an agent, run its lifecycle.
#include "lifecycle.hpp"
#include "log_sinks.hpp"
#include "runtime.hpp"

#include <watt/config_names.hpp>
#include <watt/health.hpp>
#include <watt/host.hpp>
#include <watt/paths.hpp>
#include <watt/plugin.hpp>

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

spdlog::sink_ptr log_sink(const HostOptions& o) { return detail::log_sinks(o.log_file, o.log_max_bytes, o.log_files); }

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
  detail::Lifecycle life{options_.connect_timeout,       options_.server_key,      options_.key_file, options_.configs,
                         options_.configs_from_platform, options_.heartbeat_period};
  detail::start_agent(*rt_, a, life);
  try {
    rt_->run_loop();
  } catch (const std::exception& e) {
    detail::stop_agent(*rt_, a, e.what());
    throw;
  }
  detail::stop_agent(*rt_, a, nullptr);
}

}  // namespace watt
