// watt-node's half of the topic mapping (docs/serial-protocol.md): the
// requests it writes, read back by the bridge's own parser, and its reading
// of what the bridge sends, including frames it cannot use.
#include "bridge_messages.hpp"

#include "node_messages.hpp"  // the bridge's side

#include <doctest/doctest.h>

#include <msgpack.hpp>

#include <string>
#include <vector>

using namespace watt::node;

namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

template <class T>
std::string packed(const T& value) {
  msgpack::sbuffer b;
  msgpack::pack(b, value);
  return {b.data(), b.size()};
}

}  // namespace

TEST_CASE("node messages: the bridge reads the node's pub and sub requests as the node meant them") {
  const auto body = packed(std::map<std::string, double>{{"lambda", 7.37}});
  const auto pub = publish_request("ed/ed16/L1", body);
  const auto parsed = watt::serial::parse_request(pub);
  REQUIRE_MESSAGE(parsed.request, parsed.detail);
  CHECK(parsed.request->op == watt::serial::RequestOp::pub);
  CHECK(parsed.request->name == "/ed/ed16/L1");  // absolute
  CHECK(parsed.request->body == body);           // the bytes, as they were
  CHECK(parsed.request->priority == dispatch_priority);

  const auto sub = watt::serial::parse_request(subscribe_request("ed/ed16/+"));
  REQUIRE(sub.request);
  CHECK(sub.request->op == watt::serial::RequestOp::sub);
  CHECK(sub.request->name == "/ed/ed16/+");
}

TEST_CASE("node messages: deliveries and refusals from the bridge are read, anything else is unreadable") {
  const auto body = packed(42);
  const auto delivery =
      parse_bridge_message(bytes(watt::serial::encode_bus_message("ed/ed16/DG1", "lab-bridge", body)));
  REQUIRE(std::holds_alternative<Delivery>(delivery));
  CHECK(std::get<Delivery>(delivery).topic == "ed/ed16/DG1");
  CHECK(std::get<Delivery>(delivery).sender == "lab-bridge");
  CHECK(std::get<Delivery>(delivery).body == body);
  const auto nil = parse_bridge_message(bytes(watt::serial::encode_bus_message("t", "s", "")));
  CHECK(std::get<Delivery>(nil).body == "\xC0");

  const auto request = subscribe_request("a/b");
  const auto refusal = parse_bridge_message(bytes(watt::serial::encode_error("too many subscriptions", request)));
  REQUIRE(std::holds_alternative<Refusal>(refusal));
  CHECK(std::get<Refusal>(refusal).error == "too many subscriptions");
  CHECK(std::get<Refusal>(refusal).request == R"({"sub":"/a/b"})");

  const auto why = [](const std::string& payload) {
    const auto m = parse_bridge_message(bytes(payload));
    return std::holds_alternative<Unreadable>(m) ? std::get<Unreadable>(m).why : std::string("readable");
  };
  CHECK(why("").find("not msgpack") == 0);
  CHECK(why("\xC1").find("not msgpack") == 0);
  CHECK(why(packed(1)) == "not a map");
  CHECK(why(packed(1) + "x") == "bytes after the map");
  CHECK(why(packed(std::map<int, int>{{1, 2}})) == "a key is not a string");
  CHECK(why(packed(std::map<std::string, int>{{"sender", 2}})) == "neither topic nor error");
  CHECK(why(std::string(40, '\x91') + '\x01').find("not msgpack") == 0);  // nested too deep
}
