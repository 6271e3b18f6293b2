// Why a YAML map is refused by a reader that knows only some keys: a key that
// is not text (a list or a map used as a key), or one the reader does not
// know, named with the keys it does. Each reader throws its own error type
// with this message, so every configuration file reports a typo alike.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <string_view>

namespace watt::yaml {

// Empty when every key of `map` is in `known`. `prefix` is written before the
// key ("backend." gives "unknown key 'backend.port'").
inline std::string key_error(const YAML::Node& map, const std::set<std::string>& known, std::string_view prefix = {}) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) return "a key must be text, not a list or a map";
    const std::string& key = kv.first.Scalar();
    if (known.contains(key)) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return "unknown key '" + std::string(prefix) + key + "' (known: " + list + ")";
  }
  return {};
}

}  // namespace watt::yaml
