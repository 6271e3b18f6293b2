// Relative and absolute names from a node, and the allow-list check.
#include "topic_rules.hpp"

#include <watt/topic.hpp>

namespace watt::serial {

Resolved resolve_name(std::string_view prefix, std::string_view name, bool pattern) {
  Resolved r;
  if (name.starts_with('/')) {
    r.absolute = true;
    r.topic = std::string(name.substr(1));
  } else {
    r.topic = std::string(prefix);
    if (!name.empty()) r.topic += "/" + std::string(name);
  }
  if (r.topic.empty()) {
    r.error = "empty topic";
    return r;
  }
  auto err = pattern ? pattern_error(r.topic) : topic_error(r.topic);
  if (!err.empty()) r.error = "'" + std::string(name) + "': " + err;
  return r;
}

bool reserved_for_bridge(std::string_view prefix, std::string_view topic) {
  // <prefix>/link and all below it: a subscriber to the link state gets
  // all of it.
  const std::string link = std::string(prefix) + "/link";
  return topic_matches(link, topic);
}

bool covered_by_any(const std::vector<std::string>& allows, std::string_view pattern) {
  for (const auto& a : allows)
    if (watt::pattern_covers(a, pattern)) return true;
  return false;
}

}  // namespace watt::serial
