// The header codec of the wire protocol.
#include <watt/proto/batch.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>
#include <watt/value.hpp>

#include <doctest/doctest.h>
#include <msgpack.hpp>

#include <map>
#include <string>
#include <vector>

using namespace watt::proto;

TEST_CASE("a header survives encode and decode with every field") {
  Header h;
  h.id = 42;
  h.ts = 1'700'000'000'000'000'000;
  h.pri = 0;
  h.dl = h.ts + 500'000'000;
  h.lossless = true;
  h.batch = true;
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
  CHECK(d.batch);
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
  CHECK_FALSE(decode_header("\xc1", d).empty());                      // never-used msgpack byte
  CHECK_FALSE(decode_header(watt::Value::of(5).bytes(), d).empty());  // not a map
  CHECK_FALSE(decode_header(watt::Value::of(std::vector<int>{1}).bytes(), d).empty());
  Header two;
  two.id = 1;
  two.ts = 5;
  const std::string full = encode_header(two);
  CHECK_FALSE(decode_header(full.substr(0, full.size() - 1), d).empty());  // truncated
  CHECK_FALSE(decode_header(full + "x", d).empty());                       // trailing bytes
  CHECK(decode_header(watt::Value::of(std::map<std::string, int>{{"pri", 101}}).bytes(), d) ==
        "priority must be 0..100");
  CHECK_FALSE(decode_header(watt::Value::of(std::map<std::string, int>{{"pri", -1}}).bytes(), d).empty());
  CHECK(decode_header(watt::Value::of(std::map<std::string, std::string>{{"id", "x"}}).bytes(), d).find("wrong type") !=
        std::string::npos);
}

TEST_CASE("every msgpack integer width and sign is read as msgpack-c reads it") {
  // Each value packed by msgpack-c (Value::of) in its smallest encoding.
  for (const std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 255ull, 256ull, 65535ull, 65536ull, 4294967295ull,
                                4294967296ull, 18446744073709551615ull}) {
    Header d;
    REQUIRE(decode_header(watt::Value::of(std::map<std::string, std::uint64_t>{{"id", v}}).bytes(), d).empty());
    CHECK(d.id == v);
  }
  for (const std::int64_t v : {-1ll, -32ll, -33ll, -128ll, -129ll, -32768ll, -32769ll, -2147483648ll, -2147483649ll,
                               -9223372036854775807ll - 1}) {
    Header d;
    REQUIRE(
        decode_header(watt::Value::of(std::map<std::string, std::int64_t>{{"ts", v}, {"dl", v}}).bytes(), d).empty());
    CHECK(d.ts == v);
    CHECK(d.dl == v);
  }
}

TEST_CASE("the encoder writes what msgpack-c reads back, long strings and negative times included") {
  Header h;
  h.id = 4294967296ull;
  h.ts = -5;
  h.dl = -2147483649ll;
  h.pri = 100;
  h.protocol = 1;
  h.pid = 65536;
  h.size = 1 << 20;
  h.paused = true;
  const std::string long_text(70000, 'm');  // str 32
  const std::string mid_text(300, 'c');     // str 16
  const std::string short_text(40, 'x');    // str 8
  h.message = long_text;
  h.code = mid_text;
  h.method = short_text;
  h.ct = "text/plain";
  const std::string bytes = encode_header(h);
  Header d;
  REQUIRE(decode_header(bytes, d).empty());
  CHECK(d.id == h.id);
  CHECK(d.ts == -5);
  CHECK(d.dl == h.dl);
  CHECK(d.pri == 100);
  CHECK(d.protocol == 1);
  CHECK(d.pid == 65536);
  CHECK(d.size == h.size);
  CHECK(d.paused);
  CHECK_FALSE(d.lossless);
  CHECK(d.message == long_text);
  CHECK(d.code == mid_text);
  CHECK(d.method == short_text);
  CHECK(d.ct == "text/plain");
  // msgpack-c agrees on every field.
  const auto handle = msgpack::unpack(bytes.data(), bytes.size());
  const auto m = handle.get().as<std::map<std::string, msgpack::object>>();
  CHECK(m.size() == 12);  // all but lossless, which is at its default
  CHECK(m.at("id").as<std::uint64_t>() == h.id);
  CHECK(m.at("ts").as<std::int64_t>() == -5);
  CHECK(m.at("dl").as<std::int64_t>() == h.dl);
  CHECK(m.at("pri").as<int>() == 100);
  CHECK(m.at("message").as<std::string>() == long_text);
  CHECK(m.at("code").as<std::string>() == mid_text);
  CHECK(m.at("method").as<std::string>() == short_text);
  CHECK(m.at("paused").as<bool>());
}

TEST_CASE("unknown keys and values of every kind are skipped, known keys of other kinds ignored") {
  // {1: [1, {"a": 2}], [3]: 4, "x": 1.5, "b": bin, "e": ext, "n": nil, "id": true, "pri": 2.5, "ts": 7}
  std::string h = "\x89";
  h += "\x01\x92\x01\x81\xa1"
       "a"
       "\x02";                              // an integer key with a nested value
  h += "\x91\x03\x04";                      // an array as a key
  h += "\xa1x\xcb" + std::string(8, '\0');  // float 64
  h += "\xa1"
       "b"
       "\xc4\x02zz";  // bin 8
  h += "\xa1"
       "e"
       "\xd5\x01zz";                          // fixext 2
  h += "\xa1n\xc0";                           // nil
  h += "\xa2id\xc3";                          // a boolean for a number field: ignored
  h += "\xa3pri\xca" + std::string(4, '\0');  // a float for the priority: ignored
  h += "\xa2ts\x07";
  Header d;
  CHECK(decode_header(h, d) == "");
  CHECK(d.id == 0);
  CHECK(d.pri == default_priority);
  CHECK(d.ts == 7);
}

TEST_CASE("headers cut short anywhere are refused, never read past their end") {
  Header full;
  full.id = 70000;
  full.ts = 1'700'000'000'000'000'000;
  full.method = "a method name";
  std::string bytes = encode_header(full);
  bytes.insert(1, "\xa1k\x92\x91\x01\xcd\x01\x02");  // and an unknown key with a nested value, one count more
  bytes[0] = static_cast<char>(bytes[0] + 1);
  Header d;
  REQUIRE(decode_header(bytes, d).empty());
  for (std::size_t n = 1; n < bytes.size(); ++n) {
    Header cut;
    CAPTURE(n);
    CHECK(decode_header(bytes.substr(0, n), cut) == "header is truncated");
  }
}

TEST_CASE("a deeply nested unknown value is skipped without recursion") {
  std::string h = "\x81\xa1z";
  h += std::string(60000, '\x91');  // [[[[...]]]]
  h += '\x01';
  Header d;
  CHECK(decode_header(h, d).empty());
  h.pop_back();
  CHECK(decode_header(h, d) == "header is truncated");
}

TEST_CASE("a 16-bit map header and the never-used byte") {
  std::string h = "\xde";
  h += std::string("\x00\x01", 2);
  h += "\xa2id\x05";
  Header d;
  CHECK(decode_header(h, d).empty());
  CHECK(d.id == 5);
  CHECK(decode_header("\x81\xa2id\xc1", d) == "header is not valid msgpack");
  CHECK(decode_header("\x91\x01", d) == "header is not a msgpack map");
}

TEST_CASE("a non-negative number in a signed encoding is read as that number") {
  // Other msgpack writers may use int 8 for 98; it is still a valid priority.
  Header d;
  CHECK(decode_header("\x81\xa3pri\xd0\x62", d).empty());
  CHECK(d.pri == 98);
  CHECK(decode_header("\x81\xa3pri\xd0\xff", d) == "priority must be 0..100");  // -1
}

TEST_CASE("a key that is itself a container is skipped with its value, whatever it holds") {
  // {["pri"]: 111, "id": 3}: the array is not the key "pri".
  Header d;
  CHECK(decode_header("\x82\x91\xa3pri\x6f\xa2id\x03", d).empty());
  CHECK(d.pri == default_priority);
  CHECK(d.id == 3);
}

TEST_CASE("batch items are written and taken back in order, and damaged batches are refused with a reason") {
  const std::vector<std::string> messages = {"first message", std::string(300, 'x'), ""};
  std::string body;
  for (const auto& m : messages) {
    std::string item(batch_item_prefix + m.size(), '\0');
    write_batch_item(item.data(), m);
    body += item;
  }
  CHECK(body.substr(0, 4) == std::string("\x0d\x00\x00\x00", 4));  // 13, little endian
  std::string_view rest = body;
  for (const auto& m : messages) {
    std::string_view item;
    REQUIRE(take_batch_item(rest, item).empty());
    CHECK(item == m);
  }
  CHECK(rest.empty());

  std::string_view item;
  std::string_view short_prefix("\x05\x00", 2);
  CHECK(take_batch_item(short_prefix, item) == "batch ends inside an item's length");
  std::string_view past_end(
      "\x05\x00\x00\x00"
      "abcd",
      8);
  CHECK(take_batch_item(past_end, item) == "batch item runs past the end of the batch");
  std::string_view huge(
      "\xff\xff\xff\xff"
      "abcd",
      8);
  CHECK(take_batch_item(huge, item) == "batch item runs past the end of the batch");
}
