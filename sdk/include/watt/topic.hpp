// Topics and subscription patterns: '/'-separated segments, matched segment by
// segment; a pattern matches its own topic and everything below it.
#pragma once

#include <watt/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace watt {

inline constexpr std::size_t max_topic_bytes = 1024;
inline constexpr std::size_t max_topic_segments = 64;

// Why a topic or pattern is refused; empty when it is fine.
// A topic has no empty segment, no leading or trailing '/', no control
// characters, and no wildcard. A pattern may also use '+' for exactly one
// segment and '#' (last segment only) for the rest.
WATT_EXPORT std::string topic_error(std::string_view topic);
WATT_EXPORT std::string pattern_error(std::string_view pattern);

// Whole-segment matching: "devices/campus" matches "devices/campus" and
// "devices/campus/b1/x" but never "devices/campus2"; "#" matches everything.
WATT_EXPORT bool topic_matches(std::string_view pattern, std::string_view topic);

// Whether every topic `pattern` matches is also matched by `allow`:
// "devices/lab/+/power" is within "devices/lab", "devices/+" is not.
WATT_EXPORT bool pattern_covers(std::string_view allow, std::string_view pattern);

WATT_EXPORT std::vector<std::string_view> split_topic(std::string_view topic);

}  // namespace watt

namespace watt {
// The canonical form of a pattern: a trailing "#" segment dropped, since every
// pattern already matches everything below it ("a/#" == "a", "#" == "").
WATT_EXPORT std::string_view normalize_pattern(std::string_view pattern);
}  // namespace watt
