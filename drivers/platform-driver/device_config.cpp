// Parsing of the agent's `config` and of device configurations (see device_config.hpp).
#include "device_config.hpp"

#include "config_error.hpp"

#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>

#include <set>

namespace watt::driver {

namespace {

void only_keys(const YAML::Node& v, const std::string& where, const std::set<std::string>& known) {
  if (auto err = yaml::key_error(v, known); !err.empty()) throw ConfigError(where + ": " + err);
}

double seconds(const YAML::Node& v, const std::string& where, const std::string& key) {
  double s = 0;
  try {
    s = v[key].as<double>();
  } catch (const YAML::Exception&) {
    throw ConfigError(where + ": '" + key + "' must be a number of seconds");
  }
  if (!(s > 0) || s > 86'400 * 7) throw ConfigError(where + ": '" + key + "' must be above 0 and at most a week");
  return s;
}

bool flag(const YAML::Node& v, const std::string& where, const std::string& key) {
  try {
    return v[key].as<bool>();
  } catch (const YAML::Exception&) {
    throw ConfigError(where + ": '" + key + "' must be true or false");
  }
}

}  // namespace

bool is_device_config(const std::string& name) { return name.starts_with("devices/"); }

DriverSettings parse_settings(const YAML::Node& value) {
  DriverSettings s;
  if (!value || value.IsNull()) return s;
  if (!value.IsMap()) throw ConfigError("config: must be a map of settings");
  only_keys(value, "config",
            {"interval", "stagger", "retry_interval", "retry_interval_max", "rpc_timeout", "publish_depth_first"});
  if (value["interval"]) s.interval_s = seconds(value, "config", "interval");
  if (value["retry_interval"]) s.retry_min_s = seconds(value, "config", "retry_interval");
  if (value["retry_interval_max"]) s.retry_max_s = seconds(value, "config", "retry_interval_max");
  if (value["rpc_timeout"]) s.rpc_timeout_s = seconds(value, "config", "rpc_timeout");
  if (value["stagger"]) s.stagger = flag(value, "config", "stagger");
  if (value["publish_depth_first"]) s.publish_depth_first = flag(value, "config", "publish_depth_first");
  if (s.retry_max_s < s.retry_min_s) throw ConfigError("config: 'retry_interval_max' is below 'retry_interval'");
  return s;
}

DeviceConfig parse_device_config(const std::string& config_name, const YAML::Node& value) {
  DeviceConfig d;
  const auto& w = config_name;
  d.name = config_name.substr(std::string("devices/").size());
  if (d.name.empty() || !topic_error("devices/" + d.name + "/all").empty())
    throw ConfigError(w + ": the name must be devices/<campus>/<building>/<device>, valid topic segments");
  if (!value || !value.IsMap()) throw ConfigError(w + ": must be a map (driver_type, driver_config, registry_config…)");
  only_keys(value, w,
            {"driver_type", "driver_config", "registry_config", "interval", "timezone", "publish_depth_first"});
  const auto text = [&](const char* key) -> std::string {
    if (!value[key]) return {};
    if (!value[key].IsScalar()) throw ConfigError(w + ": '" + key + "' must be text");
    return value[key].as<std::string>();
  };
  d.driver_type = text("driver_type");
  if (d.driver_type.empty()) throw ConfigError(w + ": 'driver_type' is missing (fake or modbus)");
  d.registry_config = text("registry_config");
  if (d.registry_config.empty()) throw ConfigError(w + ": 'registry_config' is missing (e.g. meter1.csv)");
  // VOLTTRON writes "config://meter1.csv"; both spellings name the same stored file.
  if (d.registry_config.starts_with("config://")) d.registry_config = d.registry_config.substr(9);
  if (value["driver_config"]) {
    if (!value["driver_config"].IsMap() && !value["driver_config"].IsNull())
      throw ConfigError(w + ": 'driver_config' must be a map");
    d.driver_config = value["driver_config"];
  }
  if (value["interval"]) d.interval_s = seconds(value, w, "interval");
  if (value["timezone"]) d.timezone = text("timezone");
  if (value["publish_depth_first"]) d.publish_depth_first = flag(value, w, "publish_depth_first");
  return d;
}

}  // namespace watt::driver
