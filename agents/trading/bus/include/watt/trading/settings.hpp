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

}  // namespace watt::trading
