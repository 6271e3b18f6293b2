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

namespace {
// "" (the normalized "#") has no segments, not one empty one.
std::vector<std::string_view> segments(std::string_view pattern) {
  pattern = normalize_pattern(pattern);
  return pattern.empty() ? std::vector<std::string_view>{} : split_topic(pattern);
}
}  // namespace

bool pattern_covers(std::string_view allow, std::string_view pattern) {
  const auto a = segments(allow);
  const auto p = segments(pattern);
  // A pattern matches everything below it, so `pattern` is covered only when
  // `allow` runs out first (or at the same place) with every segment matched.
  if (p.size() < a.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "#") return true;
    if (p[i] == "#") return false;
    if (a[i] == "+") continue;
    if (p[i] == "+" || a[i] != p[i]) return false;
  }
  return true;
}

bool covered_by_any(const std::vector<std::string>& allows, std::string_view pattern) {
  for (const auto& a : allows)
    if (pattern_covers(a, pattern)) return true;
  return false;
}

}  // namespace watt::serial
