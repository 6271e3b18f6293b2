// What an allow-list entry lets a peer claim, publish, call and subscribe to,
// and how auth.yml is read: entries from before subscribe grants existed.
#include "broker/allow_list.hpp"

#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace watt::broker;

TEST_CASE("allow list: a subscription is granted only within a subscribe pattern") {
  AuthEntry e;
  e.subscribe = {"devices/lab", "alerts/+/disk"};
  CHECK(may_subscribe(e, "devices/lab"));
  CHECK(may_subscribe(e, "devices/lab/#"));
  CHECK(may_subscribe(e, "devices/lab/m1/+"));
  CHECK(may_subscribe(e, "alerts/historian/disk/full"));
  CHECK(may_subscribe(e, "alerts/+/disk"));
  CHECK_FALSE(may_subscribe(e, "#"));
  CHECK_FALSE(may_subscribe(e, ""));  // "#" as the broker keeps it
  CHECK_FALSE(may_subscribe(e, "devices"));
  CHECK_FALSE(may_subscribe(e, "devices/+"));  // reaches devices/plant too
  CHECK_FALSE(may_subscribe(e, "devices/lab2"));
  CHECK_FALSE(may_subscribe(e, "alerts/+"));
  CHECK_FALSE(may_subscribe(AuthEntry{}, "devices/lab"));  // no grant, no subscription
  e.subscribe = {"#"};
  CHECK(may_subscribe(e, "#"));
  CHECK(may_subscribe(e, ""));
  CHECK(may_subscribe(e, "+/x"));
}

TEST_CASE("allow list: an identity may be claimed by name, by a prefix and '*', or by '*' alone") {
  AuthEntry e;
  e.identities = {"meter1", "watt-cli-*"};
  CHECK(may_claim(e, "meter1"));
  CHECK(may_claim(e, "watt-cli-4711"));
  CHECK(may_claim(e, "watt-cli-"));
  CHECK_FALSE(may_claim(e, "meter12"));
  CHECK_FALSE(may_claim(e, "watt-cl"));
  CHECK_FALSE(may_claim(e, "platform"));
  e.identities = {"*"};
  CHECK(may_claim(e, "platform.control"));

  e.name = "cli";
  e.key = std::string(40, 'a');
  for (const char* bad : {"watt*cli", "**", ".hidden*", "bad id*"}) {
    e.identities = {bad};
    CHECK_MESSAGE(!auth_entry_error(e).empty(), bad);
  }
  e.identities = {"watt-cli-*"};
  CHECK(auth_entry_error(e).empty());
  e.subscribe = {"devices/#/x"};
  CHECK(auth_entry_error(e).find("subscribe") == 0);
}

TEST_CASE("allow list: an entry written before subscribe grants existed keeps its agent's, not a key's") {
  watt::test::TempDir dir("allow-list");
  const auto file = dir.path() / "auth.yml";
  std::ofstream(file) << "entries:\n"
                         "  - {name: m1, key: '', local: true, identities: [m1], publish: ['#'], call: ['#']}\n"
                         "  - {name: node1, key: '"
                      << std::string(40, 'k') << "', local: false, identities: [node1], publish: [x], call: []}\n";
  const auto list = AllowList::load(file);
  REQUIRE(list.by_name("m1") != nullptr);
  CHECK(list.by_name("m1")->subscribe == std::vector<std::string>{"#"});
  REQUIRE(list.by_name("node1") != nullptr);
  CHECK(list.by_name("node1")->subscribe.empty());
  // Written back, the grant is explicit and read the same.
  list.save(file);
  CHECK(AllowList::load(file).by_name("node1")->subscribe.empty());
  CHECK(AllowList::load(file).by_name("m1")->subscribe == std::vector<std::string>{"#"});
}
