// The platform driver's configurations as stored in the config store:
// `config` (agent settings) and `devices/<campus>/<building>/<device>` (one device).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace watt::driver {

struct DriverSettings {
  double interval_s = 60;            // a device's scrape interval unless it names its own
  bool stagger = true;               // spread the devices' scrapes across their interval
  double retry_min_s = 0.5;          // first retry of a device that did not answer; doubles
  double retry_max_s = 30;           // the longest wait between retries
  double rpc_timeout_s = 10;         // how long an RPC waits for a blocking device
  bool publish_depth_first = false;  // also devices/<device>/<point>, one message a point
};

struct DeviceConfig {
  std::string name;  // campus/building/device: the topic below devices/
  std::string driver_type;
  YAML::Node driver_config;
  std::string registry_config;  // name of the registry CSV in the config store
  std::optional<double> interval_s;
  std::string timezone = "UTC";
  std::optional<bool> publish_depth_first;  // unset: the agent's setting
};

// Both throw ConfigError naming the configuration and key at fault.
DriverSettings parse_settings(const YAML::Node& value);
DeviceConfig parse_device_config(const std::string& config_name, const YAML::Node& value);

// True for a configuration name this agent reads as a device.
bool is_device_config(const std::string& name);

}  // namespace watt::driver
