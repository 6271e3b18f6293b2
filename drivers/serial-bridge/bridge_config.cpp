// Reading and checking the serial bridge's YAML configuration.
#include "bridge_config.hpp"

#include <watt/error.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>

#include <chrono>
#include <map>
#include <set>
#include <utility>

namespace watt::serial {
namespace {

// The keys a port may override from `defaults:`.
const std::set<std::string>& link_keys() {
  static const std::set<std::string> keys = {
      "baud",          "parity",        "stop_bits",        "heartbeat_ms", "silence_timeout_ms",
      "reopen_min_ms", "reopen_max_ms", "max_subscriptions"};
  return keys;
}
const std::set<std::string>& port_keys() {
  static const std::set<std::string> keys = {"device", "node", "role", "subscribe", "allow_publish", "allow_subscribe"};
  return keys;
}

void check_keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& a,
                const std::set<std::string>& b = {}) {
  std::set<std::string> known = a;
  known.insert(b.begin(), b.end());
  if (auto err = yaml::key_error(map, known); !err.empty()) throw Error(where + err);
}

template <class T>
T read(const YAML::Node& node, const std::string& where) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(where + " has the wrong type");
  }
}

unsigned read_positive(const YAML::Node& node, const std::string& where) {
  const auto v = read<long long>(node, where);
  if (v <= 0 || v > 86'400'000) throw Error(where + " must be a positive number (got " + std::to_string(v) + ")");
  return static_cast<unsigned>(v);
}

// Applies the link keys present in `map` over `port` (defaults first, then the port's own).
void apply_link_keys(const YAML::Node& map, const std::string& where, PortConfig& port) {
  using std::chrono::milliseconds;
  if (map["baud"]) port.settings.baud = read_positive(map["baud"], where + "baud");
  if (map["stop_bits"]) port.settings.stop_bits = read_positive(map["stop_bits"], where + "stop_bits");
  if (map["parity"]) {
    try {
      port.settings.parity = parse_parity(read<std::string>(map["parity"], where + "parity"), where + "parity");
    } catch (const LinkError& e) {
      throw Error(e.what());
    }
  }
  if (map["heartbeat_ms"])
    port.options.heartbeat_period = milliseconds(read_positive(map["heartbeat_ms"], where + "heartbeat_ms"));
  if (map["silence_timeout_ms"])
    port.options.silence_timeout = milliseconds(read_positive(map["silence_timeout_ms"], where + "silence_timeout_ms"));
  if (map["reopen_min_ms"])
    port.options.reopen_min = milliseconds(read_positive(map["reopen_min_ms"], where + "reopen_min_ms"));
  if (map["reopen_max_ms"])
    port.options.reopen_max = milliseconds(read_positive(map["reopen_max_ms"], where + "reopen_max_ms"));
  if (map["max_subscriptions"])
    port.max_subscriptions = read_positive(map["max_subscriptions"], where + "max_subscriptions");
}

std::vector<std::string> read_patterns(const YAML::Node& list, const std::string& where, const PortConfig& port,
                                       const std::string& lab) {
  if (!list.IsSequence()) throw Error(where + " must be a list of patterns");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    auto p = expand_template(read<std::string>(list[i], at), lab, port.node, port.role);
    if (auto err = pattern_error(p); !err.empty()) throw Error(at + ": '" + p + "': " + err);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::string expand_template(const std::string& text, const std::string& lab, const std::string& node,
                            const std::string& role) {
  static const std::map<std::string, int> names = {{"lab", 0}, {"node", 1}, {"role", 2}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    const auto close = text.find('}', i);
    if (close == std::string::npos) throw Error("unclosed '{' in '" + text + "'");
    const auto name = text.substr(i + 1, close - i - 1);
    const auto it = names.find(name);
    if (it == names.end())
      throw Error("unknown placeholder '{" + name + "}' in '" + text + "' (known: {lab}, {node}, {role})");
    out += it->second == 0 ? lab : it->second == 1 ? node : role;
    i = close;
  }
  return out;
}

BridgeConfig parse_bridge_config(const YAML::Node& root) {
  if (!root.IsMap()) throw Error("the configuration must be a map with 'lab' and 'ports'");
  check_keys(root, "", {"lab", "prefix", "defaults", "ports"});
  BridgeConfig config;
  if (!root["lab"]) throw Error("'lab' is required");
  config.lab = read<std::string>(root["lab"], "'lab'");
  if (config.lab.empty() || !topic_error(config.lab).empty() || config.lab.find('/') != std::string::npos)
    throw Error("'lab' must be one topic segment (got '" + config.lab + "')");
  if (root["prefix"]) config.prefix_template = read<std::string>(root["prefix"], "'prefix'");

  PortConfig defaults;
  if (root["defaults"]) {
    if (!root["defaults"].IsMap()) throw Error("'defaults' must be a map");
    check_keys(root["defaults"], "defaults: ", link_keys());
    apply_link_keys(root["defaults"], "defaults.", defaults);
  }

  const auto& ports = root["ports"];
  if (!ports || !ports.IsSequence() || ports.size() == 0) throw Error("'ports' must be a non-empty list");
  std::map<std::string, std::size_t> nodes, devices, prefixes;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const auto& p = ports[i];
    const std::string where = "ports[" + std::to_string(i) + "]";
    if (!p.IsMap()) throw Error(where + " must be a map");
    check_keys(p, where + ": ", port_keys(), link_keys());
    PortConfig port = defaults;
    if (!p["device"]) throw Error(where + ": 'device' is required");
    port.settings.device = read<std::string>(p["device"], where + ".device");
    if (!p["node"]) throw Error(where + ": 'node' is required");
    port.node = read<std::string>(p["node"], where + ".node");
    if (port.node.empty() || port.node.find('/') != std::string::npos || !topic_error(port.node).empty())
      throw Error(where + ".node must be one topic segment (got '" + port.node + "')");
    if (p["role"]) port.role = read<std::string>(p["role"], where + ".role");
    apply_link_keys(p, where + ".", port);
    try {
      port.prefix = expand_template(config.prefix_template, config.lab, port.node, port.role);
    } catch (const Error& e) {
      throw Error("'prefix': " + std::string(e.what()));
    }
    if (auto err = topic_error(port.prefix); !err.empty())
      throw Error(where + ": prefix '" + port.prefix + "' is not a topic: " + err);
    try {
      validate(port.settings);
      validate(port.options);
    } catch (const LinkError& e) {
      throw Error(where + ": " + e.what());
    }
    if (p["subscribe"]) port.subscribe = read_patterns(p["subscribe"], where + ".subscribe", port, config.lab);
    if (p["allow_publish"])
      port.allow_publish = read_patterns(p["allow_publish"], where + ".allow_publish", port, config.lab);
    if (p["allow_subscribe"])
      port.allow_subscribe = read_patterns(p["allow_subscribe"], where + ".allow_subscribe", port, config.lab);
    else
      port.allow_subscribe = {"#"};

    if (auto [it, fresh] = nodes.emplace(port.node, i); !fresh)
      throw Error(where + ".node: duplicate node '" + port.node + "' (also ports[" + std::to_string(it->second) + "])");
    if (auto [it, fresh] = devices.emplace(port.settings.device, i); !fresh)
      throw Error(where + ".device: duplicate device '" + port.settings.device + "' (also ports[" +
                  std::to_string(it->second) + "])");
    if (auto [it, fresh] = prefixes.emplace(port.prefix, i); !fresh)
      throw Error(where + ": prefix '" + port.prefix + "' is the same as ports[" + std::to_string(it->second) +
                  "]'s (put {node} in 'prefix')");
    config.ports.push_back(std::move(port));
  }
  return config;
}

}  // namespace watt::serial
