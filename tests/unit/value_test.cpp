// Values: msgpack round trips and the JSON view.
#include <watt/envelope.hpp>
#include <watt/value.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace {
struct Reading {
  std::string point;
  double value = 0;
  std::vector<int> flags;
  MSGPACK_DEFINE_MAP(point, value, flags)
};
}  // namespace

TEST_CASE("structs, maps, vectors and scalars round-trip through a Value") {
  const Reading r{"power_kw", 42.5, {1, 2}};
  const auto back = watt::Value::of(r).as<Reading>();
  CHECK(back.point == "power_kw");
  CHECK(back.value == 42.5);
  CHECK(back.flags == std::vector<int>{1, 2});
  CHECK(watt::Value::of(std::map<std::string, double>{{"a", 1.5}}).as<std::map<std::string, double>>().at("a") == 1.5);
  CHECK(watt::Value::of(7).as<int>() == 7);
  CHECK(watt::Value::of(std::string("x")).as<std::string>() == "x");
}

TEST_CASE("the JSON view shows the value, and JSON text packs back") {
  CHECK(watt::Value::of(Reading{"p", 1.5, {}}).to_json() == R"({"flags":[],"point":"p","value":1.5})");
  CHECK(watt::Value().to_json() == "null");
  const auto v = watt::Value::from_json(R"({"setpoint": 21.5, "zones": [1, 2]})");
  CHECK(v.to_json() == R"({"setpoint":21.5,"zones":[1,2]})");
  // Non-string keys still render.
  CHECK(watt::Value::of(std::map<int, int>{{1, 2}}).to_json() == R"({"1":2})");
}

TEST_CASE("bad JSON and mismatched types are refused with a message naming them") {
  CHECK_THROWS_WITH_AS(watt::Value::from_json("{oops"), doctest::Contains("invalid JSON"), watt::Error);
  CHECK_THROWS_WITH_AS(watt::Value::of(std::string("hello")).as<int>(), doctest::Contains("\"hello\""), watt::Error);
  CHECK_THROWS_AS(watt::Value().as<int>(), watt::Error);
  CHECK_THROWS_AS(watt::Value::from_msgpack("\xc1"), watt::Error);
}

TEST_CASE("hostile nesting is refused instead of exhausting the stack") {
  std::string deep(100000, '\x91');  // 100,000 nested one-element arrays
  deep += '\x01';
  const auto v = watt::Value::from_msgpack_unchecked(deep);
  CHECK_THROWS_AS(v.as<int>(), watt::Error);
  CHECK(v.to_json().find("invalid msgpack") != std::string::npos);
}

TEST_CASE("an envelope renders as one JSON object") {
  watt::Envelope e;
  e.topic = "devices/x";
  e.sender = "meter1";
  e.id = 3;
  e.priority = 10;
  e.body = watt::Value::of(1.5);
  CHECK(e.to_json() == R"({"body":1.5,"id":3,"priority":10,"sender":"meter1","timestamp_ns":0,"topic":"devices/x"})");
}
