// The base class of every agent. Construct → on_config (per stored config) →
// on_start → callbacks → on_stop; all on one thread, one at a time.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/export.hpp>
#include <watt/health.hpp>

#include <yaml-cpp/yaml.h>

#include <string>

namespace watt {

enum class ConfigAction { create, update, remove };

class WATT_EXPORT Agent : public Endpoint {
public:
  // Agents are built by a host (watt-agent, AgentHost, or the WATT_AGENT
  // entry points), which hands over the runtime; anywhere else this throws.
  Agent();
  virtual ~Agent();

  // A configuration named `name` arrived, changed or went away. Throw
  // watt::Error to refuse it; the agent keeps its previous configuration.
  virtual void on_config(const std::string& name, ConfigAction action, const YAML::Node& value);
  virtual void on_start();
  virtual void on_stop();

  // What this agent's heartbeats report from now on. The host starts with
  // STARTING and sets GOOD once on_start returns; an agent that knows better
  // (a lost device, a stale forecast) says so here.
  void set_health(Health health, std::string context = {});

  // Asks the agent to stop: on_stop runs once the current callback returns.
  // Safe from any thread.
  void stop();
};

}  // namespace watt
