// The organization hierarchy's rules, and what it lets each identity do on
// the bus.
#include <watt/error.hpp>
#include <watt/platform/org_access.hpp>
#include <watt/platform/org_tree.hpp>

#include <doctest/doctest.h>

#include <functional>

using watt::platform::OrgAccess;
using watt::platform::OrgTree;

namespace {

OrgTree small_tree() {
  OrgTree t;
  t.create("disco", "disco", "");
  t.create("a1", "aggregator", "disco");
  t.create("e1", "end-user", "a1");
  t.create("e2", "end-user", "a1");
  t.add("disco", "d-ip", "ip");
  t.add("a1", "a1-ip", "ip");
  t.add("e1", "e1-ip", "ip");
  t.add("e1", "e1-dms", "dms");
  t.add("e2", "e2-ip", "ip");
  return t;
}

std::string refusal(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const watt::Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("an organization tree keeps kinds in order, one parent each and one speaker per organization") {
  auto t = small_tree();
  CHECK(t.children("a1") == std::vector<std::string>{"e1", "e2"});
  CHECK(refusal([&] { t.create("a2", "aggregator", "e1"); }).find("cannot hold an aggregator") != std::string::npos);
  CHECK(refusal([&] { t.create("x", "retailer", ""); }).find("unknown kind 'retailer'") != std::string::npos);
  CHECK(refusal([&] { t.create("e1", "end-user", "a1"); }).find("exists") != std::string::npos);
  CHECK(refusal([&] { t.create("bad/name", "end-user", "a1"); }).find("name") != std::string::npos);
  CHECK(refusal([&] { t.create("e3", "end-user", "a9"); }).find("parent 'a9' does not exist") != std::string::npos);
  CHECK(refusal([&] { t.add("e2", "e1-ip", "ip"); }).find("already the ip of 'e1'") != std::string::npos);
  CHECK(refusal([&] { t.add("e2", "x", "boss"); }).find("unknown role 'boss'") != std::string::npos);
  CHECK(refusal([&] { t.remove("a1"); }).find("still holds 'e1' and 1 more") != std::string::npos);
  // A new holder of a single role replaces the old one.
  t.add("e1", "e1-dms2", "dms");
  CHECK(t.find("e1")->holder("dms") == "e1-dms2");
  CHECK(t.find("e1")->members.size() == 2);
  t.remove_member("e1", "e1-dms2");
  CHECK(t.find("e1")->holder("dms").empty());
  CHECK(t.error().empty());
}

TEST_CASE("an organization file round-trips, and a cycle in it is named") {
  const auto t = small_tree();
  const auto again = OrgTree::parse(t.to_yaml(), "saved", false);
  REQUIRE(again.orgs().size() == t.orgs().size());
  for (const auto& [name, o] : t.orgs()) {
    CHECK(again.find(name)->parent == o.parent);
    CHECK(again.find(name)->members.size() == o.members.size());
  }
  auto cyclic = OrgTree::parse(
      "organizations:\n  - {name: p, kind: aggregator, parent: q, ip: p-ip}\n"
      "  - {name: q, kind: aggregator, parent: p, ip: q-ip}\n",
      "f.yml");
  CHECK(cyclic.error().find("a cycle through") != std::string::npos);
  OrgTree empty;
  CHECK(refusal([&] { empty.apply(cyclic); }).find("a cycle") != std::string::npos);
  CHECK(empty.orgs().empty());
}

TEST_CASE("organization topics: members inside, information providers between") {
  const OrgAccess access(small_tree());
  CHECK(access.publish_error("anyone", "devices/meter1/power").empty());
  CHECK(access.publish_error("e1-dms", "org/e1/decision").empty());
  CHECK(access.publish_error("e1-ip", "org/e1/in/a1/trade/round").empty());
  CHECK(access.publish_error("e1-dms", "org/e1/in/a1/trade/round").find("only the information provider") == 0);
  CHECK(access.publish_error("e1-dms", "org/e1/record/measure/load").find("writes its record/") != std::string::npos);
  CHECK(!access.publish_error("e2-ip", "org/e1/decision").empty());
  CHECK(!access.publish_error("e1-dms", "org/a1/inbox/e1/offer").empty());
  CHECK(access.publish_error("e1-ip", "org/a1/inbox/e1/offer").empty());
  CHECK(access.publish_error("e1-ip", "org/a1/inbox/e2/offer").find("writes for 'e1'") != std::string::npos);
  CHECK(access.publish_error("e1-ip", "org/a1/inbox").find("writes for 'e1'") != std::string::npos);
  CHECK(access.publish_error("e1-ip", "org/zz/inbox/e1/x").find("no organization 'zz'") != std::string::npos);
  CHECK(access.subscribe_error("e1-dms", "org/e1/#").empty());
  CHECK(access.subscribe_error("stranger", "org/+/decision").empty());  // filtered as delivered
  CHECK(access.subscribe_error("stranger", "#").empty());
  CHECK(!access.subscribe_error("stranger", "org/e1/#").empty());
  CHECK(!access.subscribe_error("e1-dms", "org/e1/inbox/#").empty());
  CHECK(access.subscribe_error("e1-ip", "org/e1/inbox/#").empty());
  CHECK(access.may_read("e1-dms", "org/e1/decision"));
  CHECK(!access.may_read("e1-dms", "org/e1/inbox/a1/price"));
  CHECK(access.may_read("e1-ip", "org/e1/inbox/a1/price"));
  CHECK(!access.may_read("stranger", "org/e1/decision"));
  CHECK(access.may_read("stranger", "organization/news"));
}
