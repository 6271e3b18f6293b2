// Runs many agents in one process: an agent container. Each agent keeps its
// own identity, configurations, methods, subscriptions, heartbeats and grants
// on the bus, and its code is the same as when it runs alone; they share one
// connection to the broker (protocol 2, docs/protocol.md) and a small pool of
// threads. What watt-container uses; see docs/containers.md.
#pragma once

#include <watt/export.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace watt {

struct HostedAgentOptions {
  std::string identity;
  std::string library;                 // the agent's .so, as for watt-agent
  std::string restart = "on-failure";  // never, on-failure or always
  // Handed to on_config(create) before on_start, beside the platform's.
  std::vector<std::pair<std::string, YAML::Node>> configs;
};

struct ContainerOptions {
  std::string name;         // the container's own identity on the bus is "container.<name>"
  std::string address;      // empty = default_address()
  std::size_t threads = 0;  // the pool; 0 = one per core
  // Messages that may wait for one agent inside the container; past it the
  // container stops reading from the broker until that agent is down to half.
  std::size_t agent_queue = 10'000;
  std::chrono::milliseconds connect_timeout{10000};
  std::string server_key;  // for a platform on TCP, and the container's key file
  std::string key_file;
  // Run by the platform: the container asks it which agents to run, reports
  // each one's state, and each agent fetches its own configurations.
  bool configs_from_platform = false;
  std::chrono::milliseconds heartbeat_period{0};
  std::string log_file;  // every agent's lines, tagged with its identity; empty = the console
  std::size_t log_max_bytes = 10 << 20;
  std::size_t log_files = 5;
  // Restarts of an agent that fails (or exits, with restart: always), as
  // the platform restarts a process: doubling backoff, and FAILED after
  // restart_limit restarts within restart_window.
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
  int restart_limit = 5;
  std::chrono::milliseconds restart_window{60000};
};

struct HostedAgentStatus {
  std::string identity;
  std::string state;  // stopped, starting, running, stopping, restarting, failed
  std::uint64_t restarts = 0;
  std::string last_failure;
};

// The identity a container of this name has on the bus.
WATT_EXPORT std::string container_identity(const std::string& name);

class WATT_EXPORT ContainerHost {
public:
  explicit ContainerHost(ContainerOptions options);
  ~ContainerHost();
  ContainerHost(const ContainerHost&) = delete;
  ContainerHost& operator=(const ContainerHost&) = delete;

  // Before run(), or while it runs (from any thread): the agent starts at
  // once. Throws watt::Error for a library that cannot be loaded, a bad
  // identity or restart policy, or an identity already here.
  void add(HostedAgentOptions agent);
  // Connects (throws watt::Error if refused or unreachable), starts every
  // agent and serves until stop(); then stops every agent, each with its
  // on_stop and a goodbye that loses nothing, and leaves.
  void run();
  // Safe from any thread and from a signal handler.
  void stop() noexcept;
  // Any thread.
  std::vector<HostedAgentStatus> status() const;
  // Any thread: one agent, not the container.
  void start_agent(const std::string& identity);
  void stop_agent(const std::string& identity);
  // A stopped agent leaves the container (its library is unloaded once no
  // agent here uses it).
  void remove_agent(const std::string& identity);

private:
  void export_methods();
  void take_agents_from_platform();
  void report(const HostedAgentStatus& status);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace watt
