// Home Assistant discovery payloads against Home Assistant's documented MQTT
// discovery schema (the sensor, binary_sensor, number and switch platforms,
// the device registry block, sensor device classes with their units, state
// classes, and the discovery topic's form), encoded here as a checker.
#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/settings.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

using namespace watt::mqtt;
using nlohmann::json;

namespace {

// What each platform documents: the keys it takes (of those the bridge may
// write) and the ones it requires.
struct Platform {
  std::set<std::string> keys;
  std::set<std::string> required;
};

const std::set<std::string> common = {
    "name",   "unique_id",  "object_id", "availability_topic", "payload_available", "payload_not_available",
    "device", "state_topic"};

std::map<std::string, Platform> platforms() {
  auto with = [](std::set<std::string> more) {
    more.insert(common.begin(), common.end());
    return more;
  };
  return {
      {"sensor", {with({"device_class", "state_class", "unit_of_measurement"}), {"state_topic"}}},
      {"binary_sensor", {with({"device_class", "payload_on", "payload_off"}), {"state_topic"}}},
      {"number",
       {with({"command_topic", "device_class", "min", "max", "step", "mode", "unit_of_measurement"}),
        {"command_topic"}}},
      {"switch", {with({"command_topic", "payload_on", "payload_off", "state_on", "state_off"}), {"command_topic"}}}};
}

// Sensor device classes and the units Home Assistant takes for each.
const std::map<std::string, std::set<std::string>> units_of = {
    {"temperature", {"°C", "°F", "K"}},
    {"power", {"W", "kW"}},
    {"energy", {"Wh", "kWh", "MWh"}},
    {"voltage", {"V", "mV"}},
    {"current", {"A", "mA"}},
    {"frequency", {"Hz", "kHz", "MHz", "GHz"}},
    {"reactive_power", {"var"}},
    {"apparent_power", {"VA"}},
    {"pressure", {"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"}},
    {"illuminance", {"lx"}}};

// Letters, digits, '_' and '-', at least one. (No std::regex: GCC 12 warns
// inside it under the sanitizers' build.)
bool id_chars(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out(1);
  for (const char c : s) {
    if (c == '/')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// Empty when `d` is what Home Assistant documents; the first problem otherwise.
std::string check(const Discovery& d) {
  // <prefix>/<component>/<node_id>/<object_id>/config
  const auto parts = split(d.topic);
  if (parts.size() != 5 || parts[0].empty() || parts[4] != "config" || !platforms().contains(parts[1]))
    return "topic " + d.topic;
  if (parts[1] != d.component) return "component " + d.component + " in " + d.topic;
  if (!id_chars(parts[2]) || !id_chars(parts[3])) return "ids in " + d.topic;
  const auto c = json::parse(d.payload);
  const auto p = platforms().at(d.component);
  for (const auto& [k, v] : c.items())
    if (!p.keys.contains(k)) return d.component + " takes no key " + k;
  for (const auto& k : p.required)
    if (!c.contains(k)) return d.component + " needs " + k;
  if (!c["unique_id"].is_string() || !id_chars(c["unique_id"].get<std::string>())) return "unique_id";
  const auto& dev = c["device"];
  if (!dev.is_object() || !dev["identifiers"].is_array() || dev["identifiers"].empty()) return "device.identifiers";
  for (const auto& [k, v] : dev.items())
    if (!std::set<std::string>{"identifiers", "name", "manufacturer", "model", "via_device"}.contains(k))
      return "device takes no key " + k;
  if (c.contains("state_class")) {
    const auto sc = c["state_class"].get<std::string>();
    if (sc != "measurement" && sc != "total" && sc != "total_increasing") return "state_class " + sc;
    if (c.value("device_class", "") == "energy" && sc == "measurement") return "energy cannot be a measurement";
  }
  if (c.contains("device_class")) {
    const auto dc = c["device_class"].get<std::string>();
    if (!units_of.contains(dc)) return "device_class " + dc;
    if (!units_of.at(dc).contains(c.value("unit_of_measurement", ""))) return "unit for " + dc;
  }
  if (c.contains("mode") && c["mode"] != "auto" && c["mode"] != "box" && c["mode"] != "slider") return "mode";
  if (c.contains("min") && !(c["min"].get<double>() < c["max"].get<double>())) return "min below max";
  return {};
}

HomeAssistant settings() { return parse_home_assistant(YAML::Load("{node_id: site-1}"), "ignored"); }

}  // namespace

TEST_CASE("home assistant: each kind of point makes the entity Home Assistant documents") {
  const auto ha = settings();
  const std::map<std::string, HaPoint> points = {
      {"temp", {"degC", "float", false}},   {"setpoint", {"degC", "float", true}},
      {"stages", {"", "int", true}},        {"relay", {"", "bool", true}},
      {"alarm", {"", "bool", false}},       {"energy", {"kilowatt_hours", "float", false}},
      {"power", {"kW", "float", false}},    {"valve", {"percent", "float", false}},
      {"odd", {"furlongs", "float", false}}};
  std::map<std::string, std::string> kinds;
  for (const auto& [name, p] : points) {
    const auto d = discovery(ha, "campus/b1/ahu 1", name, p);
    INFO(name << ": " << d.payload);
    CHECK(check(d) == "");
    kinds[name] = d.component;
  }
  CHECK(kinds["temp"] == "sensor");
  CHECK(kinds["setpoint"] == "number");
  CHECK(kinds["relay"] == "switch");
  CHECK(kinds["alarm"] == "binary_sensor");
  const auto temp = json::parse(discovery(ha, "campus/b1/ahu 1", "temp", points.at("temp")).payload);
  CHECK(temp["unit_of_measurement"] == "°C");
  CHECK(temp["device_class"] == "temperature");
  CHECK(temp["state_class"] == "measurement");
  CHECK(temp["state_topic"] == "watt/site-1/campus/b1/ahu 1/temp");
  CHECK(temp["availability_topic"] == "watt/site-1/status");
  CHECK(temp["device"]["identifiers"][0] == "site-1_campus_b1_ahu_1");
  const auto energy = json::parse(discovery(ha, "d", "energy", points.at("energy")).payload);
  CHECK(energy["state_class"] == "total_increasing");
  CHECK(energy["unit_of_measurement"] == "kWh");
  const auto sp = json::parse(discovery(ha, "d", "setpoint", points.at("setpoint")).payload);
  CHECK(sp["command_topic"] == "watt/site-1/d/setpoint/set");
  const auto odd = json::parse(discovery(ha, "d", "odd", points.at("odd")).payload);
  CHECK(odd["unit_of_measurement"] == "furlongs");
  CHECK_FALSE(odd.contains("device_class"));
  CHECK(discovery(ha, "campus/b1/ahu 1", "temp", points.at("temp")).topic ==
        "homeassistant/sensor/site-1/campus_b1_ahu_1_temp/config");
}

TEST_CASE("home assistant: the checker itself refuses what Home Assistant would") {
  Discovery bad{
      "sensor", "homeassistant/sensor/n/o/config",
      R"({"state_topic":"s","unique_id":"u","device":{"identifiers":["i"]},"device_class":"temperature","unit_of_measurement":"W"})"};
  CHECK(check(bad) == "unit for temperature");
  bad.payload = R"({"unique_id":"u","device":{"identifiers":["i"]}})";
  CHECK(check(bad) == "sensor needs state_topic");
  bad.topic = "homeassistant/sensor/n/o p/config";
  CHECK(check(bad) == "ids in homeassistant/sensor/n/o p/config");
}

TEST_CASE("home assistant: command topics, states and settings") {
  const auto ha = settings();
  CHECK(parse_command(ha, "watt/site-1/campus/b1/ahu/setpoint/set") ==
        std::make_pair(std::string("campus/b1/ahu"), std::string("setpoint")));
  CHECK_FALSE(parse_command(ha, "watt/site-1/campus/b1/ahu/setpoint"));
  CHECK_FALSE(parse_command(ha, "watt/site-1/set"));
  CHECK_FALSE(parse_command(ha, "other/campus/x/set"));
  CHECK(state_payload({"", "bool", true}, "true") == "ON");
  CHECK(state_payload({"", "bool", true}, "false") == "OFF");
  CHECK(state_payload({"", "float", true}, "21.5") == "21.5");
  CHECK(parse_home_assistant(YAML::Node(), "watt bridge").node_id == "watt_bridge");
  CHECK_THROWS_WITH_AS(parse_home_assistant(YAML::Load("{node_id: 'a b'}"), "x"),
                       "'home_assistant.node_id' takes letters, digits, '_' and '-' only", SettingsError);
  CHECK_THROWS_WITH_AS(parse_home_assistant(YAML::Load("{base: 'a/#'}"), "x"),
                       "'home_assistant.base' must be an MQTT topic without wildcards", SettingsError);
  CHECK_THROWS_AS(parse_home_assistant(YAML::Load("{colour: red}"), "x"), SettingsError);
}
