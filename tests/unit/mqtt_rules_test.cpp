// The MQTT bridge's rules, payload formats and settings, without a broker.
#include <watt/mqtt/payload.hpp>
#include <watt/mqtt/router.hpp>
#include <watt/mqtt/rules.hpp>
#include <watt/mqtt/settings.hpp>

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>

using namespace watt::mqtt;

namespace {

Rule rule(Direction d, std::string bus, std::string mqtt) {
  Rule r;
  r.direction = d;
  r.bus = std::move(bus);
  r.mqtt = std::move(mqtt);
  return r;
}

std::string refusal(const std::string& yaml) {
  try {
    (void)parse_rules(YAML::Load(yaml));
  } catch (const RuleError& e) {
    return e.what();
  }
  return "accepted";
}

std::string settings_refusal(const std::string& yaml) {
  try {
    (void)parse_settings(YAML::Load(yaml), "mqtt", "/tmp");
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("mqtt rules: MQTT's wildcards, '#' matching its parent too") {
  CHECK(matches("a/+/c", "a/b/c"));
  CHECK_FALSE(matches("a/+/c", "a/b/c/d"));
  CHECK_FALSE(matches("a/+", "a"));
  CHECK(matches("a/#", "a"));
  CHECK(matches("a/#", "a/b/c"));
  CHECK(matches("#", "x/y"));
  CHECK_FALSE(matches("a/b", "a/b/c"));  // unlike the bus, no match below
}

TEST_CASE("mqtt rules: a topic renamed by what its wildcards matched") {
  const auto out = rule(Direction::out, "devices/+/+/temp", "site/+/x/+/t");
  CHECK(map_topic(out, "devices/b1/f2/temp") == "site/b1/x/f2/t");
  CHECK_FALSE(map_topic(out, "devices/b1/f2/temp/raw"));
  CHECK_FALSE(map_topic(out, "devices/b1/temp"));
  const auto rest = rule(Direction::in, "bus/#", "ha/+/set/#");
  CHECK_FALSE(map_topic(rest, "other/x/set"));
  const auto hash = rule(Direction::in, "cmd/#", "ha/#");
  CHECK(map_topic(hash, "ha/fan/speed") == "cmd/fan/speed");
  CHECK(map_topic(hash, "ha") == "cmd");  // '#' matched nothing
  const auto same = rule(Direction::out, "a/#", "a/#");
  CHECK(map_topic(same, "a/b") == "a/b");
}

TEST_CASE("mqtt rules: bad rules are refused naming the rule and the field") {
  CHECK(refusal("[{direction: out, bus: a, qos: 2}]") == "'rules[0].qos' must be a number from 0 to 1");
  CHECK(refusal("[{direction: out, bus: a, qos: 0.5}]") == "'rules[0].qos' must be 0 or 1");
  CHECK(refusal("[{direction: sideways, bus: a}]").find("'rules[0].direction' must be out") == 0);
  CHECK(refusal("[{direction: out, bus: a}, {direction: in}]") == "'rules[1].bus' is required");
  CHECK(refusal("[{direction: out, bus: a, format: xml}]") == "'rules[0].format' must be json or raw, not 'xml'");
  CHECK(refusal("[{direction: out, bus: a, mqtt: b/c#}]") ==
        "'rules[0].mqtt': 'c#': a wildcard must be a whole segment");
  CHECK(refusal("[{direction: out, bus: a, mqtt: '#/b'}]") == "'rules[0].mqtt': '#' must be the last segment");
  CHECK(refusal("[{direction: out, bus: a//b}]").find("'rules[0].bus': ") == 0);
  CHECK(refusal("[{direction: out, bus: a/+, mqtt: b}]") ==
        "rules[0]: the bus side has 1 '+' and no '#', the MQTT side 0 '+' and no '#'; each wildcard of one side fills "
        "the same of the other");
  CHECK(refusal("[{direction: in, bus: a, retain: true}]").find("'rules[0].retain' is for rules out") == 0);
  CHECK(refusal("[{direction: out, bus: a, colour: red}]").find("unknown key 'rules[0].colour'") == 0);
  CHECK(refusal("{direction: out}") == "'rules' must be a list");
  CHECK(refusal("[{direction: out, bus: a/#}]") == "accepted");
}

TEST_CASE("mqtt payloads: json both ways, raw scalars as their text") {
  CHECK(to_payload(watt::Value::of(21.5), Format::raw) == "21.5");
  CHECK(to_payload(watt::Value::of(0.1), Format::raw) == "0.1");
  CHECK(to_payload(watt::Value::of(-3), Format::raw) == "-3");
  CHECK(to_payload(watt::Value::of(true), Format::raw) == "true");
  CHECK(to_payload(watt::Value::of(std::string("on")), Format::raw) == "on");
  CHECK_THROWS_WITH_AS(to_payload(watt::Value::of(std::vector<int>{1}), Format::raw),
                       "the raw format takes a scalar, not a list (use json)", PayloadError);
  CHECK(to_payload(watt::Value::of(std::map<std::string, int>{{"a", 1}}), Format::json) == R"({"a":1})");
  CHECK_THROWS_AS(to_payload(watt::Value::from_msgpack_unchecked("\xc1"), Format::json), PayloadError);

  CHECK(from_payload("42", Format::raw).to_json() == "42");
  CHECK(from_payload("-0.25", Format::raw).to_json() == "-0.25");
  CHECK(from_payload("false", Format::raw).to_json() == "false");
  CHECK(from_payload("ON", Format::raw).to_json() == "\"ON\"");
  CHECK(from_payload("nan", Format::raw).to_json() == "\"nan\"");
  CHECK(from_payload("", Format::raw).to_json() == "null");
  CHECK(from_payload(R"({"a":[1,2]})", Format::json).to_json() == R"({"a":[1,2]})");
  CHECK_THROWS_AS(from_payload("{not json", Format::json), PayloadError);
}

TEST_CASE("mqtt router: each out rule by itself, the first in rule, refusals named") {
  Router r(
      parse_rules(YAML::Load("[{direction: out, bus: a/+, mqtt: x/+, format: raw},"
                             " {direction: in, bus: in/#, mqtt: y/#},"
                             " {direction: in, bus: other/#, mqtt: y/#, qos: 0},"
                             " {direction: in, bus: z, mqtt: z, qos: 0}]")));
  const auto m = r.outward(0, "a/b", watt::Value::of(1));
  REQUIRE(m);
  CHECK(m->topic == "x/b");
  CHECK(m->payload == "1");
  CHECK(m->qos == 1);
  CHECK_FALSE(r.outward(0, "a/b/c", watt::Value::of(1)));  // the bus matched below the pattern
  CHECK_THROWS_WITH_AS(r.outward(0, "a/b", watt::Value::of(std::vector<int>{})),
                       "rules[0]: bus topic 'a/b': the raw format takes a scalar, not a list (use json)", RouteError);
  const auto in = r.inward("y/q", "[1]");
  REQUIRE(in);
  CHECK(in->rule == 1);
  CHECK(in->topic == "in/q");
  CHECK_FALSE(r.inward("nowhere", "1"));
  CHECK_THROWS_WITH_AS(r.inward("y/a//b", "1"),
                       "rules[1]: MQTT topic 'y/a//b' maps to no bus topic: topic 'in/a//b' has an empty segment",
                       RouteError);
  const auto subs = r.subscriptions();
  REQUIRE(subs.size() == 2);
  CHECK(subs[0].filter == "y/#");
  CHECK(subs[0].qos == 1);  // the highest asked for
  CHECK(subs[0].no_local);
  CHECK(subs[1].filter == "z");
}

TEST_CASE("mqtt settings: defaults, files that must be there, refusals by key") {
  const auto s = parse_settings(YAML::Node(), "bridge", "/var/lib/x");
  CHECK(s.broker.url == "tcp://127.0.0.1:1883");
  CHECK(s.broker.client_id == "bridge");
  CHECK(s.broker.session_expiry == std::chrono::hours(24 * 7));
  CHECK(s.queue.file == "/var/lib/x/outbox.sqlite");
  CHECK(settings_refusal("broker: {url: 'http://x'}").find("'broker.url' must be tcp://") == 0);
  CHECK(settings_refusal("broker: {url: 'ssl://x:8883', tls: {ca: /nonexistent.pem}}") ==
        "'broker.tls.ca': cannot read /nonexistent.pem");
  CHECK(settings_refusal("broker: {tls: {}}") == "'broker.tls' needs an ssl:// or mqtts:// broker.url");
  CHECK(settings_refusal("broker: {password: a, password_file: b}").find("give one") != std::string::npos);
  CHECK(settings_refusal("broker: {mqtt_version: 3}") == "'broker.mqtt_version' must be a number from 4 to 5");
  CHECK(settings_refusal("queue: {when_full: panic}") ==
        "'queue.when_full' must be drop_oldest or drop_newest, not 'panic'");
  CHECK(settings_refusal("queue: {sizee: 3}").find("unknown key 'queue.sizee'") == 0);
  CHECK(settings_refusal("reconnect: {first_ms: 5}") == "'reconnect.first_ms' must be a number from 10 to 3.6e+06");
  CHECK(settings_refusal("rules: [{direction: out}]") == "'rules[0].bus' is required");
  watt::test::TempDir dir("mqtt-settings");
  std::ofstream(dir.path() / "pw") << "s3cret\nignored\n";
  const auto pw = parse_settings(YAML::Load("broker: {password_file: " + (dir.path() / "pw").string() + "}"), "b", "/");
  CHECK(pw.broker.password == "s3cret");
}

TEST_CASE("mqtt settings: the reconnect backoff doubles up to its most, with up to a quarter off") {
  Backoff b;
  b.first = std::chrono::milliseconds(100);
  b.most = std::chrono::milliseconds(1000);
  CHECK(b.delay(0, 0).count() == 100);
  CHECK(b.delay(1, 0).count() == 200);
  CHECK(b.delay(3, 0).count() == 800);
  CHECK(b.delay(4, 0).count() == 1000);
  CHECK(b.delay(100, 0).count() == 1000);
  CHECK(b.delay(4, 0.999).count() == 750);
}
