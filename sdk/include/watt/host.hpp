// Runs one agent on the calling thread: loads it (from a library or a C++
// type), connects it, drives its lifecycle until stopped. What watt-agent,
// the platform and the tests use.
#pragma once

#include <watt/agent.hpp>
#include <watt/export.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace watt {

struct HostOptions {
  std::string identity;
  std::string address;  // empty = default_address()
  std::chrono::milliseconds connect_timeout{10000};
  // For a platform on TCP: its public key, and this agent's key file.
  std::string server_key;
  std::string key_file;
  // Named configurations handed to on_config(create) before on_start.
  std::vector<std::pair<std::string, YAML::Node>> configs;
  // Also fetch the agent's configurations from the platform's config store
  // before on_start (as the platform does for the agents it runs).
  bool configs_from_platform = false;
  // Heartbeats on heartbeat/<identity>; zero = none.
  std::chrono::milliseconds heartbeat_period{0};
  // Log to this file, rotated by size, instead of the console.
  std::string log_file;
  std::size_t log_max_bytes = 10 << 20;
  std::size_t log_files = 5;
};

namespace detail {
// Set while a host constructs an agent, so Agent() finds its runtime.
class WATT_EXPORT ConstructionScope {
public:
  explicit ConstructionScope(Runtime* rt) noexcept;
  ~ConstructionScope();
  ConstructionScope(const ConstructionScope&) = delete;
  ConstructionScope& operator=(const ConstructionScope&) = delete;
};
}  // namespace detail

// A dlopen'ed agent library. The constructor checks the ABI before anything
// else and throws watt::Error with a message naming the file and the fault.
class WATT_EXPORT AgentLibrary {
public:
  explicit AgentLibrary(const std::string& path);
  ~AgentLibrary();
  AgentLibrary(const AgentLibrary&) = delete;
  AgentLibrary& operator=(const AgentLibrary&) = delete;

  const std::string& path() const noexcept { return path_; }
  const std::string& class_name() const noexcept { return class_name_; }

  using AgentPtr = std::unique_ptr<Agent, std::function<void(Agent*)>>;
  // Throws watt::Error if the agent's constructor threw.
  AgentPtr create(detail::Runtime* rt) const;

private:
  std::string path_;
  std::string class_name_;
  void* handle_ = nullptr;
  void* (*create_)(char*, std::size_t) noexcept = nullptr;
  void (*destroy_)(void*) noexcept = nullptr;
};

class WATT_EXPORT AgentHost {
public:
  explicit AgentHost(HostOptions options);
  ~AgentHost();
  AgentHost(const AgentHost&) = delete;
  AgentHost& operator=(const AgentHost&) = delete;

  template <class A, class... Args>
  A& emplace(Args&&... args) {
    detail::ConstructionScope scope(rt_.get());
    auto* agent = new A(std::forward<Args>(args)...);
    adopt(AgentLibrary::AgentPtr(agent, [](Agent* a) { delete a; }));
    return *agent;
  }
  Agent& load(const AgentLibrary& library);

  // Connects (throws watt::Error if refused or unreachable), runs on_config
  // for each configuration, on_start, then callbacks until stop(); then
  // on_stop, and flushes everything sent before leaving the bus.
  void run();
  // Safe from any thread and from a signal handler.
  void stop() noexcept;

  Agent& agent();

private:
  void adopt(AgentLibrary::AgentPtr agent);
  HostOptions options_;
  std::unique_ptr<detail::Runtime> rt_;
  AgentLibrary::AgentPtr agent_;
};

}  // namespace watt
