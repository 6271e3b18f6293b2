// The serial bridge end to end: a real wattd, the bridge agent as its own
// process, and the test playing the nodes on pty masters (the bridge opens
// the slaves through symlinks, as /dev/serial/by-id does for USB adapters).
#include "serial_lab.hpp"

#include <sys/types.h>

using namespace std::chrono_literals;
using nlohmann::json;
using watt::test::agent_pid;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;
using watt::test::lib;
namespace fs = std::filesystem;
namespace ws = watt::serial;
using namespace watt::test::serial_lab;

namespace {

long threads_of(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("Threads:")) return std::stol(line.substr(8));
  return -1;
}

}  // namespace

TEST_CASE(
    "serial bridge maps a node's pubs under its prefix and the lab's Data/role/node template, and refuses absolute "
    "ones unless allowed") {
  Lab lab;
  auto& n1 = lab.add_node("n1");
  auto& c1 = lab.add_node("consumer1");
  lab.install("bridge", "lab: lab1\n" + test_defaults + "ports:\n  - {device: " + n1.device().string() +
                            ", node: n1, role: meter, allow_publish: ['shared/{node}/#']}\n");
  lab.install("thesis", "lab: lab1\nprefix: 'Data/{role}/{node}'\n" + test_defaults +
                            "ports:\n  - {device: " + c1.device().string() + ", node: consumer1, role: consumer}\n");
  REQUIRE(
      lab.until([&] { return lab.link_is("devices/lab1/n1", "up") && lab.link_is("Data/consumer/consumer1", "up"); }));

  n1.send(R"({"pub": "power", "body": 1.5})");
  n1.send(R"({"pub": "meter/all", "body": {"kw": 2, "kvar": [1, 2]}})");
  c1.send(R"({"pub": "", "body": {"demand": 4.25}})");
  n1.send(R"({"pub": "/shared/n1/x", "body": "ok"})");
  n1.send(R"({"pub": "/elsewhere/x", "body": 0})");
  n1.send(R"({"pub": "link", "body": 0})");
  n1.send(R"({"pub": "link/x", "body": 0})");
  n1.send(R"({"pub": "urgent", "body": 1, "priority": 5})");
  n1.send(R"({"pub": "urgent", "body": 2, "priority": 101})");
  n1.send(R"({"sub": "x", "priority": 5})");
  n1.send(R"({"pub": "marker", "body": 1})");
  REQUIRE(lab.until([&] { return lab.last_on("devices/lab1/n1/marker") && lab.last_on("Data/consumer/consumer1"); }));
  CHECK(lab.body_on("devices/lab1/n1/power") == 1.5);
  CHECK(lab.last_on("devices/lab1/n1/power")->sender == "bridge");
  CHECK(lab.last_on("devices/lab1/n1/power")->priority == 50);  // the bus default
  CHECK(lab.body_on("devices/lab1/n1/urgent") == 1);
  CHECK(lab.last_on("devices/lab1/n1/urgent")->priority == 5);
  CHECK(lab.body_on("devices/lab1/n1/meter/all") == json::parse(R"({"kw": 2, "kvar": [1, 2]})"));
  CHECK(lab.body_on("Data/consumer/consumer1") == json::parse(R"({"demand": 4.25})"));
  CHECK(lab.last_on("Data/consumer/consumer1")->sender == "thesis");
  CHECK(lab.body_on("shared/n1/x") == "ok");
  CHECK(lab.last_on("elsewhere/x") == nullptr);
  CHECK(lab.body_on("devices/lab1/n1/link")["state"] == "up");  // the node cannot forge it
  CHECK(lab.last_on("devices/lab1/n1/link/x") == nullptr);      // nor anything below it

  REQUIRE(lab.until([&] { return !n1.error_for("may not publish to 'elsewhere/x'").is_null(); }));
  CHECK(n1.error_for("may not publish")["for"] == json::parse(R"({"pub": "/elsewhere/x", "body": 0})"));
  CHECK(!n1.error_for("'link' and all below it are the bridge's topics").is_null());
  const auto st = lab.status("bridge");
  REQUIRE(st.size() == 1);
  CHECK(st[0]["node"] == "n1");
  CHECK(st[0]["prefix"] == "devices/lab1/n1");
  CHECK(st[0]["state"] == "up");
  CHECK(st[0]["counters"]["published"] == 5);
  CHECK(st[0]["refused"]["bad priority"] == 1);
  CHECK(st[0]["refused"]["priority without pub"] == 1);
  CHECK(st[0]["refused"]["publish not allowed"] == 1);
  CHECK(st[0]["refused"]["reserved topic"] == 2);
}

TEST_CASE("serial bridge delivers bus messages to a node for its sub requests and its static subscriptions") {
  Lab lab;
  auto& n1 = lab.add_node("n1");
  lab.install("bridge", "lab: lab1\n" + test_defaults + "ports:\n  - {device: " + n1.device().string() +
                            ", node: n1, subscribe: ['devices/{lab}/{node}/set'], allow_subscribe: ['prices/#']}\n");
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "up"); }));
  auto pub = client(lab.cli, "tester");

  n1.send(R"({"sub": "set"})");  // its static subscription already: nothing changes
  n1.send(R"({"sub": "/prices/+"})");
  n1.send(R"({"sub": "/secret"})");
  REQUIRE(lab.until([&] { return !n1.error_for("may not subscribe to 'secret'").is_null(); }));
  REQUIRE(lab.status("bridge").size() == 1);
  CHECK(lab.status("bridge")[0]["subscriptions"].size() == 2);
  pub.publish("prices/rt", 42.5);
  pub.publish("secret", 1);
  pub.publish("devices/lab1/n1/set", std::map<std::string, double>{{"p", 3}});
  REQUIRE(pub.sync());
  REQUIRE(lab.until(
      [&] { return !n1.find("topic", "prices/rt").is_null() && !n1.find("topic", "devices/lab1/n1/set").is_null(); }));
  CHECK(n1.find("topic", "prices/rt") == json::parse(R"({"topic": "prices/rt", "sender": "tester", "body": 42.5})"));
  CHECK(n1.find("topic", "devices/lab1/n1/set")["body"] == json::parse(R"({"p": 3})"));
  CHECK(n1.find("topic", "secret").is_null());
  CHECK(lab.status("bridge")[0]["counters"]["delivered"] == 2);  // each once

  // After unsub, prices no longer come; the static subscription stays.
  n1.send(R"({"unsub": "/prices/+"})");
  REQUIRE(lab.until([&] {
    const auto st = lab.status("bridge");
    return st.size() == 1 && st[0]["subscriptions"].size() == 1;
  }));
  pub.publish("prices/rt", 43.5);
  pub.publish("devices/lab1/n1/set", std::string("after"));
  REQUIRE(pub.sync());
  REQUIRE(lab.until([&] { return !n1.find("body", "after").is_null(); }));
  CHECK(n1.find("body", 43.5).is_null());
}

TEST_CASE("serial bridge carries 16 ports on the lab's Data/role/node template without a thread per port") {
  Lab lab;
  for (int i = 1; i <= 16; ++i) lab.add_node((i <= 8 ? "consumer" : "generator") + std::to_string(i <= 8 ? i : i - 8));
  const std::string head = "lab: lab16\nprefix: 'Data/{role}/{node}'\n" + test_defaults;
  std::string ports = "ports:\n";
  for (std::size_t i = 0; i < 16; ++i)
    ports += "  - {device: " + lab.nodes[i]->device().string() + ", node: " + lab.nodes[i]->name() +
             ", role: " + (i < 8 ? "consumer" : "generator") + "}\n";
  lab.install("lab16", head + ports);
  lab.add_node("single");
  lab.install("one", "lab: lab16\n" + test_defaults + ports_yaml(lab.nodes, 16, 17));
  REQUIRE(lab.until([&] {
    if (!lab.link_is("devices/lab16/single", "up")) return false;
    for (std::size_t i = 0; i < 16; ++i)
      if (!lab.link_is(std::string("Data/") + (i < 8 ? "consumer/" : "generator/") + lab.nodes[i]->name(), "up"))
        return false;
    return true;
  }));
  for (std::size_t i = 0; i < 16; ++i) lab.nodes[i]->send(R"({"pub": "", "body": )" + std::to_string(i) + "}");
  REQUIRE(lab.until([&] {
    for (std::size_t i = 0; i < 16; ++i)
      if (!lab.last_on(std::string("Data/") + (i < 8 ? "consumer/" : "generator/") + lab.nodes[i]->name()))
        return false;
    return true;
  }));
  for (std::size_t i = 0; i < 16; ++i) {
    const auto topic = std::string("Data/") + (i < 8 ? "consumer/" : "generator/") + lab.nodes[i]->name();
    CAPTURE(topic);
    CHECK(lab.body_on(topic) == static_cast<int>(i));
    CHECK(lab.last_on(topic)->sender == "lab16");
  }
  CHECK(lab.last_on("Data/consumer/consumer1") != nullptr);

  const long many = agent_pid(lab.cli, "lab16");
  const long single = agent_pid(lab.cli, "one");
  REQUIRE(many > 0);
  REQUIRE(single > 0);
  CHECK(threads_of(many) == threads_of(single));
  // Health travels with the heartbeats, so it shows a little later.
  CHECK(lab.until([&] { return lab.agent_status("lab16").find("16 of 16 nodes up") != std::string::npos; }));
}

TEST_CASE("serial bridge: an unplugged node goes down and BAD, a replugged one comes back up and GOOD") {
  Lab lab;
  auto& n1 = lab.add_node("n1");
  auto& n2 = lab.add_node("n2");
  lab.install("bridge",
              "lab: lab1\n" + test_defaults + ports_yaml(lab.nodes, 0, 2, "meter", "subscribe: ['cmd/{node}']"));
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "up") && lab.link_is("devices/lab1/n2", "up"); }));
  REQUIRE(lab.until([&] { return lab.agent_status("bridge").find("GOOD") != std::string::npos; }));

  n1.unplug();
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "down"); }));
  CHECK(lab.body_on("devices/lab1/n1/link")["reason"].get<std::string>() != "");
  REQUIRE(lab.until([&] {
    const auto s = lab.agent_status("bridge");
    return s.find("BAD") != std::string::npos && s.find("down: n1 (") != std::string::npos;
  }));
  CHECK(lab.link_is("devices/lab1/n2", "up"));
  n2.send(R"({"pub": "power", "body": 7})");
  REQUIRE(lab.until([&] { return lab.body_on("devices/lab1/n2/power") == 7; }));

  n1.plug();
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "up"); }));
  REQUIRE(lab.until([&] { return lab.agent_status("bridge").find("GOOD") != std::string::npos; }));
  n1.send(R"({"pub": "power", "body": 8})");
  REQUIRE(lab.until([&] { return lab.body_on("devices/lab1/n1/power") == 8; }));
  auto pub = client(lab.cli, "tester");
  pub.publish("cmd/n1", std::string("on"));
  REQUIRE(pub.sync());
  REQUIRE(lab.until([&] { return !n1.find("topic", "cmd/n1").is_null(); }));
  CHECK(lab.status("bridge")[0]["counters"]["opens"].get<int>() >= 2);
}

TEST_CASE("serial bridge counts garbage and bad requests from one node and serves the others") {
  Lab lab;
  auto& n1 = lab.add_node("n1");
  auto& n2 = lab.add_node("n2");
  lab.install("bridge", "lab: lab1\n" + test_defaults + ports_yaml(lab.nodes, 0, 2));
  REQUIRE(lab.until([&] { return lab.link_is("devices/lab1/n1", "up") && lab.link_is("devices/lab1/n2", "up"); }));

  n1.write_raw({0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x00, 0xFF, 0xFE, 0x00, 0x00});        // a bad CRC, bad COBS
  n1.send("42");                                                                           // not a map
  n1.send(R"({"pub": "x", "colour": 1})");                                                 // unknown key
  n1.send(R"({"pub": "x", "sub": "y"})");                                                  // two operations
  n1.send(R"({"pub": "a//b", "body": 1})");                                                // not a topic
  n1.send(R"({"sub": "x", "body": 1})");                                                   // body without pub
  n1.send_frame(ws::FrameType::data, {0xC1});                                              // not msgpack
  n1.send_frame(ws::FrameType::data, {0x81, 0xA3, 'p', 'u', 'b', 0xA1, 'x', 0xC0, 0xC0});  // trailing bytes
  n2.send(R"({"pub": "power", "body": 2})");
  n1.send(R"({"pub": "power", "body": 1})");
  REQUIRE(lab.until([&] { return lab.last_on("devices/lab1/n1/power") && lab.last_on("devices/lab1/n2/power"); }));
  CHECK(lab.body_on("devices/lab1/n2/power") == 2);
  CHECK(lab.last_on("devices/lab1/n1/x") == nullptr);

  REQUIRE(lab.until([&] { return n1.received().size() >= 7; }));
  CHECK(!n1.error_for("unknown key 'colour'").is_null());
  CHECK(n1.error_for("unknown key")["for"] == json::parse(R"({"pub": "x", "colour": 1})"));
  CHECK(!n1.error_for("not msgpack").is_null());
  CHECK(n2.received().empty());

  const auto st = lab.status("bridge");
  REQUIRE(st.size() == 2);
  const json refused = st[0]["refused"];
  CHECK(refused["not a map"] == 1);
  CHECK(refused["unknown key"] == 1);
  CHECK(refused["two operations"] == 1);
  CHECK(refused["bad topic"] == 1);
  CHECK(refused["body without pub"] == 1);
  CHECK(refused["not msgpack"] == 1);
  CHECK(refused["trailing bytes"] == 1);
  CHECK(st[0]["counters"]["rx_bad_crc"].get<int>() + st[0]["counters"]["rx_bad_cobs"].get<int>() >= 1);
  CHECK(st[0]["counters"]["published"] == 1);
  CHECK(st[1]["refused"].empty());
  CHECK(st[1]["counters"]["published"] == 1);
  CHECK(st[0]["state"] == "up");
  REQUIRE(lab.until([&] { return lab.cli.log("bridge").find("node n1: refused (unknown key)") != std::string::npos; }));
}

TEST_CASE("serial bridge refuses a bad configuration with the port and field named") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const std::string d = (cli.home().path() / "tty").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1}\n  - {device: " + d + "B, node: n1}\n",
       "ports[1].node: duplicate node 'n1'"},
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1}\n  - {device: " + d + "A, node: n2}\n",
       "ports[1].device: duplicate device"},
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1, baudrate: 9600}\n", "ports[0]: unknown key 'baudrate'"},
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1, parity: mark}\n",
       "ports[0].parity must be none, even or odd"},
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1, baud: 12345}\n", "ports[0]: "},
      {"lab: l\nprefix: 'Data/{room}/{node}'\nports:\n  - {device: " + d + "A, node: n1}\n",
       "unknown placeholder '{room}'"},
      {"lab: l\nports:\n  - {device: " + d + "A, node: n1, subscribe: ['a/#/b']}\n", "ports[0].subscribe[0]"},
      {"ports:\n  - {device: " + d + "A, node: n1}\n", "'lab' is required"},
  };
  int k = 0;
  for (const auto& [config, message] : cases) {
    CAPTURE(config);
    const std::string id = "bad" + std::to_string(k++);
    const auto file = cli.home().path() / (id + ".yml");
    std::ofstream(file) << config;
    // --start may already see the agent fail (exit 1) or not yet: `watt status` is what is checked.
    cli.watt({"install", lib("serial-bridge"), "-i", id, "-c", file.string(), "--restart", "never", "--start"});
    CHECK_MESSAGE(eventually(
                      [&] {
                        return cli.watt({"status", id}).out.find(message) != std::string::npos;
                      },
                      20s),
                  cli.watt({"status", id}).out);
  }
}
