// ControlAgent: the config store's methods. A change reaches a running agent
// first; only what the agent accepted is stored.
#include "control_agent.hpp"

#include <watt/config_names.hpp>
#include <watt/identity.hpp>

#include <filesystem>

namespace watt::platform {

Call ControlAgent::push_config(const std::string& identity, const std::string& name, const char* action,
                               const std::string& text) {
  CallOptions o;
  o.timeout = std::chrono::milliseconds(10000);
  return call_with(o, identity, "watt.config", name, std::string(action), text);
}

void ControlAgent::set_config(Reply reply, const std::string& identity, const std::string& name,
                              const std::string& text, bool force) {
  if (auto err = identity_error(identity); !err.empty()) throw Error(err);
  if (auto err = config_name_error(name); !err.empty()) throw Error(err);
  if (!force && registry_.find(identity) == nullptr)
    throw Error("no agent '" + identity + "' is installed (watt config set --force stores it all the same)");
  if (!is_raw_config(name)) {
    try {
      (void)YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw Error("'" + name + "' is not valid YAML or JSON: " + e.what());
    }
  }
  const bool exists = configs_.get(identity, name).has_value();
  push_config(identity, name, exists ? "update" : "create", text)
      .then([this, reply = std::make_shared<Reply>(std::move(reply)), identity, name, text](Result<Value> pushed) {
        if (!pushed && pushed.error().code != ErrorCode::unknown_peer) {
          // The agent is running and said no (or did not answer): nothing changes.
          reply->fail(ErrorCode::handler_threw,
                      pushed.error().code == ErrorCode::handler_threw
                          ? "'" + identity + "' refused configuration '" + name + "': " + pushed.error().message
                          : "could not give '" + identity + "' configuration '" + name + "': " + pushed.error().what());
          return;
        }
        try {
          configs_.set(identity, name, text);
        } catch (const std::exception& e) {
          reply->fail(ErrorCode::handler_threw, e.what());
          return;
        }
        reply->send(std::string(pushed ? "applied" : "stored"));  // stored only: the agent is not running
      });
}

void ControlAgent::delete_config(const std::string& identity, const std::string& name) {
  if (!configs_.get(identity, name)) throw Error("'" + identity + "' has no configuration '" + name + "'");
  configs_.remove(identity, name);
  push_config(identity, name, "remove", {}).then([this, identity, name](Result<Value> pushed) {
    if (!pushed && pushed.error().code != ErrorCode::unknown_peer)
      log().warn("'{}' did not take the removal of '{}' well: {}", identity, name, pushed.error().what());
  });
}

void ControlAgent::export_config_methods() {
  export_deferred("config_set",
                  [this](Reply reply, const std::string& identity, const std::string& name, const std::string& text) {
                    set_config(std::move(reply), identity, name, text, false);
                  });
  // For an agent not installed yet (it gets them when it is).
  export_deferred("config_set_force",
                  [this](Reply reply, const std::string& identity, const std::string& name, const std::string& text) {
                    set_config(std::move(reply), identity, name, text, true);
                  });
  export_method("config_get", [this](const std::string& identity, const std::string& name) {
    auto text = configs_.get(identity, name);
    if (!text) throw Error("'" + identity + "' has no configuration '" + name + "'");
    return *text;
  });
  export_method("config_list", [this](const std::string& identity) {
    std::vector<ConfigRow> rows;
    for (const auto& e : configs_.list(identity)) rows.push_back({e.identity, e.name, e.updated_ns, e.bytes});
    return rows;
  });
  // A consistent copy of the whole store, written by the platform (so on
  // its machine) to an absolute path.
  export_method("config_backup", [this](const std::string& path) {
    if (!std::filesystem::path(path).is_absolute()) throw Error("the backup's path must be absolute: " + path);
    configs_.backup(path);
    return configs_.count();
  });
  export_method("config_delete",
                [this](const std::string& identity, const std::string& name) { delete_config(identity, name); });
  export_method("config_delete_all", [this](const std::string& identity) {
    std::size_t n = 0;
    for (const auto& e : configs_.list(identity)) {
      delete_config(identity, e.name);
      ++n;
    }
    return n;
  });
  // Anyone's configurations, for those granted platform/agent_configs.
  export_method("agent_configs", [this](const std::string& identity) { return configs_.all_of(identity); });
  // What every agent may call, whatever its grants (the broker lets these
  // through), about itself only: the caller is the identity the broker checked.
  export_method("own_config_names", [this] {
    std::vector<std::string> names;
    for (const auto& e : configs_.list(caller())) names.push_back(e.name);
    return names;
  });
  export_method("own_config", [this](const std::string& name) {
    auto text = configs_.get(caller(), name);
    if (!text) throw Error("'" + caller() + "' has no configuration '" + name + "'");
    return *text;
  });
  export_method("agent_started", [this] { supervisor_.mark_running(caller()); });
}

}  // namespace watt::platform
