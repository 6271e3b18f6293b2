// Sparkplug B: settings, topics, and payloads checked field by field against
// the specification's numbers (Eclipse Sparkplug 3.0, chapter 6) with a
// protobuf wire reader of the test's own, not the generated code.
#include <watt/mqtt/settings.hpp>
#include <watt/mqtt/sparkplug.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace watt::mqtt;

namespace {

// One protobuf field as it is on the wire: a varint, or the bytes of a
// length-delimited field (a string, or a message to read again).
struct Field {
  std::uint64_t number = 0;
  std::uint64_t varint = 0;
  std::string bytes;
  int wire = 0;
};

std::uint64_t varint(std::string_view& in) {
  std::uint64_t v = 0;
  for (int shift = 0; !in.empty() && shift < 64; shift += 7) {
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= std::uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80u) == 0) return v;
  }
  FAIL("a truncated varint");
  return v;
}

std::vector<Field> fields(std::string_view in) {
  std::vector<Field> out;
  while (!in.empty()) {
    Field f;
    const auto key = varint(in);
    f.number = key >> 3;
    f.wire = static_cast<int>(key & 7);
    if (f.wire == 0) {
      f.varint = varint(in);
    } else if (f.wire == 2) {
      const auto n = varint(in);
      REQUIRE(n <= in.size());
      f.bytes = std::string(in.substr(0, n));
      in.remove_prefix(n);
    } else if (f.wire == 1) {  // a double
      REQUIRE(in.size() >= 8);
      f.bytes = std::string(in.substr(0, 8));
      in.remove_prefix(8);
    } else {
      FAIL("wire type " << f.wire << " is not one the payload uses");
    }
    out.push_back(f);
  }
  return out;
}

std::multimap<std::uint64_t, Field> by_number(std::string_view in) {
  std::multimap<std::uint64_t, Field> m;
  for (auto& f : fields(in)) m.emplace(f.number, f);
  return m;
}

SpMetric metric(std::string name, SpType type, decltype(SpMetric::value) value) {
  SpMetric m;
  m.name = std::move(name);
  m.type = type;
  m.value = std::move(value);
  return m;
}

}  // namespace

TEST_CASE("sparkplug: settings, with defaults from the bridge's client id, and bad ids refused by name") {
  const auto none = parse_sparkplug(YAML::Node(), "site1-bridge");
  CHECK_FALSE(none.enabled);
  const auto sp = parse_sparkplug(YAML::Load("{group_id: plant}"), "site1 bridge");
  CHECK(sp.enabled);
  CHECK(sp.group_id == "plant");
  CHECK(sp.edge_node_id == "site1_bridge");
  CHECK(sp.client_id == "site1 bridge-sparkplug");
  CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load("{group_id: a/b}"), "c"), doctest::Contains("sparkplug.group_id"),
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load("{edge_node_id: 'n#'}"), "c"),
                       doctest::Contains("sparkplug.edge_node_id"), SettingsError);
  CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load("{client_id: c}"), "c"), doctest::Contains("second connection"),
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load("{group: x}"), "c"), doctest::Contains("sparkplug.group"),
                       SettingsError);
  CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load("{devices: 'a/#/b'}"), "c"), doctest::Contains("sparkplug.devices"),
                       SettingsError);
  CHECK(sp.device_check == std::chrono::milliseconds(5000));
  CHECK(parse_sparkplug(YAML::Load("{device_check_ms: 0}"), "c").device_check.count() == 0);
  CHECK(parse_sparkplug(YAML::Load("{device_check_ms: 250}"), "c").device_check.count() == 250);
  for (const auto* bad : {"{device_check_ms: 50}", "{device_check_ms: -1}", "{device_check_ms: often}"})
    CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load(bad), "c"), doctest::Contains("sparkplug.device_check_ms"),
                         SettingsError);
  CHECK(sp.primary_host.empty());
  const auto hosted = parse_sparkplug(YAML::Load("{primary_host: scada-1}"), "c");
  CHECK(hosted.primary_host == "scada-1");
  CHECK(sparkplug_state_topic(hosted) == "spBv1.0/STATE/scada-1");
  for (const auto* bad : {"{primary_host: ''}", "{primary_host: 'a/b'}", "{primary_host: [a]}"})
    CHECK_THROWS_WITH_AS(parse_sparkplug(YAML::Load(bad), "c"), doctest::Contains("sparkplug.primary_host"),
                         SettingsError);
}

TEST_CASE("sparkplug: a host's STATE is Sparkplug 3.0's JSON, and nothing else") {
  const auto online = parse_host_state(R"({"online": true, "timestamp": 1700000000000})");
  REQUIRE(online.has_value());
  CHECK(online->online);
  CHECK(online->timestamp == 1700000000000U);
  CHECK_FALSE(parse_host_state(R"({"online": false, "timestamp": 5})")->online);
  // Sparkplug 2.2's bare words, a missing or negative timestamp, a string for the flag, no JSON.
  for (const auto* bad : {"ONLINE", "OFFLINE", R"({"online": true})", R"({"online": true, "timestamp": -1})",
                          R"({"online": "true", "timestamp": 5})", R"([true, 5])", "", "{"})
    CHECK_FALSE(parse_host_state(bad).has_value());
}

TEST_CASE("sparkplug: topics are spBv1.0/group/TYPE/node[/device], device ids without '/'") {
  const auto sp = parse_sparkplug(YAML::Load("{group_id: plant, edge_node_id: b1}"), "c");
  CHECK(sparkplug_topic(sp, SpMessage::nbirth) == "spBv1.0/plant/NBIRTH/b1");
  CHECK(sparkplug_topic(sp, SpMessage::ndeath) == "spBv1.0/plant/NDEATH/b1");
  CHECK(sparkplug_topic(sp, SpMessage::dcmd, "campus.b1.ahu") == "spBv1.0/plant/DCMD/b1/campus.b1.ahu");
  CHECK(sparkplug_device_id("campus/b1/ahu") == "campus.b1.ahu");
}

TEST_CASE("sparkplug: a birth's bytes carry the specification's field numbers, types and properties") {
  SpMetric power = metric("power", SpType::float64, 12.5);
  power.units = "kW";
  SpMetric count = metric("count", SpType::int64, std::int64_t{-3});
  count.writable = true;
  const auto bytes = encode_sparkplug({1700000000000, 0, {power, count}}, true);
  const auto payload = by_number(bytes);
  CHECK(payload.find(1)->second.varint == 1700000000000);  // timestamp
  CHECK(payload.find(3)->second.varint == 0);              // seq
  REQUIRE(payload.count(2) == 2);                          // metrics
  auto it = payload.find(2);
  const auto first = by_number(it->second.bytes);
  CHECK(first.find(1)->second.bytes == "power");  // name
  CHECK(first.find(4)->second.varint == 10);      // datatype Double
  CHECK(first.find(13)->second.wire == 1);        // double_value, 8 bytes
  const auto props = by_number(first.find(9)->second.bytes);
  CHECK(props.find(1)->second.bytes == "engUnit");  // keys, then values in order
  const auto unit = by_number(props.find(2)->second.bytes);
  CHECK(unit.find(1)->second.varint == 12);  // type String
  CHECK(unit.find(8)->second.bytes == "kW");
  const auto second = by_number((++it)->second.bytes);
  CHECK(second.find(4)->second.varint == 4);                                // Int64
  CHECK(second.find(11)->second.varint == static_cast<std::uint64_t>(-3));  // long_value, two's complement
  const auto read_only = by_number(by_number(second.find(9)->second.bytes).find(2)->second.bytes);  // no units: first
  CHECK(read_only.find(7)->second.varint == 0);  // boolean_value: writable, so not read-only
  const auto back = decode_sparkplug(bytes);     // as a host reads them
  CHECK(back.metrics[0].units == "kW");
  CHECK_FALSE(back.metrics[0].writable);
  CHECK(back.metrics[1].writable);
  // Data carry no properties; a death has no seq.
  CHECK(by_number(by_number(encode_sparkplug({1, 5, {power}}, false)).find(2)->second.bytes).count(9) == 0);
  CHECK(by_number(encode_sparkplug({1, std::nullopt, {power}}, false)).count(3) == 0);
}

TEST_CASE("sparkplug: commands decode by datatype, and what is not a command is refused by name") {
  // Int8 -1, as a host sends it: int_value 255 (the low 8 bits).
  const std::string int8 = "\x12\x08\x0a\x01x\x20\x01\x50\xff\x01";
  const auto p = decode_sparkplug(int8);
  REQUIRE(p.metrics.size() == 1);
  CHECK(p.metrics[0].name == "x");
  CHECK(std::get<std::int64_t>(p.metrics[0].value) == -1);
  const auto round =
      decode_sparkplug(encode_sparkplug({7,
                                         3,
                                         {metric("on", SpType::boolean, true), metric("set", SpType::float64, 21.5),
                                          metric("n", SpType::string, std::string("hi"))}},
                                        false));
  CHECK(round.seq == 3);
  CHECK(std::get<bool>(round.metrics[0].value));
  CHECK(std::get<double>(round.metrics[1].value) == 21.5);
  CHECK(std::get<std::string>(round.metrics[2].value) == "hi");

  CHECK_THROWS_WITH_AS(decode_sparkplug("\xff\xff\xff"), doctest::Contains("not a Sparkplug B payload"),
                       SparkplugError);
  CHECK_THROWS_WITH_AS(decode_sparkplug("\x12\x02\x20\x0a"), doctest::Contains("no name"), SparkplugError);
  // bytes_value (field 16): not a kind the bridge takes.
  CHECK_THROWS_WITH_AS(decode_sparkplug(std::string("\x12\x06\x0a\x01y\x82\x01\x00", 8)),
                       doctest::Contains("metric 'y'"), SparkplugError);
}

TEST_CASE("sparkplug: a driver value becomes a metric of its point's type, and a command a value it takes") {
  CHECK(std::get<double>(sparkplug_metric("t", "float", "21.5")->value) == 21.5);
  CHECK(std::get<std::int64_t>(sparkplug_metric("n", "int", "4")->value) == 4);
  CHECK(std::get<bool>(sparkplug_metric("b", "bool", "true")->value));
  CHECK(std::holds_alternative<std::monostate>(sparkplug_metric("t", "float", "null")->value));
  CHECK_FALSE(sparkplug_metric("t", "float", "\"hot\"").has_value());
  CHECK_FALSE(sparkplug_metric("n", "int", "4.5").has_value());

  CHECK(sparkplug_command_value(metric("t", SpType::float32, 19.0), "float") == "19.0");
  CHECK(sparkplug_command_value(metric("n", SpType::int32, std::int64_t{7}), "int") == "7");
  CHECK(sparkplug_command_value(metric("n", SpType::float64, 7.5), "int") == std::nullopt);
  CHECK(sparkplug_command_value(metric("b", SpType::boolean, true), "bool") == "true");
  CHECK(sparkplug_command_value(metric("b", SpType::int32, std::int64_t{1}), "bool") == std::nullopt);
  CHECK(sparkplug_command_value(metric("t", SpType::string, std::string("19")), "float") == std::nullopt);
  // Out of an int's range, or past a double's exactness: refused or kept exact, never wrapped.
  CHECK(sparkplug_command_value(metric("n", SpType::float64, 1e300), "int") == std::nullopt);
  CHECK(sparkplug_command_value(metric("n", SpType::uint64, std::uint64_t{18446744073709551615u}), "int") ==
        std::nullopt);
  CHECK(sparkplug_command_value(metric("n", SpType::int64, std::int64_t{1} << 60), "int") == "1152921504606846976");
  CHECK_FALSE(sparkplug_metric("n", "int", "18446744073709551615").has_value());
}
