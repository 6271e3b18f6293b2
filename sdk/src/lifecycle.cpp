// The lifecycle of an agent, for AgentHost and for containers.
#include "lifecycle.hpp"

#include <watt/call.hpp>
#include <watt/config_names.hpp>
#include <watt/health.hpp>

#include <unistd.h>

namespace watt::detail {
namespace {

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
std::vector<std::pair<std::string, std::string>> own_configs(Runtime& rt, std::chrono::milliseconds timeout) {
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

}  // namespace

void start_heartbeats(Runtime& rt, std::chrono::milliseconds period) {
  const std::string topic = "heartbeat/" + rt.identity();
  rt.add_timer(Clock::duration::zero(), period, [&rt, period, topic] {
    Heartbeat hb{rt.identity(), std::string(to_string(rt.health)), rt.health_context, period.count(),
                 static_cast<std::int64_t>(::getpid())};
    PublishOptions o;
    o.priority = 30;
    rt.publish(topic, Value::of(hb), o, false);  // not held back with the agent's own publishing
  });
}

void start_agent(Runtime& rt, Agent& a, const Lifecycle& life) {
  if (!life.server_key.empty()) rt.set_curve(curve_keys(life.server_key, life.key_file));
  rt.connect(life.connect_timeout);
  auto configs = life.configs;
  if (life.configs_from_platform) {
    try {
      for (const auto& [name, text] : own_configs(rt, life.connect_timeout))
        configs.emplace_back(name, parse_config(name, text));
    } catch (const Error&) {
      rt.leave();
      throw;
    }
  }
  // Live changes from the config store arrive as this reserved method; a
  // throw from on_config goes back to whoever made the change.
  rt.export_method(
      "watt.config",
      [&a, &rt](const Value& args) {
        // Only the platform, which keeps the store, may change configurations:
        // a change made around it would be lost at the next start.
        if (rt.caller() != "platform") throw Error("configurations are changed through the platform (watt config set)");
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
      rt.leave();
      throw Error("agent '" + rt.identity() + "' refused configuration '" + name + "': " + e.what());
    }
  }
  if (life.heartbeat_period.count() > 0) start_heartbeats(rt, life.heartbeat_period);
  try {
    a.on_start();
  } catch (const std::exception& e) {
    rt.log().error(std::string("on_start failed: ") + e.what());
    try {
      a.on_stop();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the failure that matters is on_start's
    }
    rt.leave();
    throw;
  }
  if (rt.health == Health::starting) rt.health = Health::good;
  if (!rt.stop_requested()) rt.log().info("started");
  // The platform counts an agent it runs as running from here (watt start
  // and install --start wait for it). Not waited for: nothing depends on
  // the answer.
  if (life.configs_from_platform)
    Call(&rt, rt.start_call(CallOptions{}, "platform", "agent_started", Value::of(std::make_tuple())));
}

void stop_agent(Runtime& rt, Agent& a, const char* failure) {
  if (failure != nullptr) rt.log().error(std::string("stopping after an error: ") + failure);
  try {
    a.on_stop();
  } catch (const std::exception& e) {
    if (failure == nullptr) rt.log().error(std::string("on_stop threw: ") + e.what());
  }
  rt.leave();
  if (failure == nullptr) rt.log().info("stopped");
}

}  // namespace watt::detail
