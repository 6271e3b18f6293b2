// Agent base class: finds the runtime its host is constructing it for.
#include "runtime.hpp"

#include <watt/agent.hpp>
#include <watt/host.hpp>

namespace watt {
namespace {
thread_local detail::Runtime* constructing = nullptr;

detail::Runtime* runtime_for_new_agent() {
  if (constructing == nullptr)
    throw Error("a watt::Agent can only be created by a host (watt-agent, watt::AgentHost or WATT_AGENT)");
  return constructing;
}
}  // namespace

detail::ConstructionScope::ConstructionScope(Runtime* rt) noexcept { constructing = rt; }
detail::ConstructionScope::~ConstructionScope() { constructing = nullptr; }

Agent::Agent() : Endpoint(runtime_for_new_agent()) {}
Agent::~Agent() = default;

void Agent::on_config(const std::string&, ConfigAction, const YAML::Node&) {}
void Agent::on_start() {}
void Agent::on_stop() {}
void Agent::stop() { rt_->request_stop(); }

void Agent::set_health(Health health, std::string context) {
  rt_->health = health;
  rt_->health_context = std::move(context);
}

}  // namespace watt
