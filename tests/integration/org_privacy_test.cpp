// Organizations on a real platform: made from the command line and a file,
// kept over a restart, and their topics guarded by the broker against raw
// clients that say whatever they like.
#include "cli.hpp"
#include "raw_peer.hpp"

#include <doctest/doctest.h>

#include <fstream>

using watt::proto::Kind;
using watt::test::RawPeer;

namespace {

const char* const hierarchy = R"(organizations:
  - {name: disco, kind: disco, ip: disco-ip, dms: disco-dms}
  - {name: a1, kind: aggregator, parent: disco, ip: a1-ip, children: [e1, e2]}
  - {name: e1, kind: end-user, ip: e1-ip, pe: e1-pe, dms: e1-dms}
  - {name: e2, kind: end-user, ip: e2-ip, pe: e2-pe, dms: e2-dms}
)";

void start_with_orgs(const watt::test::Cli& cli) {
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto file = cli.home().path() / "orgs-in.yml";
  std::ofstream(file) << hierarchy;
  const auto applied = cli.watt({"org", "apply", file.string()});
  REQUIRE_MESSAGE(applied.code == 0, applied.err);
}

// Publishes are not acknowledged: one that is allowed shows at its
// subscribers, one that is refused as an error to its publisher.
void publish(RawPeer& p, const std::string& id, const std::string& topic) {
  p.send(Kind::publish, topic, id, {}, "\x01");
}

// The error code a publish gets back; deliveries on the way are passed over.
std::string refusal(RawPeer& p, const std::string& id, const std::string& topic) {
  publish(p, id, topic);
  for (;;) {
    const auto m = p.receive();
    if (m.kind == Kind::error) return m.code;
  }
}

std::pair<Kind, std::string> subscribe(RawPeer& p, const std::string& id, const std::string& pattern) {
  return p.ask(Kind::subscribe, pattern, id, {});
}

// The next delivery on the topics this test publishes (the platform's own,
// such as heartbeats, are passed over).
std::string next_topic(RawPeer& p) {
  for (;;) {
    const auto m = p.receive();
    if (m.kind == Kind::deliver && (m.address.starts_with("org/") || m.address.starts_with("public/")))
      return m.address;
  }
}

RawPeer peer(const watt::test::Cli& cli, const std::string& id) {
  RawPeer p(watt::test::address(cli));
  REQUIRE(p.hello(id).first == Kind::welcome);
  return p;
}

}  // namespace

TEST_CASE("a non-member can neither read nor write an organization's topics") {
  watt::test::Cli cli;
  start_with_orgs(cli);
  auto stranger = peer(cli, "stranger");
  auto dms = peer(cli, "e1-dms");
  auto pe = peer(cli, "e1-pe");
  CHECK(subscribe(stranger, "stranger", "org/e1/#") == std::pair{Kind::error, std::string("unauthorized")});
  CHECK(subscribe(stranger, "stranger", "org/e1/forecast/load") == std::pair{Kind::error, std::string("unauthorized")});
  CHECK(refusal(stranger, "stranger", "org/e1/forecast/load") == "unauthorized");
  CHECK(refusal(stranger, "stranger", "org/nobody/x") == "unauthorized");
  // A pattern that spans everything is taken, and filtered as it delivers:
  // the member's private message never reaches the stranger, the public one
  // after it does.
  REQUIRE(subscribe(stranger, "stranger", "#").first == Kind::ack);
  REQUIRE(subscribe(pe, "e1-pe", "org/e1/#").first == Kind::ack);
  publish(dms, "e1-dms", "org/e1/decision/schedule");
  publish(dms, "e1-dms", "public/marker");
  CHECK(next_topic(stranger) == "public/marker");
  CHECK(next_topic(pe) == "org/e1/decision/schedule");
}

TEST_CASE("only an organization's information provider speaks to another organization") {
  watt::test::Cli cli;
  start_with_orgs(cli);
  auto dms = peer(cli, "e1-dms");
  auto ip = peer(cli, "e1-ip");
  auto agg = peer(cli, "a1-ip");
  // A member that is not the IP writes nowhere outside its organization.
  CHECK(refusal(dms, "e1-dms", "org/a1/inbox/e1/offer") == "unauthorized");
  CHECK(refusal(dms, "e1-dms", "org/e2/decision/schedule") == "unauthorized");
  CHECK(refusal(dms, "e1-dms", "org/a1/members") == "unauthorized");
  // Nor reads its own organization's inbox.
  CHECK(subscribe(dms, "e1-dms", "org/e1/inbox/#").second == "unauthorized");
  // The IP writes to another's inbox under its own name only.
  CHECK(refusal(ip, "e1-ip", "org/a1/inbox/e2/offer") == "unauthorized");
  REQUIRE(subscribe(agg, "a1-ip", "org/a1/inbox/#").first == Kind::ack);
  publish(ip, "e1-ip", "org/a1/inbox/e1/offer");
  CHECK(next_topic(agg) == "org/a1/inbox/e1/offer");
  // What the aggregator sends to e1's inbox reaches e1's IP, not its members.
  REQUIRE(subscribe(ip, "e1-ip", "org/e1/inbox/#").first == Kind::ack);
  REQUIRE(subscribe(dms, "e1-dms", "org/e1/#").first == Kind::ack);
  publish(agg, "a1-ip", "org/e1/inbox/a1/price");
  publish(agg, "a1-ip", "org/a1/inbox/a1/marker");
  CHECK(next_topic(ip) == "org/e1/inbox/a1/price");
  publish(ip, "e1-ip", "org/e1/status");
  CHECK(next_topic(dms) == "org/e1/status");
}

TEST_CASE("organizations survive a restart, and a change reaches the broker at once") {
  watt::test::Cli cli;
  start_with_orgs(cli);
  REQUIRE(cli.watt({"platform", "stop"}).code == 0);
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto show = cli.watt({"org", "show", "disco"});
  REQUIRE(show.code == 0);
  CHECK(show.out.find("└── a1 (aggregator)  ip a1-ip") != std::string::npos);
  CHECK(show.out.find("    ├── e1 (end-user)  ip e1-ip, pe e1-pe, dms e1-dms") != std::string::npos);
  auto newcomer = peer(cli, "e1-meter");
  auto pe = peer(cli, "e1-pe");
  REQUIRE(subscribe(pe, "e1-pe", "org/e1/measure/#").first == Kind::ack);
  CHECK(refusal(newcomer, "e1-meter", "org/e1/measure/load") == "unauthorized");
  REQUIRE(cli.watt({"org", "add", "e1", "e1-meter", "--role", "member"}).code == 0);
  publish(newcomer, "e1-meter", "org/e1/measure/load");
  CHECK(next_topic(pe) == "org/e1/measure/load");
  REQUIRE(cli.watt({"org", "remove", "e1", "e1-meter"}).code == 0);
  CHECK(refusal(newcomer, "e1-meter", "org/e1/measure/load") == "unauthorized");
}

TEST_CASE("bad organization files are refused naming the organization and field, and change nothing") {
  watt::test::Cli cli;
  start_with_orgs(cli);
  const auto refused = [&](const std::string& text) {
    const auto file = cli.home().path() / "bad.yml";
    std::ofstream(file) << text;
    const auto r = cli.watt({"org", "apply", file.string()});
    CHECK(r.code != 0);
    return r.err;
  };
  CHECK(refused("organizations:\n  - {name: x, kind: utility, ip: x-ip}\n")
            .find("organization 'x': kind: unknown kind 'utility'") != std::string::npos);
  CHECK(refused("organizations:\n  - {name: x, kind: end-user, pe: x-pe}\n").find("organization 'x': ip: missing") !=
        std::string::npos);
  CHECK(refused("organizations:\n  - {name: p, kind: aggregator, parent: q, ip: p-ip}\n"
                "  - {name: q, kind: aggregator, parent: p, ip: q-ip}\n")
            .find("a cycle") != std::string::npos);
  CHECK(refused("organizations:\n  - {name: a2, kind: aggregator, parent: disco, ip: a2-ip, children: [e1]}\n")
            .find("organization 'a2': children: no organization 'e1' in this file") != std::string::npos);
  CHECK(refused("organizations:\n  - {name: a2, kind: aggregator, parent: disco, ip: a2-ip, children: [e9]}\n"
                "  - {name: a3, kind: aggregator, parent: disco, ip: a3-ip, children: [e9]}\n"
                "  - {name: e9, kind: end-user, ip: e9-ip}\n")
            .find("organization 'e9': listed under both 'a2' and 'a3'") != std::string::npos);
  CHECK(refused("organizations:\n  - {name: e3, kind: end-user, parent: e1, ip: e3-ip}\n").find("cannot hold") !=
        std::string::npos);
  CHECK(refused("organizations:\n  - {name: e3, kind: end-user, ip: e1-ip}\n").find("already the ip of") !=
        std::string::npos);
  CHECK(refused("organizations:\n  - {name: e3, kind: end-user, ip: e3-ip, colour: blue}\n")
            .find("unknown key 'colour'") != std::string::npos);
  CHECK(refused("organizations: [").find("not YAML") != std::string::npos);
  CHECK(cli.watt({"org", "list"}).out.find("e3") == std::string::npos);
}
