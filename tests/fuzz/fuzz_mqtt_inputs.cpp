// What reaches the MQTT bridge from outside: its configuration, messages
// from the broker (any topic, any payload, through the rules), bus bodies
// going out, federation messages, calls and answers, Home Assistant command
// topics, Sparkplug B commands. Each is taken or refused with the bridge's own error naming what
// is wrong; nothing else escapes. The first byte picks the input.
#include "fuzz.hpp"

#include <watt/mqtt/federation.hpp>
#include <watt/mqtt/home_assistant.hpp>
#include <watt/mqtt/payload.hpp>
#include <watt/mqtt/router.hpp>
#include <watt/mqtt/settings.hpp>
#include <watt/mqtt/sparkplug.hpp>
#include <watt/topic.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using namespace watt::mqtt;

const Router& router() {
  static const Router r(
      parse_rules(YAML::Load("[{direction: out, bus: a/+, mqtt: x/+, format: raw},"
                             " {direction: out, bus: b/#, mqtt: y/#},"
                             " {direction: in, bus: in/+, mqtt: m/+, format: raw},"
                             " {direction: in, bus: j/#, mqtt: '#'}]")));
  return r;
}

void settings(const std::string& text) {
  try {
    (void)parse_settings(YAML::Load(text), "fuzz", "/tmp/fuzz-mqtt");
  } catch (const SettingsError& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  } catch (const YAML::Exception&) {
    // not YAML at all: the platform refuses it before the agent sees it
  }
}

void inward(std::string_view text) {
  const auto nl = text.find('\n');
  const auto topic = text.substr(0, nl);
  const auto payload = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  try {
    if (const auto m = router().inward(topic, payload)) WATT_FUZZ_CHECK(watt::topic_error(m->topic).empty());
  } catch (const RouteError& e) {
    WATT_FUZZ_CHECK(std::string(e.what()).rfind("rules[", 0) == 0);
  }
}

void outward(const std::string& bytes) {
  const auto body = watt::Value::from_msgpack_unchecked(bytes);
  for (const auto* topic : {"a/q", "b/q/r"}) {
    try {
      (void)router().outward(topic[0] == 'a' ? 0 : 1, topic, body);
    } catch (const RouteError& e) {
      WATT_FUZZ_CHECK(std::string(e.what()).rfind("rules[", 0) == 0);
    }
  }
}

void federation(const std::string& bytes) {
  try {
    (void)unpack<WireMessage>(bytes, "message");
  } catch (const PayloadError&) {
  }
  try {
    (void)unpack<WireCall>(bytes, "call");
  } catch (const PayloadError&) {
  }
  try {
    (void)unpack<WireAnswer>(bytes, "answer");
  } catch (const PayloadError&) {
  }
  static const Federation f = parse_federation(YAML::Load("{platform: p}"));
  if (const auto t = parse_topic(f, bytes)) WATT_FUZZ_CHECK(!t->platform.empty() && !t->rest.empty());
  const auto ha = parse_home_assistant(YAML::Load("{node_id: n}"), "x");
  if (const auto c = parse_command(ha, bytes)) WATT_FUZZ_CHECK(!c->first.empty() && !c->second.empty());
}

// A Sparkplug B command's payload: decoded, or refused by name; each value
// it yields for a point is JSON a driver takes.
void sparkplug(const std::string& bytes) {
  try {
    for (const auto& m : decode_sparkplug(bytes).metrics) {
      WATT_FUZZ_CHECK(!m.name.empty());
      for (const auto* type : {"float", "int", "bool"})
        if (const auto v = sparkplug_command_value(m, type))
          WATT_FUZZ_CHECK(!nlohmann::json::parse(*v, nullptr, false).is_discarded());
    }
  } catch (const SparkplugError& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(watt::fuzz::text(data + 1, size - 1));
  switch (data[0] % 5) {
    case 0: settings(rest); break;
    case 1: inward(rest); break;
    case 2: outward(rest); break;
    case 3: federation(rest); break;
    default: sparkplug(rest); break;
  }
  return 0;
}
