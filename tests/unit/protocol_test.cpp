// The header codec of the wire protocol.
#include <watt/detail/protocol.hpp>
#include <watt/value.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace watt::proto;

TEST_CASE("a header survives encode and decode with every field") {
  Header h;
  h.id = 42;
  h.ts = 1'700'000'000'000'000'000;
  h.pri = 0;
  h.dl = h.ts + 500'000'000;
  h.lossless = true;
  h.ct = "application/json";
  h.method = "set_point";
  h.code = "timeout";
  h.message = "no answer";
  const std::string bytes = encode_header(h);
  Header d;
  REQUIRE(decode_header(bytes, d).empty());
  CHECK(d.id == 42);
  CHECK(d.ts == h.ts);
  CHECK(d.pri == 0);
  CHECK(d.dl == h.dl);
  CHECK(d.lossless);
  CHECK(d.ct == "application/json");
  CHECK(d.method == "set_point");
  CHECK(d.code == "timeout");
  CHECK(d.message == "no answer");
}

TEST_CASE("defaults are left out of the encoding and come back as defaults") {
  const std::string bytes = encode_header(Header{});
  CHECK(bytes.size() == 1);  // an empty msgpack map
  Header d;
  CHECK(decode_header(bytes, d).empty());
  CHECK(d.pri == default_priority);
  CHECK(decode_header("", d).empty());
}

TEST_CASE("unknown keys, nested values included, are skipped") {
  const auto bytes = watt::Value::of(std::map<std::string, std::vector<int>>{{"future", {1, 2, 3}}}).bytes();
  Header d;
  CHECK(decode_header(bytes, d).empty());
}

TEST_CASE("malformed headers are refused with a reason") {
  Header d;
  CHECK_FALSE(decode_header("\xc1", d).empty());                        // never-used msgpack byte
  CHECK_FALSE(decode_header(watt::Value::of(5).bytes(), d).empty());    // not a map
  CHECK_FALSE(decode_header(watt::Value::of(std::vector<int>{1}).bytes(), d).empty());
  Header two;
  two.id = 1;
  two.ts = 5;
  const std::string full = encode_header(two);
  CHECK_FALSE(decode_header(full.substr(0, full.size() - 1), d).empty());  // truncated
  CHECK_FALSE(decode_header(full + "x", d).empty());                      // trailing bytes
  CHECK(decode_header(watt::Value::of(std::map<std::string, int>{{"pri", 101}}).bytes(), d) ==
        "priority must be 0..100");
  CHECK_FALSE(decode_header(watt::Value::of(std::map<std::string, int>{{"pri", -1}}).bytes(), d).empty());
  CHECK(decode_header(watt::Value::of(std::map<std::string, std::string>{{"id", "x"}}).bytes(), d)
            .find("wrong type") != std::string::npos);
}
