// A number in an agent's settings, refused by name when it is not one or
// out of range: how the bess and aggregator agents read theirs.
#pragma once

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>
#include <string>

namespace watt::trading {

// `node`'s number, `fallback` when absent; throws watt::Error
// "'<what>' must be a number from <low> to <high>" otherwise.
inline double setting(const YAML::Node& node, const std::string& what, double fallback, double low, double high) {
  double v = fallback;
  bool ok = true;
  if (node) {
    try {
      v = node.as<double>();
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  if (!ok || !std::isfinite(v) || v < low || v > high) {
    std::ostringstream o;
    o << "'" << what << "' must be a number from " << low << " to " << high;
    throw Error(o.str());
  }
  return v;
}

// `node`'s text, `fallback` when absent; a list or a map is refused by name.
inline std::string text_setting(const YAML::Node& node, const std::string& what, const std::string& fallback) {
  if (!node) return fallback;
  if (!node.IsScalar() || node.Scalar().empty()) throw Error("'" + what + "' must be text");
  return node.Scalar();
}

// `node`'s true or false, `fallback` when absent.
inline bool flag_setting(const YAML::Node& node, const std::string& what, bool fallback) {
  if (!node) return fallback;
  bool v = false;
  if (!YAML::convert<bool>::decode(node, v)) throw Error("'" + what + "' must be true or false");
  return v;
}

}  // namespace watt::trading
