// The values the control RPC takes and returns, shared by the service and the
// `watt` command line so the two cannot drift apart.
#pragma once

#include <watt/platform/broker_stats.hpp>

#include <msgpack.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace watt::platform {

struct InstallRequest {
  std::string source;  // absolute path of the library, or a folder holding one
  std::string identity;
  std::string config;  // text stored as the agent's "config", if not empty
  std::string restart = "on-failure";
  // What the agent may do on the bus: topic patterns to publish to,
  // PEER/METHOD patterns to call, patterns to subscribe within. Its entry on
  // the allow-list.
  std::vector<std::string> publish = {"#"};
  std::vector<std::string> call = {"#"};
  std::vector<std::string> subscribe = {"#"};
  std::string container;  // run it in this container (made on first use); empty = a process of its own
  MSGPACK_DEFINE_MAP(source, identity, config, restart, publish, call, subscribe, container)
};

// One installed agent, as `watt list` and `watt status ID` show it.
struct AgentStatus {
  std::string identity;
  std::string state;  // stopped | starting | running | stopping | restarting | failed
  std::int64_t pid = 0;
  double uptime_s = 0;
  int exit_code = 0;
  std::string class_name;
  std::string source;
  std::string restart;
  bool enabled = false;
  int priority = 50;
  std::uint64_t restarts = 0;  // within the restart window
  std::string last_failure;
  std::string health;  // from its heartbeats, or empty
  std::string health_context;
  std::vector<std::string> log_tail;  // `status` only
  std::string container;              // the container it runs in, or empty
  MSGPACK_DEFINE_MAP(identity, state, pid, uptime_s, exit_code, class_name, source, restart, enabled, priority,
                     restarts, last_failure, health, health_context, log_tail, container)
};

// One agent container, as `watt container list` shows it.
struct ContainerStatus {
  std::string name;
  std::string state;  // of its process: stopped | starting | running | stopping | restarting | failed
  std::int64_t pid = 0;
  std::uint64_t agents = 0;   // installed in it
  std::uint64_t running = 0;  // of those, running now
  std::uint64_t restarts = 0;
  std::string last_failure;
  unsigned threads = 0;  // as set (watt container set); 0 = the default
  unsigned agent_queue = 0;
  MSGPACK_DEFINE_MAP(name, state, pid, agents, running, restarts, last_failure, threads, agent_queue)
};

// What `watt platform status` shows.
struct PlatformStatus {
  std::int64_t pid = 0;
  double uptime_s = 0;
  std::string home;
  std::uint64_t agents = 0;
  MSGPACK_DEFINE_MAP(pid, uptime_s, home, agents)
};

// One row of `watt health`.
struct HealthRow {
  std::string identity;
  std::string status;
  std::string context;
  double last_seen_s = 0;  // seconds since its last heartbeat
  std::int64_t period_ms = 0;
  MSGPACK_DEFINE_MAP(identity, status, context, last_seen_s, period_ms)
};

// One row of `watt config list`.
struct ConfigRow {
  std::string identity;
  std::string name;
  std::int64_t updated_ns = 0;
  std::uint64_t bytes = 0;
  MSGPACK_DEFINE_MAP(identity, name, updated_ns, bytes)
};

// `watt stats`.
struct PlatformStats {
  broker::BrokerStats broker;
  std::map<std::string, std::uint64_t> agents;  // by state
  MSGPACK_DEFINE_MAP(broker, agents)
};

}  // namespace watt::platform
