// What the organizations' agents share on the bus side: reading their
// configuration, splitting org topics, and the priority of trading traffic.
#pragma once

#include <watt/decode_body.hpp>
#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace watt::org {

// Trading rounds are a control loop: ahead of telemetry in every queue.
inline PublishOptions trading_options() {
  PublishOptions o;
  o.priority = 10;
  return o;
}

// The levels of a topic.
inline std::vector<std::string> levels(std::string_view topic) {
  std::vector<std::string> out;
  for (std::size_t at = 0;;) {
    const auto slash = topic.find('/', at);
    out.emplace_back(topic.substr(at, slash - at));
    if (slash == std::string_view::npos) return out;
    at = slash + 1;
  }
}

// The levels from `from` on, joined again.
inline std::string rest(const std::vector<std::string>& l, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < l.size(); ++i) out += (i > from ? "/" : "") + l[i];
  return out;
}

// A required or optional key of an agent's configuration, converted, with
// errors naming it.
template <class T>
T key(const YAML::Node& config, const char* name) {
  if (!config[name]) throw Error(std::string("'") + name + "' is missing");
  try {
    return config[name].as<T>();
  } catch (const YAML::Exception& e) {
    throw Error(std::string("'") + name + "': " + e.msg);
  }
}

template <class T>
T key(const YAML::Node& config, const char* name, const T& fallback) {
  return config[name] ? key<T>(config, name) : fallback;
}

inline void known_keys(const YAML::Node& config, const std::set<std::string>& known) {
  if (!config.IsMap()) throw Error("the configuration must be a map");
  if (auto err = watt::yaml::key_error(config, known); !err.empty()) throw Error(err);
}

}  // namespace watt::org
