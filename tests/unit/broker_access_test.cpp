// Who may connect over TCP (the ZAP handler) and the broker's own methods,
// without sockets.
#include "broker/own_methods.hpp"
#include "broker/zap_handler.hpp"

#include "temp_dir.hpp"

#include <watt/value.hpp>

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <zmq.h>

#include <array>
#include <fstream>

namespace {

using namespace watt::broker;
namespace proto = watt::proto;

struct Key {
  std::string public_z85;
  std::array<std::uint8_t, 32> public_bytes{};
  Key() {
    char pub[41] = {}, sec[41] = {};
    REQUIRE(zmq_curve_keypair(pub, sec) == 0);
    public_z85 = pub;
    REQUIRE(zmq_z85_decode(public_bytes.data(), pub) != nullptr);
  }
};

std::vector<zmq::message_t> zap_request(std::string_view mechanism, const void* credentials, std::size_t size) {
  std::vector<zmq::message_t> r;
  for (std::string_view part : {"1.0", "7", "watt", "127.0.0.1", ""}) r.emplace_back(part.data(), part.size());
  r.emplace_back(mechanism.data(), mechanism.size());
  r.emplace_back(credentials, size);
  return r;
}

AuthEntry entry(const std::string& name, const std::string& key) {
  AuthEntry e;
  e.name = name;
  e.key = key;
  e.identities = {"meter1"};
  return e;
}

}  // namespace

TEST_CASE("zap: a key on the allow-list is accepted under its entry's name, others are refused and counted") {
  Key known, stranger;
  AllowList allow;
  allow.put(entry("meter-key", known.public_z85));
  BrokerStats stats;
  ZapHandler zap(allow, stats, std::make_shared<spdlog::logger>("zap-test"));

  auto a = zap.check(zap_request("CURVE", known.public_bytes.data(), 32));
  CHECK(a.status == "200");
  CHECK(a.user == "meter-key");

  a = zap.check(zap_request("CURVE", stranger.public_bytes.data(), 32));
  CHECK(a.status == "400");
  CHECK(a.text == "key not on the allow-list");
  CHECK(stats.rejected == 1);

  // Another mechanism, a short key, a short request: refused.
  CHECK(zap.check(zap_request("PLAIN", known.public_bytes.data(), 32)).status == "400");
  CHECK(zap.check(zap_request("CURVE", known.public_bytes.data(), 31)).status == "400");
  CHECK(zap.check({}).status == "400");

  // The list is read at every request: a removed entry is refused at once.
  CHECK(allow.remove("meter-key"));
  CHECK(zap.check(zap_request("CURVE", known.public_bytes.data(), 32)).status == "400");
}

TEST_CASE("own methods: stats counts peers, subscriptions and what waits") {
  BrokerConfig config;
  AllowList allow;
  watt::platform::OrgAccess orgs;
  PeerTable peers;
  SubscriptionIndex subscriptions;
  BrokerStats stats;
  stats.received = 7;
  OwnMethods methods(config, allow, orgs, peers, subscriptions, stats);
  Peer& a = peers.add("La", "alpha", 1);
  (void)subscriptions.subscribe(a, "x/#", false);
  a.queue.push({});
  proto::Header request;
  request.id = 42;
  request.method = "stats";
  const auto answer = methods.serve(a, request);
  REQUIRE(answer.kind == proto::Kind::response);
  CHECK(answer.id == 42);
  const auto s = msgpack::unpack(answer.body.data(), answer.body.size()).get().as<BrokerStats>();
  CHECK(s.received == 7);
  CHECK(s.peers == 1);
  CHECK(s.subscriptions == 1);
  CHECK(s.queued == 1);
}

TEST_CASE("own methods: reload_auth rereads the file for local peers only") {
  watt::test::TempDir dir("own-methods");
  BrokerConfig config;
  config.auth_file = dir.file("auth.yml");
  AllowList allow;
  watt::platform::OrgAccess orgs;
  PeerTable peers;
  SubscriptionIndex subscriptions;
  BrokerStats stats;
  OwnMethods methods(config, allow, orgs, peers, subscriptions, stats);
  Key k;
  AllowList on_disk;
  on_disk.put(entry("meter-key", k.public_z85));
  on_disk.save(config.auth_file);

  Peer& local = peers.add("Lc", "platform.control", 1);
  Peer& remote = peers.add("Tm", "meter1", 2);
  remote.auth_name = "meter-key";
  proto::Header request;
  request.method = "reload_auth";

  // A TCP peer (one with an entry) may not: the method does not exist for it.
  auto answer = methods.serve(remote, request);
  CHECK(answer.kind == proto::Kind::error);
  CHECK(answer.code == "unknown_method");
  CHECK(stats.request_errors == 1);

  int reloaded = 0;
  methods.on_reload([&] { ++reloaded; });
  answer = methods.serve(local, request);
  REQUIRE(answer.kind == proto::Kind::response);
  CHECK(watt::Value::from_msgpack(answer.body).as<int>() == 1);
  CHECK(reloaded == 1);  // the broker then holds every peer to its new entry
  REQUIRE(allow.by_name("meter-key") != nullptr);

  // A broken file is an error answer naming it, and the old list stays.
  std::ofstream(config.auth_file) << "entries: [\n";
  answer = methods.serve(local, request);
  CHECK(answer.kind == proto::Kind::error);
  CHECK(answer.message.find("auth.yml") != std::string::npos);
  CHECK(allow.entries().size() == 1);
  CHECK(reloaded == 1);
}
