#include <watt/mqtt/rules.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <algorithm>

namespace watt::mqtt {
namespace {

std::vector<std::string_view> segments(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

// The wildcards of a pattern in order: the count of '+' and whether it ends in '#'.
struct Shape {
  std::size_t plus = 0;
  bool hash = false;
  bool operator==(const Shape&) const = default;
};

Shape shape_of(std::string_view pattern) {
  Shape s;
  for (const auto seg : segments(pattern)) {
    if (seg == "+") ++s.plus;
    if (seg == "#") s.hash = true;
  }
  return s;
}

std::string describe(const Shape& s) {
  std::string out = std::to_string(s.plus) + " '+'";
  return out + (s.hash ? " and a '#'" : " and no '#'");
}

Format format_of(const YAML::Node& n, const std::string& where) {
  const auto text = yaml::text<RuleError>(n, where + ".format", "json");
  if (text == "json") return Format::json;
  if (text == "raw") return Format::raw;
  throw RuleError("'" + where + ".format' must be json or raw, not '" + text + "'");
}

Rule parse_rule(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) throw RuleError(where + ": a rule is a map (direction, bus, mqtt, qos, retain, format)");
  if (auto err = yaml::key_error(n, {"direction", "bus", "mqtt", "qos", "retain", "format"}, where + "."); !err.empty())
    throw RuleError(err);
  Rule r;
  const auto direction = yaml::text<RuleError>(n["direction"], where + ".direction", "");
  if (direction == "out")
    r.direction = Direction::out;
  else if (direction == "in")
    r.direction = Direction::in;
  else
    throw RuleError("'" + where + ".direction' must be out (bus to MQTT) or in (MQTT to bus)");
  r.bus = yaml::text<RuleError>(n["bus"], where + ".bus", "");
  r.mqtt = yaml::text<RuleError>(n["mqtt"], where + ".mqtt", r.bus);
  if (r.bus.empty()) throw RuleError("'" + where + ".bus' is required");
  r.qos = static_cast<int>(yaml::number<RuleError>(n["qos"], where + ".qos", 1, 0, 1));
  if (n["qos"] && n["qos"].Scalar() != "0" && n["qos"].Scalar() != "1")
    throw RuleError("'" + where + ".qos' must be 0 or 1");
  r.retain = yaml::flag<RuleError>(n["retain"], where + ".retain", false);
  r.format = format_of(n["format"], where);

  // The bus side must be a bus pattern ('#' aside, which the bus spells the
  // same) and, where the bridge publishes to it, a topic once filled in.
  if (auto err = pattern_error(r.bus); !err.empty()) throw RuleError("'" + where + ".bus': " + err);
  if (auto err = filter_error(r.mqtt); !err.empty()) throw RuleError("'" + where + ".mqtt': " + err);
  if (shape_of(r.bus) != shape_of(r.mqtt))
    throw RuleError(where + ": the bus side has " + describe(shape_of(r.bus)) + ", the MQTT side " +
                    describe(shape_of(r.mqtt)) + "; each wildcard of one side fills the same of the other");
  if (r.direction == Direction::in && r.retain)
    throw RuleError("'" + where + ".retain' is for rules out to MQTT (the bus keeps no retained messages)");
  return r;
}

}  // namespace

std::string filter_error(std::string_view filter) {
  if (filter.empty()) return "an empty topic filter";
  if (filter.size() > 65535) return "longer than MQTT's 65,535 bytes";
  if (filter.find('\0') != std::string_view::npos) return "a NUL byte";
  const auto segs = segments(filter);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto seg = segs[i];
    const bool wild = seg.find_first_of("+#") != std::string_view::npos;
    if (wild && seg.size() != 1) return "'" + std::string(seg) + "': a wildcard must be a whole segment";
    if (seg == "#" && i + 1 != segs.size()) return "'#' must be the last segment";
  }
  return {};
}

std::vector<Rule> parse_rules(const YAML::Node& rules) {
  if (!rules) return {};
  if (!rules.IsSequence()) throw RuleError("'rules' must be a list");
  std::vector<Rule> out;
  for (std::size_t i = 0; i < rules.size(); ++i)
    out.push_back(parse_rule(rules[i], "rules[" + std::to_string(i) + "]"));
  return out;
}

bool matches(std::string_view pattern, std::string_view topic) {
  const auto p = segments(pattern);
  const auto t = segments(topic);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == "#") return true;  // the rest, possibly nothing ("a/#" matches "a")
    if (i >= t.size()) return false;
    if (p[i] != "+" && p[i] != t[i]) return false;
  }
  return p.size() == t.size();
}

std::optional<std::string> map_topic(const Rule& rule, std::string_view topic) {
  const auto p = segments(rule.source());
  const auto t = segments(topic);
  std::vector<std::string_view> plus;
  std::string rest;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == "#") {
      for (std::size_t j = i; j < t.size(); ++j) rest += (j == i ? "" : "/") + std::string(t[j]);
      break;
    }
    if (i >= t.size()) return std::nullopt;
    if (p[i] == "+")
      plus.push_back(t[i]);
    else if (p[i] != t[i])
      return std::nullopt;
    if (i + 1 == p.size() && p.size() != t.size()) return std::nullopt;
  }
  std::string out;
  std::size_t next_plus = 0;
  for (const auto seg : segments(rule.target())) {
    if (seg == "#") {
      if (!rest.empty()) out += (out.empty() ? "" : "/") + rest;
      break;
    }
    const std::string_view piece = seg == "+" ? plus[next_plus++] : seg;
    out += (out.empty() ? "" : "/") + std::string(piece);
  }
  return out;
}

std::string_view to_string(Format f) { return f == Format::json ? "json" : "raw"; }
std::string_view to_string(Direction d) { return d == Direction::out ? "out" : "in"; }

}  // namespace watt::mqtt
