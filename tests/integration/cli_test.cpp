// The command line end to end: a real platform in a temporary home, real
// agent processes, and every error a single clear line.
#include "cli.hpp"
#include "platform.hpp"
#include "raw_peer.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace std::chrono_literals;
using watt::test::Exit;
using watt::test::Process;
using watt::test::TempDir;

using watt::test::Cli;
using watt::test::fixture;
using watt::test::lib;
using watt::test::lines;

TEST_CASE("start the platform, install the listener, publish, see it, stop") {
  Cli cli;
  auto up = cli.watt({"platform", "start"});
  REQUIRE_MESSAGE(up.code == 0, up.err);
  CHECK(up.out.find("platform started") != std::string::npos);
  CHECK(cli.watt({"platform", "start"}).out.find("already running") != std::string::npos);

  auto inst = cli.watt({"install", lib("listener"), "--identity", "listener", "--start"});
  REQUIRE_MESSAGE(inst.code == 0, inst.err);
  CHECK(inst.out.find("installed listener (Listener)") != std::string::npos);
  CHECK(inst.out.find("started listener") != std::string::npos);

  auto pub = cli.watt({"publish", "devices/campus/b1/temp", R"({"value": 21.5, "unit": "C"})", "--priority", "10"});
  REQUIRE_MESSAGE(pub.code == 0, pub.err);
  REQUIRE(
      watt::test::eventually([&] { return cli.log("listener").find("devices/campus/b1/temp") != std::string::npos; }));
  const auto log = cli.log("listener");
  CHECK(log.find(R"("body":{"unit":"C","value":21.5})") != std::string::npos);
  CHECK(log.find(R"("priority":10)") != std::string::npos);
  CHECK(log.find(R"("sender":"watt-cli-)") != std::string::npos);

  auto list = cli.watt({"list"});
  CHECK(list.out.find("listener") != std::string::npos);
  CHECK(list.out.find("running") != std::string::npos);
  auto peers = cli.watt({"peers"});
  CHECK(peers.out.find("listener") != std::string::npos);
  CHECK(peers.out.find("platform") != std::string::npos);
  CHECK(cli.watt({"platform", "status"}).out.find("platform running") != std::string::npos);

  auto stop = cli.watt({"platform", "stop"});
  CHECK(stop.code == 0);
  CHECK(stop.out.find("platform stopped") != std::string::npos);
  CHECK(cli.log("listener").find("stopped") != std::string::npos);  // a graceful on_stop, not a kill
  CHECK(cli.watt({"platform", "status"}).code == 3);
}

TEST_CASE("watt subscribe prints each message as a JSON line - watt rpc calls a method") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  Process sub({(watt::test::bin_dir() / "watt").string(), "subscribe", "alerts/#", "--count", "2"}, cli.home().path(),
              cli.env());
  REQUIRE(watt::test::eventually([&] { return sub.err().find("subscribed to alerts/#") != std::string::npos; }));
  CHECK(cli.watt({"publish", "alerts/b1", "\"smoke\""}).code == 0);
  CHECK(cli.watt({"publish", "other/b1", "1"}).code == 0);
  CHECK(cli.watt({"publish", "alerts/b2", "[1, 2]"}).code == 0);
  REQUIRE(sub.wait(20000ms).value_or(-1) == 0);
  const auto out = sub.out();
  CHECK(lines(out) == 2);
  CHECK(out.find(R"("body":"smoke")") != std::string::npos);
  CHECK(out.find(R"("body":[1,2])") != std::string::npos);
  CHECK(out.find("other/b1") == std::string::npos);

  REQUIRE(cli.watt({"install", fixture("good_agent"), "--identity", "echo", "--start"}).code == 0);
  auto rpc = cli.watt({"rpc", "echo", "echo", "\"hello\""});
  CHECK(rpc.code == 0);
  CHECK(rpc.out == "\"hello\"\n");
}

TEST_CASE("agent lifecycle: stop, start, restart, remove - states and pids are reported") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  std::ofstream(cli.home().path() / "pub.yml") << "device: t/m1\nperiod_ms: 50\n";
  REQUIRE(cli.watt({"install", lib("publisher"), "-i", "m1", "-c", (cli.home().path() / "pub.yml").string()}).code ==
          0);
  CHECK(cli.watt({"list"}).out.find("stopped") != std::string::npos);
  auto started = cli.watt({"start", "m1"});
  REQUIRE_MESSAGE(started.code == 0, started.err);
  CHECK(cli.watt({"stop", "m1"}).out == "stopped m1\n");
  CHECK(cli.watt({"list"}).out.find("stopped") != std::string::npos);
  auto restarted = cli.watt({"restart", "m1"});
  CHECK(restarted.code == 0);
  CHECK(restarted.out.find("started m1") != std::string::npos);
  CHECK(cli.log("m1").find("publishing devices/t/m1/all every 50 ms") != std::string::npos);
  CHECK(cli.watt({"remove", "m1"}).code == 0);
  CHECK(cli.watt({"list"}).out.find("m1") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(cli.home().path() / "agents" / "m1"));
}

TEST_CASE("errors are one clear line and a non-zero exit") {
  Cli cli;
  auto down = cli.watt({"list"});
  CHECK(down.code != 0);
  CHECK(down.err.find("not running") != std::string::npos);
  CHECK(lines(down.err) == 1);

  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"install", "/nonexistent/libx.so", "-i", "x"}, "no such agent library"},
      {{"install", fixture("wrong_abi"), "-i", "x"}, "built for agent ABI 999"},
      {{"install", fixture("no_symbol"), "-i", "x"}, "not a Watt agent library"},
      {{"install", lib("listener"), "-i", "bad id"}, "may only use"},
      {{"install", lib("listener"), "-i", "platform"}, "reserved"},
      {{"start", "ghost"}, "no agent 'ghost' is installed"},
      {{"stop", "ghost"}, "no agent 'ghost' is installed"},
      {{"rpc", "nobody", "ping"}, "unknown_peer"},
      {{"rpc", "platform", "no_such_method"}, "unknown_method"},
      {{"publish", "a//b", "1"}, "empty segment"},
      {{"publish", "a/b", "{not json"}, "not valid JSON"},
      {{"subscribe", "a/#/b", "--count", "1"}, "'#' may only be the last segment"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = cli.watt(args);
    INFO("watt " << args[0] << " " << args[1] << " -> " << r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(expected) != std::string::npos);
    CHECK(lines(r.err) == 1);
  }
  // An agent whose constructor throws installs (the library is sound) but fails at start, saying why.
  REQUIRE(cli.watt({"install", fixture("throwing_agent"), "-i", "thrower", "--restart", "never"}).code == 0);
  auto fails = cli.watt({"start", "thrower"});
  CHECK(fails.code != 0);
  CHECK(fails.err.find("exited at start") != std::string::npos);
  CHECK(fails.err.find("boom: no device") != std::string::npos);
  CHECK(cli.watt({"list"}).out.find("failed(1)") != std::string::npos);
  // And the platform is still fine.
  CHECK(cli.watt({"platform", "status"}).code == 0);
}

TEST_CASE("an agent that does not stop in its grace period is killed, and the platform says so") {
  Cli cli;
  std::ofstream(cli.home().path() / "config.yml") << "agents:\n  stop_timeout_ms: 300\n";
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("hanging_agent"), "-i", "stuck", "--start"}).code == 0);
  auto stop = cli.watt({"stop", "stuck"});
  CHECK(stop.code == 0);
  CHECK(cli.log("stuck").find("on_stop: hanging") != std::string::npos);
  // Killed by SIGKILL after the grace period: no "stopped" line from the agent.
  CHECK(cli.log("stuck").find("] stopped") == std::string::npos);
  CHECK(cli.watt({"list"}).out.find("stopped") != std::string::npos);
}

TEST_CASE("an agent installs from a folder holding its library, and a folder with two is refused") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto dir = cli.home().path() / "pkg";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(fixture("good_agent"), dir / "libgood.so");
  auto ok = cli.watt({"install", dir.string(), "-i", "good", "--start"});
  CHECK_MESSAGE(ok.code == 0, ok.err);
  CHECK(cli.watt({"rpc", "good", "echo", "\"x\""}).out == "\"x\"\n");
  std::filesystem::copy_file(fixture("throwing_agent"), dir / "libother.so");
  auto two = cli.watt({"install", dir.string(), "-i", "good2"});
  CHECK(two.code != 0);
  CHECK(two.err.find("expected exactly one") != std::string::npos);
}

TEST_CASE("an agent that comes with Watt installs by its name, and an unknown name lists those there are") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  // From the build tree, as from an installed one: found next to the watt program.
  const auto ok = cli.watt({"install", "listener", "-i", "heard", "--start"});
  CHECK_MESSAGE(ok.code == 0, ok.err);
  CHECK(cli.watt({"list"}).out.find("heard") != std::string::npos);
  const auto unknown = cli.watt({"install", "lisener", "-i", "x"});
  CHECK(unknown.code != 0);
  CHECK(unknown.err.find("no agent 'lisener' comes with Watt") != std::string::npos);
  CHECK(unknown.err.find("listener, ") != std::string::npos);
  CHECK(unknown.err.find("mqtt-bridge") != std::string::npos);
}

TEST_CASE("an identity that would name a hidden folder, or . or .., is refused at install") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  for (const char* hidden : {".", "..", ".meter"}) {
    const auto r = cli.watt({"install", fixture("good_agent"), "--identity", hidden});
    CHECK(r.code != 0);
    CHECK_MESSAGE(r.err.find("may not start with '.'") != std::string::npos, r.err);
  }
  CHECK(cli.watt({"list"}).out.find(".meter") == std::string::npos);
}

TEST_CASE("watt --connect tcp://… without --server-key says the key is missing") {
  Cli cli;
  const auto r = cli.watt({"--connect", "tcp://127.0.0.1:1", "list"});
  CHECK(r.code != 0);
  CHECK_MESSAGE(r.err.find("needs its public key") != std::string::npos, r.err);
  CHECK(r.err.find("is it running") == std::string::npos);
}

TEST_CASE("global and group options work after the subcommand too") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  // The home given last, with WATT_HOME pointing nowhere, still finds it.
  auto moved = [&](std::vector<std::string> args) {
    args.insert(args.begin(), (watt::test::bin_dir() / "watt").string());
    return watt::test::run(args, cli.home().path(), {{"WATT_HOME", "/nonexistent"}});
  };
  const auto list = moved({"list", "--home", cli.home().str()});
  CHECK_MESSAGE(list.code == 0, list.err);
  const auto query =
      moved({"history", "query", "a/b", "--historian", "nosuch", "--timeout", "500", "--home", cli.home().str()});
  CHECK(query.code != 0);
  CHECK_MESSAGE(query.err.find("no historian 'nosuch'") != std::string::npos, query.err);
}

TEST_CASE("install --start waits for the agent's on_start, and reports an agent that refuses its configuration") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto file = cli.home().path() / "bad.yml";
  std::ofstream(file) << "valid: false\n";
  const auto r = cli.watt({"install", fixture("probe_agent"), "--identity", "picky", "--config", file.string(),
                           "--restart", "never", "--start"});
  CHECK(r.code != 0);
  CHECK_MESSAGE(r.err.find("picky exited at start") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("refused configuration 'config': valid is false") != std::string::npos, r.err);
  CHECK(r.out.find("started") == std::string::npos);
  const auto good = cli.watt({"install", fixture("probe_agent"), "--identity", "fine", "--start"});
  CHECK_MESSAGE(good.code == 0, good.err);
  CHECK(good.out.find("started fine") != std::string::npos);
}

TEST_CASE("config set for an agent that is not installed is refused, unless --force") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto file = cli.home().path() / "c.yml";
  std::ofstream(file) << "rate: 1\n";
  const auto refused = cli.watt({"config", "set", "nosuch", "config", file.string()});
  CHECK(refused.code != 0);
  CHECK_MESSAGE(refused.err.find("no agent 'nosuch' is installed") != std::string::npos, refused.err);
  CHECK(cli.watt({"config", "list"}).out.find("nosuch") == std::string::npos);
  const auto forced = cli.watt({"config", "set", "nosuch", "config", file.string(), "--force"});
  CHECK_MESSAGE(forced.code == 0, forced.err);
  CHECK(forced.out == "stored nosuch/config\n");
}

TEST_CASE("config pushes to an agent that does not answer never stall the control service") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "--identity", "mute"}).code == 0);
  // On the bus as "mute", speaking the protocol raw: it takes each push and
  // never answers.
  watt::test::RawPeer mute(watt::test::address(cli));
  REQUIRE(mute.hello("mute").first == watt::proto::Kind::welcome);
  const auto file = cli.home().path() / "c.yml";
  std::ofstream(file) << "rate: 1\n";
  std::vector<std::unique_ptr<Process>> pushes;
  for (int i = 0; i < 3; ++i)
    pushes.push_back(
        std::make_unique<Process>(std::vector<std::string>{(watt::test::bin_dir() / "watt").string(), "config", "set",
                                                           "mute", "config", file.string()},
                                  cli.home().path(), cli.env()));
  for (int i = 0; i < 3; ++i) CHECK(mute.receive().method == "watt.config");
  // The control service answers while all three wait for the agent.
  const auto list = cli.watt({"list"});
  CHECK(list.code == 0);
  CHECK(list.out.find("mute") != std::string::npos);
  for (auto& p : pushes) CHECK(p->running());
  for (auto& p : pushes) {
    REQUIRE(p->wait(std::chrono::seconds(30)).has_value());
    CHECK(p->err().find("could not give 'mute' configuration 'config'") != std::string::npos);
  }
}

TEST_CASE("bad JSON is refused one way: exit code 2, one line, and a hint for a bare word") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  for (const char* bad : {"1e400", "hello", "{", "[1,"}) {
    const auto r = cli.watt({"publish", "x/y", bad});
    CHECK(r.code == 2);
    CHECK_MESSAGE(r.err.rfind("watt: the body is not valid JSON: ", 0) == 0, r.err);
    CHECK(lines(r.err) == 1);
    CHECK((r.err.find("needs its quotes") != std::string::npos) == (std::string(bad) == "hello"));
  }
  const auto arg = cli.watt({"rpc", "platform", "list", "1e400"});
  CHECK(arg.code == 2);
  CHECK(arg.err.rfind("watt: argument 1 is not valid JSON", 0) == 0);
}

TEST_CASE("subscribe --count with --timeout fails when fewer messages arrived, and keeps stdout for messages") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto r = cli.watt({"subscribe", "quiet/topic", "--count", "1", "--timeout", "0.3"});
  CHECK(r.code == 1);
  CHECK_MESSAGE(r.err.find("only 0 of 1 messages arrived in 0.3 s") != std::string::npos, r.err);
  CHECK(r.out.empty());
}

TEST_CASE("watt config backup writes a copy of the whole store that a platform starts from") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "--identity", "p1"}).code == 0);
  const auto file = cli.home().path() / "c.yml";
  std::ofstream(file) << "rate: 7\n";
  REQUIRE(cli.watt({"config", "set", "p1", "config", file.string()}).code == 0);
  const auto backup = cli.watt({"config", "backup", (cli.home().path() / "backup.db").string()});
  CHECK_MESSAGE(backup.code == 0, backup.err);
  CHECK(backup.out.find("backed up 1 configurations") != std::string::npos);
  REQUIRE(cli.watt({"platform", "stop"}).code == 0);
  std::filesystem::copy_file(cli.home().path() / "backup.db", cli.home().path() / "config.db",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(cli.home().path() / "config.db-wal");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  CHECK(cli.watt({"config", "get", "p1", "config"}).out == "rate: 7\n");
}
