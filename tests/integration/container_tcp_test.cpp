// An agent container reaching a platform over TCP with CurveZMQ: its key's
// allow-list entry says which identities it may host, and one it may not is
// refused alone while its neighbours run.
#include "tcp_platform.hpp"

#include <watt/container.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace std::chrono_literals;
using watt::test::TcpPlatform;

TEST_CASE("container over TCP: its key's grant says which agents it may host, and another is refused alone") {
  TcpPlatform t;
  const auto [file, pub] = t.make_key("lab");
  REQUIRE(t.p.cli({"auth", "add", "lab", "--key", pub, "--identity", "container.lab", "--identity", "t*", "--publish",
                   "heartbeat/#"})
              .code == 0);
  const auto probe = (watt::test::fixture_dir() / "libfixture_probe_agent.so").string();
  watt::test::Process container({(watt::test::bin_dir() / "watt-container").string(), "--name", "lab", "--connect",
                                 t.endpoint, "--server-key", t.server_key, "--key-file", file, "--agent", "t1=" + probe,
                                 "--agent", "t2=" + probe, "--agent", "u1=" + probe, "--threads", "2"},
                                t.p.home(), t.p.env());
  auto local = t.p.client("tester");
  REQUIRE_MESSAGE(watt::test::eventually([&] { return local->call("t2", "whoami").get().ok(); }, 30s), container.err());
  CHECK(local->call("t1", "whoami").get()->as<std::string>() == "t1");
  // u1 is not this key's to claim: it fails to start and is retried by its
  // restart policy, never on the bus, and the others go on.
  const auto u1 = [&] {
    auto r = local->call(watt::container_identity("lab"), "status").get();
    if (!r) return nlohmann::json::array();
    for (const auto& a : nlohmann::json::parse(r->to_json()))
      if (a[0] == "u1") return a;
    return nlohmann::json::array();
  };
  REQUIRE(watt::test::eventually([&] {
    const auto a = u1();
    return a.size() == 4 && a[3].get<std::string>().find("may not claim identity 'u1'") != std::string::npos;
  }));
  CHECK(local->call("u1", "whoami").get().error().code == watt::ErrorCode::unknown_peer);
  CHECK(local->call("t1", "whoami").get().ok());
}
