#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/rules.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/topic.hpp>
#include <watt/yaml_keys.hpp>
#include <watt/yaml_settings.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace watt::mqtt {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == ' ' || c == '_'; }), out.end());
  return out;
}

// Registry spellings (VOLTTRON's among them) to Home Assistant's units.
const std::map<std::string, HaClass>& unit_table() {
  static const std::map<std::string, HaClass> t = [] {
    std::map<std::string, HaClass> m;
    const auto add = [&](std::initializer_list<const char*> names, HaClass c) {
      for (const auto* n : names) m[n] = c;
    };
    add({"degc", "°c", "c", "celsius", "degreescelsius"}, {"°C", "temperature", "measurement"});
    add({"degf", "°f", "f", "fahrenheit", "degreesfahrenheit"}, {"°F", "temperature", "measurement"});
    add({"k", "kelvin"}, {"K", "temperature", "measurement"});
    add({"w", "watt", "watts"}, {"W", "power", "measurement"});
    add({"kw", "kilowatt", "kilowatts"}, {"kW", "power", "measurement"});
    add({"wh", "watthour", "watthours"}, {"Wh", "energy", "total_increasing"});
    add({"kwh", "kilowatthour", "kilowatthours"}, {"kWh", "energy", "total_increasing"});
    add({"mwh", "megawatthour", "megawatthours"}, {"MWh", "energy", "total_increasing"});
    add({"v", "volt", "volts"}, {"V", "voltage", "measurement"});
    add({"a", "amp", "amps", "ampere", "amperes"}, {"A", "current", "measurement"});
    add({"hz", "hertz"}, {"Hz", "frequency", "measurement"});
    add({"var", "vars"}, {"var", "reactive_power", "measurement"});
    add({"va"}, {"VA", "apparent_power", "measurement"});
    add({"pa", "pascal", "pascals"}, {"Pa", "pressure", "measurement"});
    add({"hpa"}, {"hPa", "pressure", "measurement"});
    add({"kpa"}, {"kPa", "pressure", "measurement"});
    add({"bar"}, {"bar", "pressure", "measurement"});
    add({"psi"}, {"psi", "pressure", "measurement"});
    add({"lx", "lux"}, {"lx", "illuminance", "measurement"});
    add({"%", "percent"}, {"%", "", "measurement"});  // humidity or a valve's opening: no class guessed
    return m;
  }();
  return t;
}

nlohmann::json device_block(const HomeAssistant& ha, std::string_view device) {
  return {{"identifiers", nlohmann::json::array({ha.node_id + "_" + safe_id(device)})},
          {"name", std::string(device)},
          {"manufacturer", "Watt"},
          {"model", "platform driver device"},
          {"via_device", ha.node_id}};
}

}  // namespace

HaClass classify(std::string_view units) {
  const auto& t = unit_table();
  const auto it = t.find(lower(units));
  if (it != t.end()) return it->second;
  return {std::string(units), "", "measurement"};
}

std::string safe_id(std::string_view s) {
  std::string out;
  for (const char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

HomeAssistant parse_home_assistant(const YAML::Node& n, const std::string& client_id) {
  HomeAssistant ha;
  ha.node_id = safe_id(client_id);
  if (!n || n.IsNull()) return ha;  // no section: no Home Assistant
  if (!n.IsMap()) throw SettingsError("'home_assistant' must be a map");
  if (auto err = yaml::key_error(n, {"enabled", "driver", "discovery_prefix", "node_id", "base", "devices", "qos"},
                                 "home_assistant.");
      !err.empty())
    throw SettingsError(err);
  ha.enabled = yaml::flag<SettingsError>(n["enabled"], "home_assistant.enabled", true);
  ha.driver = yaml::text<SettingsError>(n["driver"], "home_assistant.driver", ha.driver);
  ha.discovery_prefix =
      yaml::text<SettingsError>(n["discovery_prefix"], "home_assistant.discovery_prefix", ha.discovery_prefix);
  ha.node_id = yaml::text<SettingsError>(n["node_id"], "home_assistant.node_id", ha.node_id);
  if (ha.node_id != safe_id(ha.node_id))
    throw SettingsError("'home_assistant.node_id' takes letters, digits, '_' and '-' only");
  ha.base = yaml::text<SettingsError>(n["base"], "home_assistant.base", "watt/" + ha.node_id);
  ha.devices = yaml::text<SettingsError>(n["devices"], "home_assistant.devices", ha.devices);
  ha.qos = static_cast<int>(yaml::number<SettingsError>(n["qos"], "home_assistant.qos", 1, 0, 1));
  const auto plain_topic = [](const std::string& v, const char* key) {
    if (!filter_error(v).empty() || v.find_first_of("+#") != std::string::npos)
      throw SettingsError("'home_assistant." + std::string(key) + "' must be an MQTT topic without wildcards");
  };
  plain_topic(ha.discovery_prefix, "discovery_prefix");
  plain_topic(ha.base, "base");
  if (auto err = pattern_error(ha.devices); !err.empty()) throw SettingsError("'home_assistant.devices': " + err);
  return ha;
}

std::string availability_topic(const HomeAssistant& ha) { return ha.base + "/status"; }

std::string state_topic(const HomeAssistant& ha, std::string_view device, std::string_view point) {
  return ha.base + "/" + std::string(device) + "/" + std::string(point);
}

std::string command_topic(const HomeAssistant& ha, std::string_view device, std::string_view point) {
  return state_topic(ha, device, point) + "/set";
}

std::optional<std::pair<std::string, std::string>> parse_command(const HomeAssistant& ha, std::string_view topic) {
  const auto prefix = ha.base + "/";
  if (!topic.starts_with(prefix) || !topic.ends_with("/set")) return std::nullopt;
  const auto middle = topic.substr(prefix.size(), topic.size() - prefix.size() - 4);
  const auto slash = middle.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == middle.size()) return std::nullopt;
  return std::make_pair(std::string(middle.substr(0, slash)), std::string(middle.substr(slash + 1)));
}

std::string state_payload(const HaPoint& p, std::string_view json_value) {
  if (p.type == "bool") return json_value == "true" || json_value == "1" ? "ON" : "OFF";
  if (json_value.size() >= 2 && json_value.front() == '"')
    return std::string(json_value.substr(1, json_value.size() - 2));
  return std::string(json_value);
}

Discovery discovery(const HomeAssistant& ha, std::string_view device, std::string_view point, const HaPoint& p) {
  const bool is_bool = p.type == "bool";
  Discovery d;
  d.component = p.writable ? (is_bool ? "switch" : "number") : (is_bool ? "binary_sensor" : "sensor");
  const auto object_id = safe_id(device) + "_" + safe_id(point);
  d.topic = ha.discovery_prefix + "/" + d.component + "/" + ha.node_id + "/" + object_id + "/config";
  nlohmann::json c = {{"name", std::string(point)},
                      {"unique_id", ha.node_id + "_" + object_id},
                      {"object_id", object_id},
                      {"state_topic", state_topic(ha, device, point)},
                      {"availability_topic", availability_topic(ha)},
                      {"payload_available", "online"},
                      {"payload_not_available", "offline"},
                      {"device", device_block(ha, device)}};
  if (is_bool) {
    c["payload_on"] = "ON";
    c["payload_off"] = "OFF";
    if (p.writable) {
      c["state_on"] = "ON";
      c["state_off"] = "OFF";
    }
  } else {
    const auto cls = classify(p.units);
    if (!cls.unit.empty()) c["unit_of_measurement"] = cls.unit;
    if (!cls.device_class.empty()) c["device_class"] = cls.device_class;
    if (!p.writable && !cls.state_class.empty()) c["state_class"] = cls.state_class;
    if (p.writable) {
      // Home Assistant's number defaults to 1-100: a set-point has no such range.
      c["min"] = -1e9;
      c["max"] = 1e9;
      c["step"] = p.type == "int" ? 1.0 : 0.01;
      c["mode"] = "box";
    }
  }
  if (p.writable) c["command_topic"] = command_topic(ha, device, point);
  d.payload = c.dump();
  return d;
}

}  // namespace watt::mqtt
