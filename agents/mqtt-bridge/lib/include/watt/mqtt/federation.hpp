// Platforms federated over an MQTT broker network (docs/mqtt.md): each
// bridge exports chosen bus topics under <root>/<platform>/bus/<topic>,
// imports the others' by platform and topic, and carries calls to
// "<platform>/<agent>" as MQTT 5 requests on <root>/<platform>/call/<agent>
// answered on the caller's <root>/<platform>/reply/<client id> with the
// correlation data. A platform's id in every topic keeps each bridge from
// taking back what it sent; what a bridge put on its bus it never exports.
#pragma once

#include <watt/mqtt/subscription.hpp>
#include <watt/value.hpp>

#include <yaml-cpp/yaml.h>
#include <msgpack.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace watt::mqtt {

struct Import {
  std::string from;    // a platform id, or "+" for every other
  std::string topics;  // an MQTT-style filter of bus topics
};

struct Federation {
  bool enabled = false;
  std::string platform;  // this platform's id
  std::string root = "watt";
  std::vector<std::string> exports;  // bus patterns
  std::vector<Import> imports;
  int qos = 1;
  // Local agents other platforms may call ("*" for all but the platform's
  // own services), none by default; and how long a call may take when its
  // caller set no deadline.
  std::vector<std::string> serve;
  std::chrono::milliseconds call_timeout{10000};
};

// Reads the `federation` section; throws SettingsError naming the key.
Federation parse_federation(const YAML::Node& n);

// A bus message as it crosses: who sent it on its own platform, and its
// envelope's fields.
struct WireMessage {
  std::string sender;  // "<platform>/<identity>"
  std::uint8_t priority = 50;
  std::string content_type;
  std::string body;  // msgpack bytes
  std::int64_t timestamp_ns = 0;
  std::int64_t deadline_ns = 0;
  MSGPACK_DEFINE_MAP(sender, priority, content_type, body, timestamp_ns, deadline_ns)
};

struct WireCall {
  std::string method;
  std::string args;    // msgpack bytes
  std::string caller;  // "<platform>/<identity>"
  std::int64_t deadline_ns = 0;
  MSGPACK_DEFINE_MAP(method, args, caller, deadline_ns)
};

struct WireAnswer {
  bool ok = false;
  std::string value;  // msgpack bytes, when ok
  std::string code;   // an ErrorCode's name, when not
  std::string message;
  MSGPACK_DEFINE_MAP(ok, value, code, message)
};

// Packs and unpacks them; unpack throws PayloadError saying what is wrong.
template <class T>
std::string pack(const T& v) {
  return Value::of(v).bytes();
}
template <class T>
T unpack(std::string_view bytes, const char* what);

std::string export_topic(const Federation& f, std::string_view bus_topic);
std::string call_topic(const Federation& f, std::string_view platform, std::string_view agent);
std::string reply_topic(const Federation& f, std::string_view client_id);

// What an MQTT topic under the root is; nullopt for anything else.
struct FederationTopic {
  enum class Kind { bus, call, reply } kind;
  std::string platform;
  std::string rest;  // the bus topic, the agent, or the client id
};
std::optional<FederationTopic> parse_topic(const Federation& f, std::string_view mqtt_topic);

// The broker subscriptions: imports, calls to this platform, answers to it.
std::vector<Subscription> subscriptions(const Federation& f, std::string_view client_id);

// Whether other platforms may call this local agent: one `serve` names,
// never the platform's control service ("platform") or its broker.
bool serves(const Federation& f, std::string_view agent);

}  // namespace watt::mqtt
