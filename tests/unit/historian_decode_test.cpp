// Historian: from bus messages to records, and refusals one value at a time.
#include "decode.hpp"

#include <watt/value.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace watt::historian;

namespace {

struct Decoded {
  std::vector<Record> records;
  std::vector<Rejection> rejected;
};

Decoded run(const std::string& topic, const watt::Value& body, const DecodeLimits& limits = {}) {
  watt::Envelope e;
  e.topic = topic;
  e.timestamp_ns = 42;
  e.body = body;
  Decoded d;
  decode(e, limits, d.records, d.rejected);
  return d;
}

const Record* find(const Decoded& d, const std::string& topic) {
  for (const auto& r : d.records)
    if (r.topic == topic) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("historian stores an all message as one series per point") {
  const auto d =
      run("devices/campus/b1/ahu1/all", watt::Value::of(std::map<std::string, double>{{"temp", 21.5}, {"flow", 3.25}}));
  REQUIRE(d.records.size() == 2);
  CHECK(d.rejected.empty());
  const auto* temp = find(d, "devices/campus/b1/ahu1/temp");
  REQUIRE(temp != nullptr);
  CHECK(temp->ts_ns == 42);
  CHECK(*temp->number == 21.5);
  CHECK_FALSE(temp->json);  // a float is exact in `number`
  CHECK_FALSE(temp->metadata);
  CHECK(find(d, "devices/campus/b1/ahu1/flow") != nullptr);
}

TEST_CASE("historian keeps metadata from the two-map shape of an all message") {
  const auto body = watt::Value::from_json(
      R"([{"temp": 21.5, "on": true}, {"temp": {"units": "degC", "type": "float"}, "on": "not a map"}])");
  const auto d = run("devices/b1/all", body);
  REQUIRE(d.records.size() == 2);
  const auto* temp = find(d, "devices/b1/temp");
  REQUIRE(temp != nullptr);
  REQUIRE(temp->metadata);
  CHECK(*temp->metadata == R"({"type":"float","units":"degC"})");
  const auto* on = find(d, "devices/b1/on");
  REQUIRE(on != nullptr);
  CHECK(*on->number == 1.0);
  CHECK(*on->json == "true");
  CHECK_FALSE(on->metadata);  // a description that is not a map is ignored
}

TEST_CASE("historian skips a driver's depth-first copy of a point, which its all message carries") {
  const auto point = watt::Value::from_json(R"([21.5, {"units": "degC", "type": "float", "tz": "UTC"}])");
  const auto d = run("devices/campus/b1/ahu1/temp", point);
  CHECK(d.records.empty());
  CHECK(d.rejected.empty());  // not a fault: the point is stored from all
  // The same shape off devices/, or a pair of maps, is an ordinary value.
  CHECK(run("record/campus/temp", point).records.size() == 1);
  CHECK(run("devices/campus/b1/x", watt::Value::from_json(R"([{"a": 1}, {"b": 2}])")).records.size() == 1);
}

TEST_CASE("historian stores scalars as they are and structures as JSON text") {
  CHECK(*run("record/a", watt::Value::of(7)).records.at(0).json == "7");
  CHECK(*run("record/a", watt::Value::of(7)).records.at(0).number == 7.0);
  CHECK(*run("record/a", watt::Value::of(-3)).records.at(0).json == "-3");
  CHECK(*run("record/a", watt::Value::of(false)).records.at(0).number == 0.0);
  const auto s = run("record/a", watt::Value::of(std::string("hello \"x\"")));
  CHECK(*s.records.at(0).json == R"("hello \"x\"")");
  CHECK_FALSE(s.records.at(0).number);
  CHECK(*run("record/a", watt::Value::from_json("null")).records.at(0).json == "null");
  const auto m = run("analysis/x", watt::Value::from_json(R"({"a": [1, 2.5, "z"]})"));
  CHECK(*m.records.at(0).json == R"({"a":[1,2.5,"z"]})");
  CHECK(m.records.at(0).topic == "analysis/x");
  // A map on a topic that is not devices/…/all is one value, not points.
  CHECK(run("devices/b1/summary", watt::Value::from_json(R"({"a": 1})")).records.size() == 1);
}

TEST_CASE("historian refuses bad values one by one and keeps the rest of the message") {
  SUBCASE("NaN and infinity") {
    std::map<std::string, double> points{{"good", 1.0},
                                         {"nan", std::numeric_limits<double>::quiet_NaN()},
                                         {"inf", std::numeric_limits<double>::infinity()}};
    const auto d = run("devices/b1/all", watt::Value::of(points));
    CHECK(d.records.size() == 1);
    REQUIRE(d.rejected.size() == 2);
    CHECK(d.rejected[0].reason == "not a finite number");
    CHECK(run("record/x", watt::Value::of(std::nan(""))).records.empty());
  }
  SUBCASE("a value over the size limit") {
    DecodeLimits limits;
    limits.max_value_bytes = 100;
    const auto d =
        run("devices/b1/all",
            watt::Value::of(std::map<std::string, std::string>{{"big", std::string(200, 'x')}, {"ok", "y"}}), limits);
    CHECK(d.records.size() == 1);
    REQUIRE(d.rejected.size() == 1);
    CHECK(d.rejected[0].topic == "devices/b1/big");
    CHECK(d.rejected[0].reason.find("over the limit") != std::string::npos);
  }
  SUBCASE("point names that are no topic segment and keys that are no strings") {
    const auto d = run("devices/b1/all", watt::Value::from_json(R"({"a/b": 1, "": 2, "+": 3, "fine": 4})"));
    CHECK(d.records.size() == 1);
    CHECK(d.rejected.size() == 3);
    std::map<int, double> numeric_keys{{1, 2.0}};
    const auto k = run("devices/b1/all", watt::Value::of(numeric_keys));
    CHECK(k.records.empty());
    REQUIRE(k.rejected.size() == 1);
    CHECK(k.rejected[0].reason.find("not a string") != std::string::npos);
  }
  SUBCASE("strings and topics that are not UTF-8") {
    const auto d = run("record/x", watt::Value::of(std::string("\xff\xfe")));
    CHECK(d.records.empty());
    CHECK(d.rejected.size() == 1);
    const auto t = run("devices/b1/all", watt::Value::of(std::map<std::string, int>{{"t\xe9mp", 1}, {"t\u00e9mp", 2}}));
    REQUIRE(t.records.size() == 1);
    CHECK(t.records[0].topic == "devices/b1/t\u00e9mp");
    REQUIRE(t.rejected.size() == 1);
    CHECK(t.rejected[0].reason == "the topic is not valid UTF-8");
  }
  SUBCASE("nesting deeper than the decoder allows is refused whole") {
    std::string bytes;
    for (int i = 0; i < 70; ++i) bytes += '\x91';  // fixarray of one
    bytes += '\x01';
    const auto d = run("record/deep", watt::Value::from_msgpack_unchecked(bytes));
    CHECK(d.records.empty());
    REQUIRE(d.rejected.size() == 1);
    CHECK(d.rejected[0].reason.find("does not decode") != std::string::npos);
  }
  SUBCASE("garbage bodies and other content types") {
    CHECK(run("record/x", watt::Value::from_msgpack_unchecked("\xc1")).rejected.size() == 1);
    watt::Envelope e;
    e.topic = "record/x";
    e.content_type = "text/plain";
    e.body = watt::Value::of(1);
    std::vector<Record> records;
    std::vector<Rejection> rejected;
    decode(e, {}, records, rejected);
    CHECK(records.empty());
    CHECK(rejected.size() == 1);
  }
}
