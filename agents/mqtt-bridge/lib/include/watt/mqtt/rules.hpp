// The MQTT bridge's mapping rules: which topics cross between the bus and an
// MQTT broker, under which name, with which QoS, retain flag and payload
// format. Both sides use MQTT's wildcard rules: '+' is one segment, '#' (last)
// is the rest, possibly nothing; a pattern without '#' maps exactly that many
// segments. The segments a source pattern's wildcards match fill the
// target's wildcards in order, so the two must have the same wildcards.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace watt::mqtt {

struct RuleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Direction { out, in };  // out: bus to MQTT; in: MQTT to bus
enum class Format { json, raw };   // raw: a scalar as its text

struct Rule {
  Direction direction = Direction::out;
  std::string bus;   // a bus pattern
  std::string mqtt;  // an MQTT topic filter
  int qos = 1;       // 0 or 1
  bool retain = false;
  Format format = Format::json;

  const std::string& source() const { return direction == Direction::out ? bus : mqtt; }
  const std::string& target() const { return direction == Direction::out ? mqtt : bus; }
};

// Reads the `rules` list; a bad rule is refused as "rules[3].mqtt: …".
std::vector<Rule> parse_rules(const YAML::Node& rules);

// Whether `topic` matches `pattern` under MQTT's rules.
bool matches(std::string_view pattern, std::string_view topic);

// `topic` renamed by the rule from its source side to its target side;
// nullopt when the source pattern does not match it.
std::optional<std::string> map_topic(const Rule& rule, std::string_view topic);

// Why `filter` is not an MQTT topic filter (empty when it is): '+' and '#'
// only as whole segments, '#' last, no NUL, at most 65,535 bytes.
std::string filter_error(std::string_view filter);

std::string_view to_string(Format f);
std::string_view to_string(Direction d);

}  // namespace watt::mqtt
