// Topics and subscription patterns on the wire: '/'-separated segments,
// matched segment by segment; a pattern matches its own topic and everything
// below it. The SDK's watt/topic.hpp is the same rules as agent API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace watt::proto {

inline constexpr std::size_t max_topic_bytes = 1024;
inline constexpr std::size_t max_topic_segments = 64;

// Why a topic or pattern is refused; empty when it is fine.
// A topic has no empty segment, no leading or trailing '/', no control
// characters, and no wildcard. A pattern may also use '+' for exactly one
// segment and '#' (last segment only) for the rest.
std::string topic_error(std::string_view topic);
std::string pattern_error(std::string_view pattern);

// Whole-segment matching: "devices/campus" matches "devices/campus" and
// "devices/campus/b1/x" but never "devices/campus2"; "#" matches everything.
bool topic_matches(std::string_view pattern, std::string_view topic);

// Whether every topic `pattern` matches is also matched by `allow`:
// "devices/lab/+/power" is within "devices/lab", "devices/+" is not.
bool pattern_covers(std::string_view allow, std::string_view pattern);

std::vector<std::string_view> split_topic(std::string_view topic);

// The canonical form of a pattern: a trailing "#" segment dropped, since every
// pattern already matches everything below it ("a/#" == "a", "#" == "").
std::string_view normalize_pattern(std::string_view pattern);

// Calls fn(segment) for each segment of s, in order; nothing for "".
template <class Fn>
void for_each_segment(std::string_view s, Fn&& fn) {
  while (!s.empty()) {
    const auto slash = s.find('/');
    fn(s.substr(0, slash));
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
}

}  // namespace watt::proto
