// Topic and pattern rules (see watt/topic.hpp).
#include <watt/topic.hpp>

namespace watt {
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
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return std::string(what) + " has a control character";
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

}  // namespace

std::string topic_error(std::string_view topic) { return check(topic, false); }
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

}  // namespace watt
