// Home Assistant's MQTT discovery for the platform driver's points: a
// retained config message per point under <prefix>/<component>/<node>/<object>
// /config, so that an integrator's Home Assistant shows Watt's devices with
// nothing configured by hand. Read-only points are sensors (binary sensors
// for bool points) with their unit, device_class and state_class; writable
// ones are numbers or switches whose command topic the bridge turns into the
// driver's set_point. Availability follows the bridge: "online" when it is
// connected, "offline" as its will.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace watt::mqtt {

struct HomeAssistant {
  bool enabled = false;
  std::string driver = "platform-driver";  // the identity whose points are shown
  std::string discovery_prefix = "homeassistant";
  std::string node_id;                // default: the bridge's client id, made safe
  std::string base;                   // state and command topics: <base>/<device>/<point>[/set]; default watt/<node_id>
  std::string devices = "devices/#";  // the driver's `all` messages to follow (a bus pattern)
  int qos = 1;                        // of states and discovery messages
};

struct HaPoint {
  std::string units;
  std::string type;  // "float", "int", "bool"
  bool writable = false;
};

// The unit Home Assistant expects and the device and state class it implies;
// empty classes for units it has none for.
struct HaClass {
  std::string unit;
  std::string device_class;
  std::string state_class;
};
HaClass classify(std::string_view units);

struct Discovery {
  std::string component;  // sensor, binary_sensor, number, switch
  std::string topic;      // the retained config topic
  std::string payload;    // JSON
};

// Reads the `home_assistant` section; throws SettingsError naming the key.
HomeAssistant parse_home_assistant(const YAML::Node& n, const std::string& client_id);

std::string availability_topic(const HomeAssistant& ha);
std::string state_topic(const HomeAssistant& ha, std::string_view device, std::string_view point);
std::string command_topic(const HomeAssistant& ha, std::string_view device, std::string_view point);
// The device and point of a command topic; nullopt for any other topic.
std::optional<std::pair<std::string, std::string>> parse_command(const HomeAssistant& ha, std::string_view topic);
// A point's value as the state payload: raw text, "ON"/"OFF" for bool.
std::string state_payload(const HaPoint& p, std::string_view json_value);

Discovery discovery(const HomeAssistant& ha, std::string_view device, std::string_view point, const HaPoint& p);

// Letters, digits, '_' and '-' only, as Home Assistant's ids want them.
std::string safe_id(std::string_view s);

}  // namespace watt::mqtt
