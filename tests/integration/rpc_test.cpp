// RPC through a real wattd: round trip, timeout, unknown peer and method,
// bad arguments, a throwing handler, and then() callbacks.
#include "served.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;
using watt::ErrorCode;
using watt::test::Platform;
using watt::test::Served;

namespace {
struct Setpoint {
  std::string zone;
  double celsius = 0;
  MSGPACK_DEFINE_MAP(zone, celsius)
};

void export_demo(watt::Client& c) {
  c.export_method("add", [](int a, int b) { return a + b; });
  c.export_method("describe", [](const Setpoint& s) { return s.zone + "=" + std::to_string(s.celsius); });
  c.export_method("fail", [](const std::string& why) -> int { throw std::runtime_error(why); });
  c.export_method("slow", [](int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return ms;
  });
  c.export_method("nothing", [] {});
}
}  // namespace

TEST_CASE("a call reaches the exported method and its typed result comes back") {
  Platform p;
  Served server(p, "server", export_demo);
  REQUIRE(server.error().empty());
  auto caller = p.client("caller");
  auto r = caller->call("server", "add", 2, 40).get_as<int>();
  REQUIRE(r.ok());
  CHECK(*r == 42);
  auto d = caller->call("server", "describe", Setpoint{"b1", 21.5}).get_as<std::string>();
  REQUIRE(d.ok());
  CHECK(d->rfind("b1=21.5", 0) == 0);
  CHECK(caller->call("server", "nothing").get().ok());
}

TEST_CASE("structured errors: unknown peer, unknown method, bad arguments, a throwing handler") {
  Platform p;
  Served server(p, "server", export_demo);
  auto caller = p.client("caller");

  auto nobody = caller->call("nobody", "add", 1, 2).get();
  REQUIRE_FALSE(nobody.ok());
  CHECK(nobody.error().code == ErrorCode::unknown_peer);

  auto missing = caller->call("server", "multiply", 1, 2).get();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::unknown_method);
  CHECK(missing.error().message.find("multiply") != std::string::npos);

  auto bad = caller->call("server", "add", "two", "three").get();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::bad_args);

  auto thrown = caller->call("server", "fail", std::string("valve stuck")).get();
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().code == ErrorCode::handler_threw);
  CHECK(thrown.error().message.find("valve stuck") != std::string::npos);

  // The server survived all of it.
  CHECK(caller->call("server", "add", 1, 1).get_as<int>().value() == 2);
}

TEST_CASE("a call times out on the caller's side, and a late answer is dropped") {
  Platform p;
  Served server(p, "server", export_demo);
  auto caller = p.client("caller");
  watt::CallOptions quick;
  quick.timeout = 100ms;
  auto r = caller->call_with(quick, "server", "slow", 500).get();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::timeout);
  // The late answer to the first call must not be taken for this one.
  auto next = caller->call("server", "add", 3, 4).get_as<int>();
  REQUIRE(next.ok());
  CHECK(*next == 7);
}

TEST_CASE("then() delivers answers and timeouts as callbacks") {
  Platform p;
  Served server(p, "server", export_demo);
  auto caller = p.client("caller");
  int sum = 0;
  std::optional<watt::RpcError> timed_out;
  caller->call("server", "add", 20, 22).then([&](watt::Result<watt::Value> r) { sum = r.value().as<int>(); });
  watt::CallOptions quick;
  quick.timeout = 50ms;
  caller->call_with(quick, "server", "slow", 300).then([&](watt::Result<watt::Value> r) {
    if (!r) timed_out = r.error();
  });
  REQUIRE(caller->spin_until([&] { return sum != 0 && timed_out.has_value(); }, 10s));
  CHECK(sum == 42);
  CHECK(timed_out->code == ErrorCode::timeout);
}

TEST_CASE("the caller's identity is known to the handler") {
  Platform p;
  std::string seen;
  watt::Client* server_client = nullptr;
  Served server(p, "server", [&](watt::Client& c) {
    server_client = &c;
    c.export_method("whoami", [&] { return server_client->caller(); });
  });
  auto caller = p.client("alice");
  CHECK(caller->call("server", "whoami").get_as<std::string>().value() == "alice");
}
