// Topic and pattern rules (see watt/proto/topic.hpp).
#include <watt/proto/topic.hpp>

#include <array>
#include <cstdint>

namespace watt::proto {
namespace {

std::string check(std::string_view s, bool pattern) {
  const char* what = pattern ? "pattern" : "topic";
  if (s.empty()) return std::string("empty ") + what;
  if (s.size() > max_topic_bytes)
    return std::string(what) + " is " + std::to_string(s.size()) + " bytes, over the limit of " +
           std::to_string(max_topic_bytes);
  std::size_t segments = 0;
  std::size_t start = 0;
  while (true) {
    const auto slash = s.find('/', start);
    const auto seg = s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    ++segments;
    if (seg.empty()) return std::string(what) + " '" + std::string(s) + "' has an empty segment";
    for (const char c : seg) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::string(what) + " has a control character";
    }
    const bool wild = seg.find_first_of("+#") != std::string_view::npos;
    if (wild) {
      if (!pattern) return "topic '" + std::string(s) + "' contains a wildcard; only patterns may";
      if (seg != "+" && seg != "#")
        return "pattern '" + std::string(s) + "': '+' and '#' must stand alone in a segment";
      if (seg == "#" && slash != std::string_view::npos)
        return "pattern '" + std::string(s) + "': '#' may only be the last segment";
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (segments > max_topic_segments)
    return std::string(what) + " has " + std::to_string(segments) + " segments, over the limit of " +
           std::to_string(max_topic_segments);
  return {};
}

// What each byte is in a topic: 0 plain, 1 a separator, 2 never allowed
// (control characters and wildcards).
constexpr auto byte_classes = [] {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 0x20; ++c) t[c] = 2;
  t[0x7f] = 2;
  t['+'] = 2;
  t['#'] = 2;
  t['/'] = 1;
  return t;
}();

// The common case, a valid topic, in one pass over its bytes; anything it
// does not accept goes to check(), which says what is wrong.
bool plainly_valid_topic(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_topic_bytes) return false;
  std::size_t slashes = 0;
  std::uint8_t prev = 1;  // as if after a separator: a leading '/' is an empty segment
  for (const char c : s) {
    const std::uint8_t k = byte_classes[static_cast<unsigned char>(c)];
    if (k == 2 || (k & prev) != 0) return false;  // a bad byte, or two separators in a row
    slashes += k;
    prev = k;
  }
  return prev == 0 && slashes < max_topic_segments;
}

}  // namespace

std::string topic_error(std::string_view topic) {
  if (plainly_valid_topic(topic)) return {};
  return check(topic, false);
}
std::string pattern_error(std::string_view pattern) { return check(pattern, true); }

std::string_view normalize_pattern(std::string_view pattern) {
  if (pattern == "#") return {};
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/#") pattern.remove_suffix(2);
  return pattern;
}

std::vector<std::string_view> split_topic(std::string_view topic) {
  std::vector<std::string_view> out;
  while (true) {
    const auto slash = topic.find('/');
    out.push_back(topic.substr(0, slash));
    if (slash == std::string_view::npos) break;
    topic.remove_prefix(slash + 1);
  }
  return out;
}

bool topic_matches(std::string_view pattern, std::string_view topic) {
  pattern = normalize_pattern(pattern);
  while (!pattern.empty()) {
    if (topic.empty()) return false;
    const auto ps = pattern.find('/');
    const auto ts = topic.find('/');
    const auto pseg = pattern.substr(0, ps);
    const auto tseg = topic.substr(0, ts);
    if (pseg != "+" && pseg != tseg) return false;
    pattern = ps == std::string_view::npos ? std::string_view{} : pattern.substr(ps + 1);
    topic = ts == std::string_view::npos ? std::string_view{} : topic.substr(ts + 1);
  }
  return true;
}

bool pattern_covers(std::string_view allow, std::string_view pattern) {
  // The pattern read as a topic: a "+" in `allow` takes any segment (a "+"
  // too), a name only that name, and `allow` takes all below it.
  return topic_matches(allow, normalize_pattern(pattern));
}

}  // namespace watt::proto
