// An agent's life on a runtime, the same whether it runs in a process of its
// own (AgentHost) or in a container: connect, hand it its configurations,
// start its heartbeats, on_start, tell the platform; and at the end on_stop
// and a goodbye that loses nothing.
#pragma once

#include "runtime.hpp"

#include <watt/agent.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace watt::detail {

struct Lifecycle {
  std::chrono::milliseconds connect_timeout{10000};
  std::string server_key;  // for a platform on TCP
  std::string key_file;
  std::vector<std::pair<std::string, YAML::Node>> configs;
  bool configs_from_platform = false;
  std::chrono::milliseconds heartbeat_period{0};
};

// Heartbeats on heartbeat/<identity>, the first at once.
void start_heartbeats(Runtime& rt, std::chrono::milliseconds period);

// Up to and including on_start. Throws watt::Error (a refused hello or
// configuration, or on_start's own exception) after leaving the bus; a
// failing on_start has had its on_stop.
void start_agent(Runtime& rt, Agent& agent, const Lifecycle& life);
// on_stop (a throw is logged), then leaves. `failure` is why it stops, if
// an exception ended its callbacks.
void stop_agent(Runtime& rt, Agent& agent, const char* failure);

}  // namespace watt::detail
