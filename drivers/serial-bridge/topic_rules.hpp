// What a node may name: its topics and patterns are relative to its prefix
// unless they start with '/', and absolute ones must be covered by the port's
// allow lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace watt::serial {

struct Resolved {
  std::string topic;  // the bus topic or pattern
  bool absolute = false;
  std::string error;  // empty when fine
};

// "temp" → "<prefix>/temp"; "/Data/x" → "Data/x". Checked as a topic (or, with
// `pattern`, as a subscription pattern); "" refers to the prefix itself.
Resolved resolve_name(std::string_view prefix, std::string_view name, bool pattern);

// Whether a topic is the bridge's own for this port: <prefix>/link and
// everything below it, which no node may publish, even where allowed.
bool reserved_for_bridge(std::string_view prefix, std::string_view topic);

bool covered_by_any(const std::vector<std::string>& allows, std::string_view pattern);

}  // namespace watt::serial
