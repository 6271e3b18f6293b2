// A setting's value read from a YAML map, refused by name when it is not
// what it should be: a number in a range, text, true or false. Each reader
// throws its own error type (the agents, watt::Error) with this message, as
// with key_error in yaml_keys.hpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>
#include <string>

namespace watt::yaml {

// `node`'s number, `fallback` when absent; throws E
// "'<what>' must be a number from <low> to <high>" otherwise.
template <class E>
double number(const YAML::Node& node, const std::string& what, double fallback, double low, double high) {
  double v = fallback;
  if (node && !YAML::convert<double>::decode(node, v)) v = std::nan("");
  if (!std::isfinite(v) || v < low || v > high) {
    std::ostringstream o;
    o << "'" << what << "' must be a number from " << low << " to " << high;
    throw E(o.str());
  }
  return v;
}

// `node`'s text, `fallback` when absent; a list or a map is refused.
template <class E>
std::string text(const YAML::Node& node, const std::string& what, const std::string& fallback) {
  if (!node) return fallback;
  if (!node.IsScalar() || node.Scalar().empty()) throw E("'" + what + "' must be text");
  return node.Scalar();
}

// `node`'s true or false, `fallback` when absent.
template <class E>
bool flag(const YAML::Node& node, const std::string& what, bool fallback) {
  if (!node) return fallback;
  bool v = false;
  if (!YAML::convert<bool>::decode(node, v)) throw E("'" + what + "' must be true or false");
  return v;
}

}  // namespace watt::yaml
