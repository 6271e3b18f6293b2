// Browsers that stop reading cost the web view a bounded queue each, never
// the bus or the other browsers (docs/web.md, The stream).
#include "web_fixture.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

using nlohmann::json;
using watt::test::WebPlatform;

TEST_CASE("web: 500 connected clients that never read, while the bus and other clients carry on" *
          doctest::test_suite("long")) {
  watt::test::raise_descriptor_limit();  // this test holds 500 sockets and more
  WebPlatform w("client_queue_kib: 64\nmax_connections: 1000\n");
  const auto http = w.http();
  const auto ann = http.login("ann", "admin-password");
  const std::map<std::string, std::string> headers{{"Cookie", ann.cookie}, {"Origin", w.origin()}};
  std::vector<std::unique_ptr<watt::test::WsClient>> stalled;
  for (int i = 0; i < 500; ++i) {
    stalled.push_back(std::make_unique<watt::test::WsClient>(w.port, headers, 4096));
    stalled.back()->send(R"({"op":"subscribe","pattern":"flood","rate":100})");
  }
  watt::test::WsClient reader(w.port, headers);
  reader.send(R"({"op":"subscribe","pattern":"marker","rate":10})");
  REQUIRE(reader.read_until(R"("subscribed","pattern":"marker")").has_value());

  // 3,000 messages of 2 KiB on 50 topics: far more than 64 KiB a client.
  auto flooder = watt::test::client(w.cli, "flooder");
  const std::string pad(2048, 'x');
  for (int i = 0; i < 3000; ++i) flooder.publish("flood/" + std::to_string(i % 50), pad);
  REQUIRE(flooder.sync());

  // The bus carries on: a publish from the command line reaches a subscriber.
  auto listener = watt::test::client(w.cli, "listener");
  bool heard = false;
  listener.subscribe("marker", [&](const watt::Envelope&) { heard = true; });
  REQUIRE(listener.sync());
  CHECK(w.cli.watt({"publish", "marker", R"({"after": "the flood"})"}).code == 0);
  // So do the clients that read.
  CHECK(reader.read_until("the flood").has_value());
  CHECK(listener.spin_until([&] { return heard; }, std::chrono::seconds(10)));
  // What the stalled ones could not take was dropped and counted, and their
  // queues are bounded: the agent's memory stays well under 500 × 2 MiB.
  json stats;
  CHECK(watt::test::eventually([&] {
    stats = json::parse(http.as(ann, "GET", "/api/web").body);
    return stats.at("dropped").get<std::uint64_t>() > 0;
  }));
  CHECK(stats.at("websockets") == 501);
  const auto agent = json::parse(http.as(ann, "GET", "/api/agents/web").body);
  MESSAGE("web agent: ", agent.at("rss_bytes").get<std::uint64_t>() >> 20, " MiB with 500 stalled clients, ",
          stats.at("dropped").get<std::uint64_t>(), " frames dropped");
#if !defined(__SANITIZE_ADDRESS__)
  // (AddressSanitizer keeps freed memory in quarantine: there the bound says nothing.)
  CHECK(agent.at("rss_bytes").get<std::uint64_t>() < (400ULL << 20));
#endif
}
