// The serial bridge's configuration: the lab, the topic prefix template, the
// port defaults and one entry per port, read from YAML and checked as a whole.
#pragma once

#include "link/serial_link.hpp"
#include "tty/serial_settings.hpp"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

namespace watt::serial {

struct PortConfig {
  std::string node;
  std::string role;
  std::string prefix;  // the template expanded for this node: where its relative topics live
  SerialSettings settings;
  LinkOptions options;
  // Bus patterns, placeholders already expanded.
  std::vector<std::string> subscribe;        // always delivered to the node
  std::vector<std::string> allow_publish;    // absolute topics the node may publish to
  std::vector<std::string> allow_subscribe;  // absolute patterns the node may ask for
  std::size_t max_subscriptions = 64;        // the node's own requests, not counting `subscribe`
};

struct BridgeConfig {
  std::string lab;
  std::string prefix_template = "devices/{lab}/{node}";
  std::vector<PortConfig> ports;
};

// Throws watt::Error naming the key (and the port index) at fault: unknown
// keys, bad values, a prefix that is no topic, duplicate nodes, devices or
// prefixes.
BridgeConfig parse_bridge_config(const YAML::Node& root);

// "{lab}", "{node}", "{role}" replaced; any other "{…}" throws watt::Error.
std::string expand_template(const std::string& text, const std::string& lab, const std::string& node,
                            const std::string& role);

}  // namespace watt::serial
