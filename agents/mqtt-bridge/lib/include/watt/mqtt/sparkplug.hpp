// Sparkplug B (Eclipse Sparkplug 3.0), the bridge's option for SCADA and
// IIoT hosts: the platform is an edge node and each of the platform driver's
// devices a Sparkplug device. Topics are spBv1.0/<group>/<type>/<node>[/<device>];
// payloads are the specification's protobuf messages (sparkplug_b.proto,
// compiled with Debian's protoc). This is the codec and the naming; the
// agent's SparkplugSide runs the session (births, data, death, commands).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace watt::mqtt {

struct Sparkplug {
  bool enabled = false;
  std::string group_id = "watt";
  std::string edge_node_id;  // default: the bridge's client id, made safe
  // The edge node's own MQTT connection: Sparkplug wants a clean session and
  // NDEATH as its will, where the bridge's connection keeps its session.
  std::string client_id;                   // default: <bridge client id>-sparkplug
  std::string driver = "platform-driver";  // whose devices are shown
  std::string devices = "devices/#";       // the driver's `all` messages to follow (a bus pattern)
  // How often the driver is asked which devices answer (and at once when
  // its health changes): one that stops gets DDEATH, and DBIRTH when it
  // answers again. 0: only when its health changes.
  std::chrono::milliseconds device_check{5000};
  // A primary host application's id (empty: none). The births wait for its
  // STATE to say online, and a node born when it goes offline leaves the
  // broker (NDEATH, DISCONNECT) and comes back to wait for it.
  std::string primary_host;
};

// Reads the `sparkplug` section; throws SettingsError naming the key.
Sparkplug parse_sparkplug(const YAML::Node& n, const std::string& client_id);

enum class SpMessage { nbirth, ndeath, dbirth, ddeath, ndata, ddata, ncmd, dcmd };
const char* to_string(SpMessage m);

// spBv1.0/STATE/<primary host>: where the primary host says whether it is online.
std::string sparkplug_state_topic(const Sparkplug& sp);
// Sparkplug 3.0's STATE payload, {"online": bool, "timestamp": ms}; nullopt
// when it is not one.
struct HostState {
  bool online = false;
  std::uint64_t timestamp = 0;
};
std::optional<HostState> parse_host_state(std::string_view payload);

// spBv1.0/<group>/<type>/<node>, and /<device> for the device messages.
std::string sparkplug_topic(const Sparkplug& sp, SpMessage m, std::string_view device = {});
// A driver device (campus/building/device) as a Sparkplug device id, which
// may not hold '/', '+' or '#': each becomes '.'.
std::string sparkplug_device_id(std::string_view device);

// The specification's data types, those the bridge sends and takes.
enum class SpType : std::uint32_t {
  int8 = 1,
  int16 = 2,
  int32 = 3,
  int64 = 4,
  uint8 = 5,
  uint16 = 6,
  uint32 = 7,
  uint64 = 8,
  float32 = 9,
  float64 = 10,
  boolean = 11,
  string = 12,
};

struct SpMetric {
  std::string name;
  SpType type = SpType::float64;
  // std::monostate: null (is_null); integers of every width as int64 or
  // uint64, floats as double.
  std::variant<std::monostate, std::int64_t, std::uint64_t, double, bool, std::string> value;
  std::string units;      // in births: the property "engUnit"
  bool writable = false;  // in births: the property "readOnly" is its negation
};

struct SpPayload {
  std::uint64_t timestamp_ms = 0;
  std::optional<std::uint64_t> seq;  // none in NDEATH
  std::vector<SpMetric> metrics;
};

struct SparkplugError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The protobuf bytes of a payload; a birth carries each metric's units and
// writability as properties.
std::string encode_sparkplug(const SpPayload& p, bool birth);
// Reads a payload (an NCMD or DCMD); throws SparkplugError naming what is
// wrong: not a Sparkplug B payload, a metric without a name, or a value of
// a kind the bridge does not take (a DataSet, a Template, bytes).
SpPayload decode_sparkplug(std::string_view bytes);

// A driver point's value (JSON, as in its `all` message) as a metric of the
// point's type ("float", "int", "bool"); nullopt when the value is not one.
std::optional<SpMetric> sparkplug_metric(std::string name, std::string_view point_type, std::string_view json_value);
// A command metric's value as JSON for set_point on a point of that type;
// nullopt when it is not one (a string for a number, a fraction for an int).
std::optional<std::string> sparkplug_command_value(const SpMetric& m, std::string_view point_type);

}  // namespace watt::mqtt
