// Agent containers under the platform: `watt install --container`, one
// process for many agents, each still started, stopped, configured, logged
// and held to its grants on its own; a container that dies takes its agents
// along and brings them back.
#include "cli.hpp"

#include <watt/client.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>

using namespace std::chrono_literals;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;
using watt::test::fixture;

namespace {

void install(const Cli& cli, const std::string& id, const std::string& container, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"install", fixture("probe_agent"), "-i", id, "--container", container};
  a.insert(a.end(), extra.begin(), extra.end());
  const auto r = cli.watt(a);
  REQUIRE_MESSAGE(r.code == 0, r.err);
}

std::string field(const Cli& cli, const std::string& id, const std::string& name) {
  const auto out = cli.watt({"status", id}).out;
  const auto at = out.find("  " + name);
  if (at == std::string::npos) return {};
  const auto start = out.find_first_not_of(' ', at + 2 + name.size());
  return out.substr(start, out.find('\n', start) - start);
}

}  // namespace

TEST_CASE("container under the platform: agents installed into it share one process, and start and stop alone") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  for (const auto* id : {"h1", "h2", "h3"}) install(cli, id, "c1", {"--start"});
  const long pid = watt::test::agent_pid(cli, "h1");
  CHECK(pid > 0);
  CHECK(watt::test::agent_pid(cli, "h2") == pid);
  CHECK(watt::test::agent_pid(cli, "h3") == pid);
  const auto list = cli.watt({"list"}).out;
  CHECK(list.find("ProbeAgent  c1") != std::string::npos);
  CHECK(field(cli, "h2", "container") == "c1");
  CHECK(cli.watt({"container", "list"}).out.find("c1         running  " + std::to_string(pid) + "  3       3") !=
        std::string::npos);

  REQUIRE(cli.watt({"stop", "h2"}).code == 0);
  REQUIRE(eventually([&] { return field(cli, "h2", "state") == "stopped"; }));
  CHECK(field(cli, "h1", "state") == "running (pid " + std::to_string(pid) + ")");
  auto c = client(cli, "tester");
  CHECK(c.call("h1", "whoami").get().ok());
  CHECK(c.call("h2", "whoami").get().error().code == watt::ErrorCode::unknown_peer);
  REQUIRE(cli.watt({"start", "h2"}).code == 0);
  CHECK(c.call("h2", "whoami").get().ok());
  CHECK(watt::test::agent_pid(cli, "h2") == pid);  // the same container

  // Its log: only its own lines of the container's log.
  const auto log = cli.watt({"log", "h2"}).out;
  CHECK(log.find("[h2] started") != std::string::npos);
  CHECK(log.find("[h1]") == std::string::npos);
  CHECK(cli.watt({"remove", "h3"}).code == 0);
  CHECK(cli.watt({"list"}).out.find("h3") == std::string::npos);
}

TEST_CASE("container under the platform: SIGKILL of the container restarts all its agents, and each says why") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  for (const auto* id : {"k1", "k2"}) install(cli, id, "ck", {"--start"});
  const long pid = watt::test::agent_pid(cli, "k1");
  REQUIRE(pid > 0);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  REQUIRE(eventually(
      [&] {
        const long now = watt::test::agent_pid(cli, "k1");
        return now > 0 && now != pid && field(cli, "k1", "state").starts_with("running") &&
               field(cli, "k2", "state").starts_with("running");
      },
      30s));
  for (const auto* id : {"k1", "k2"}) {
    CHECK(field(cli, id, "last exit") == "its container 'ck' killed by signal 9");
    CHECK(field(cli, id, "restart") == "on-failure, 1 restarts in the window");
  }
  auto c = client(cli, "tester");
  CHECK(c.call("k2", "whoami").get().ok());
}

TEST_CASE("container under the platform: each agent keeps its own grants and its own configuration") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install(cli, "ga", "cg", {"--publish", "x/#", "--start"});
  install(cli, "gb", "cg", {"--publish", "y/#", "--start"});
  REQUIRE(watt::test::agent_pid(cli, "ga") == watt::test::agent_pid(cli, "gb"));
  auto c = client(cli, "tester");
  CHECK(c.call("ga", "try_publish", std::string("x/1")).get()->as<std::string>().empty());
  const auto refused = c.call("gb", "try_publish", std::string("x/1")).get()->as<std::string>();
  CHECK(refused.find("'gb' may not publish to x/1") != std::string::npos);
  CHECK(c.call("gb", "try_publish", std::string("y/1")).get()->as<std::string>().empty());

  std::ofstream(cli.home().path() / "cfg.yml") << "colour: blue\n";
  REQUIRE(cli.watt({"config", "set", "gb", "config", (cli.home().path() / "cfg.yml").string()}).out ==
          "applied gb/config\n");
  CHECK(c.call("gb", "config", std::string("config")).get()->as<std::string>() == "colour: blue");
  CHECK(c.call("ga", "config", std::string("config")).get()->as<std::string>().empty());
}

TEST_CASE("container under the platform: enabled agents in containers start with the platform") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install(cli, "e1", "ce");
  install(cli, "e2", "ce");
  REQUIRE(cli.watt({"enable", "e1"}).code == 0);
  REQUIRE(cli.watt({"platform", "stop"}).code == 0);
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(eventually([&] { return field(cli, "e1", "state").starts_with("running"); }, 30s));
  CHECK(field(cli, "e2", "state") == "stopped");
}

TEST_CASE("container under the platform: containers and processes start with the platform in priority order") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install(cli, "a1", "ca");
  install(cli, "b1", "cb");
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "p1"}).code == 0);
  REQUIRE(cli.watt({"enable", "a1", "--priority", "80"}).code == 0);
  REQUIRE(cli.watt({"enable", "b1", "--priority", "10"}).code == 0);
  REQUIRE(cli.watt({"enable", "p1", "--priority", "50"}).code == 0);
  REQUIRE(cli.watt({"platform", "stop"}).code == 0);
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(eventually(
      [&] {
        for (const auto* id : {"a1", "b1", "p1"})
          if (!field(cli, id, "state").starts_with("running")) return false;
        return true;
      },
      30s));
  CHECK(watt::test::agent_pid(cli, "a1") != watt::test::agent_pid(cli, "b1"));
  const auto log = watt::test::read_file(cli.home().path() / "logs" / "platform.log");
  const auto restart = log.rfind("platform up");
  REQUIRE(restart != std::string::npos);
  const auto b1 = log.find("starting 'b1' in container 'cb'", restart);
  const auto p1 = log.find("started 'p1'", restart);
  const auto a1 = log.find("starting 'a1' in container 'ca'", restart);
  REQUIRE(a1 != std::string::npos);
  CHECK(b1 < p1);
  CHECK(p1 < a1);
}

TEST_CASE("container under the platform: watt container set gives a container its threads from its next start") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  install(cli, "s1", "cs");
  const auto set = cli.watt({"container", "set", "cs", "--threads", "3", "--agent-queue", "500"});
  REQUIRE_MESSAGE(set.code == 0, set.err);
  CHECK(cli.watt({"container", "show", "cs"}).out.find("threads 3, agent queue 500") != std::string::npos);
  REQUIRE(cli.watt({"start", "s1"}).code == 0);
  REQUIRE(eventually([&] {
    return watt::test::read_file(cli.home().path() / "logs" / "container.cs.log")
               .find("container 'cs' joined with 3 threads") != std::string::npos;
  }));
  CHECK(cli.watt({"container", "set", "cs", "--threads", "300"}).code != 0);
  auto c = client(cli, "tester");
  const auto bad = c.call("platform", "container_set", std::string("cs"), 2U, 1U).get();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().what().find("agent-queue must be 2 to 10,000,000") != std::string::npos);
  CHECK(cli.watt({"container", "show", "cs"}).out.find("threads 3, agent queue 500") != std::string::npos);
}
