// Platform services end to end: the config store reaching running agents,
// supervision (restart, crash loop, platform restart), health, and a damaged
// config store. Real wattd, real agent processes, driven through `watt`.
#include "cli.hpp"

#include <watt/client.hpp>
#include <watt/health.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace std::chrono_literals;
using watt::test::agent_pid;
using watt::test::Cli;
using watt::test::eventually;
using watt::test::fixture;
using watt::test::lib;

namespace {

void write(const Cli& cli, const std::string& name, const std::string& text) {
  std::ofstream(cli.home().path() / name) << text;
}
std::string path(const Cli& cli, const std::string& name) { return (cli.home().path() / name).string(); }

// `watt rpc` and its JSON answer, as a string.
std::string rpc(const Cli& cli, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"rpc"};
  full.insert(full.end(), args.begin(), args.end());
  const auto r = cli.watt(full);
  return r.code == 0 ? r.out : "error: " + r.err;
}

}  // namespace

TEST_CASE("configurations reach a running agent live, and a refused one leaves the old in place") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "probe", "--start"}).code == 0);

  write(cli, "one.yml", "rate: 1\n");
  auto set = cli.watt({"config", "set", "probe", "config", path(cli, "one.yml")});
  CHECK(set.out == "applied probe/config\n");
  CHECK(rpc(cli, {"probe", "config", "\"config\""}).find("rate: 1") != std::string::npos);

  write(cli, "two.yml", "rate: 2\n");
  CHECK(cli.watt({"config", "set", "probe", "config", path(cli, "two.yml")}).code == 0);
  write(cli, "bad.yml", "rate: 3\nvalid: false\n");
  auto refused = cli.watt({"config", "set", "probe", "config", path(cli, "bad.yml")});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("'probe' refused configuration 'config': valid is false") != std::string::npos);
  CHECK(cli.watt({"config", "get", "probe", "config"}).out == "rate: 2\n");  // the store kept the old one
  CHECK(rpc(cli, {"probe", "config", "\"config\""}).find("rate: 2") != std::string::npos);  // and so did the agent

  write(cli, "not.yml", "rate: [1, 2\n");
  auto invalid = cli.watt({"config", "set", "probe", "config", path(cli, "not.yml")});
  CHECK(invalid.code != 0);
  CHECK(invalid.err.find("not valid YAML") != std::string::npos);

  write(cli, "points.csv", "point,unit\npower,kW\n");
  CHECK(cli.watt({"config", "set", "probe", "points.csv", path(cli, "points.csv")}).code == 0);
  CHECK(rpc(cli, {"probe", "config", "\"points.csv\""}) == "\"point,unit\\npower,kW\\n\"\n");

  CHECK(cli.watt({"config", "delete", "probe", "points.csv"}).code == 0);
  const auto events = rpc(cli, {"probe", "events"});
  CHECK(events == R"(["start","config:create","config:update","points.csv:create","points.csv:remove"])"
                  "\n");
  const auto listed = cli.watt({"config", "list", "probe"}).out;
  CHECK(listed.find("config") != std::string::npos);
  CHECK(listed.find("points.csv") == std::string::npos);
}

TEST_CASE("configurations stored while an agent is stopped reach it before it starts") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  write(cli, "c.yml", "rate: 7\n");
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "probe", "-c", path(cli, "c.yml")}).code == 0);
  write(cli, "extra.yml", "x: 1\n");
  CHECK(cli.watt({"config", "set", "probe", "extra", path(cli, "extra.yml")}).out == "stored probe/extra\n");
  REQUIRE(cli.watt({"start", "probe"}).code == 0);
  CHECK(rpc(cli, {"probe", "events"}) == R"(["config:create","extra:create","start"])"
                                         "\n");
}

TEST_CASE("an agent killed with SIGKILL is restarted, and the others never notice") {
  Cli cli;
  write(cli, "config.yml", "agents:\n  restart_backoff_ms: 100\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "victim", "--start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "bystander", "--start"}).code == 0);
  const long victim = agent_pid(cli, "victim");
  const long bystander = agent_pid(cli, "bystander");
  REQUIRE(victim > 0);
  ::kill(static_cast<pid_t>(victim), SIGKILL);
  REQUIRE(eventually([&] {
    const long now = agent_pid(cli, "victim");
    return now > 0 && now != victim && cli.watt({"status", "victim"}).out.find("running") != std::string::npos;
  }));
  const auto status = cli.watt({"status", "victim"}).out;
  CHECK(status.find("1 restarts") != std::string::npos);
  CHECK(status.find("killed by signal 9") != std::string::npos);
  // The bystander is the same process, never restarted, and still answers.
  CHECK(agent_pid(cli, "bystander") == bystander);
  CHECK(cli.watt({"status", "bystander"}).out.find("0 restarts") != std::string::npos);
  CHECK(rpc(cli, {"bystander", "events"}) == "[\"start\"]\n");
}

TEST_CASE("a crash loop ends in FAILED, with the last log lines shown") {
  Cli cli;
  write(cli, "config.yml", "agents:\n  restart_backoff_ms: 50\n  restart_limit: 3\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("throwing_agent"), "-i", "crasher"}).code == 0);
  auto first = cli.watt({"start", "crasher"});
  CHECK(first.code != 0);
  CHECK(first.err.find("will retry") != std::string::npos);
  REQUIRE(eventually([&] { return cli.watt({"list"}).out.find("failed") != std::string::npos; }, 30000ms));
  const auto status = cli.watt({"status", "crasher"}).out;
  CHECK(status.find("crash loop: 3 restarts") != std::string::npos);
  CHECK(status.find("boom: no device") != std::string::npos);  // from the log lines
}

TEST_CASE("when the platform is killed, its agents keep running, reconnect and receive again") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "probe", "--start"}).code == 0);
  const long agent = agent_pid(cli, "probe");
  CHECK(cli.watt({"publish", "probe/a", "1"}).code == 0);
  REQUIRE(eventually([&] { return rpc(cli, {"probe", "received"}) == "1\n"; }));

  std::ifstream pidfile(cli.home().path() / "run" / "wattd.pid");
  long wattd = 0;
  pidfile >> wattd;
  REQUIRE(wattd > 0);
  ::kill(static_cast<pid_t>(wattd), SIGKILL);
  REQUIRE(eventually([&] { return cli.watt({"platform", "status"}).code == 3; }));
  REQUIRE(cli.watt({"platform", "start"}).code == 0);

  // The same process, adopted, and its subscription restored without a restart.
  REQUIRE(eventually([&] { return rpc(cli, {"probe", "pid"}) == std::to_string(agent) + "\n"; }));
  CHECK(agent_pid(cli, "probe") == agent);
  REQUIRE(eventually([&] {
    cli.watt({"publish", "probe/b", "2"});
    return rpc(cli, {"probe", "received"}) != "1\n";
  }));
  CHECK(rpc(cli, {"probe", "events"}) == "[\"start\"]\n");  // on_start ran once: never restarted
}

TEST_CASE("an agent whose heartbeats stop is marked BAD with an alert, and GOOD again when they resume") {
  Cli cli;
  write(cli, "config.yml", "agents:\n  heartbeat_ms: 200\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "probe", "--start"}).code == 0);
  watt::ClientOptions o;
  o.identity = "alert-watcher";
  o.address = "ipc://" + cli.home().str() + "/run/watt.sock";
  watt::Client watcher(o);
  std::vector<watt::HealthAlert> alerts;
  watcher.subscribe("alerts/probe", [&](const watt::Envelope& e) { alerts.push_back(e.body.as<watt::HealthAlert>()); });
  REQUIRE(watcher.sync());
  REQUIRE(eventually([&] { return cli.watt({"health"}).out.find("GOOD") != std::string::npos; }));

  const long pid = agent_pid(cli, "probe");
  ::kill(static_cast<pid_t>(pid), SIGSTOP);  // alive, but silent
  REQUIRE(watcher.spin_until([&] { return !alerts.empty() && alerts.back().status == "BAD"; }, 10s));
  CHECK(alerts.back().context.find("no heartbeat") != std::string::npos);
  CHECK(cli.watt({"health"}).out.find("BAD") != std::string::npos);
  ::kill(static_cast<pid_t>(pid), SIGCONT);
  REQUIRE(watcher.spin_until([&] { return alerts.back().status == "GOOD"; }, 10s));
  CHECK(alerts.back().previous == "BAD");
}

TEST_CASE("enabled agents start with the platform, in priority order") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  for (const char* id : {"late", "early", "manual"})
    REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", id}).code == 0);
  CHECK(cli.watt({"enable", "late", "--priority", "90"}).code == 0);
  CHECK(cli.watt({"enable", "early", "--priority", "5"}).code == 0);
  REQUIRE(cli.watt({"platform", "stop"}).code == 0);
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(eventually([&] {
    const auto list = cli.watt({"list"}).out;
    return list.find("late ") != std::string::npos && agent_pid(cli, "late") > 0 && agent_pid(cli, "early") > 0;
  }));
  CHECK(agent_pid(cli, "manual") == 0);
  const auto log = watt::test::read_file(cli.home().path() / "logs" / "platform.log");
  const auto restart = log.rfind("platform up");
  REQUIRE(restart != std::string::npos);
  CHECK(log.find("started 'early'", restart) < log.find("started 'late'", restart));
  CHECK(cli.watt({"disable", "late"}).code == 0);
  CHECK(cli.watt({"status", "late"}).out.find("enabled   no") != std::string::npos);
}

TEST_CASE("a damaged config store stops the platform with a clear error, and is left untouched") {
  Cli cli;
  const std::string garbage(8192, '\x5a');
  write(cli, "config.db", garbage);
  auto start = cli.watt({"platform", "start"});
  CHECK(start.code != 0);
  CHECK(start.err.find("config store") != std::string::npos);
  CHECK(start.err.find("left untouched") != std::string::npos);
  CHECK(watt::test::read_file(cli.home().path() / "config.db") == garbage);
}

TEST_CASE("watt log prints the end of an agent's log, watt stats the platform's counters") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", lib("listener"), "-i", "listener", "--start"}).code == 0);
  CHECK(cli.watt({"publish", "devices/x", "42"}).code == 0);
  REQUIRE(eventually([&] {
    return cli.watt({"log", "listener", "-n", "20"}).out.find("devices/x") != std::string::npos;
  }));
  CHECK(watt::test::lines(cli.watt({"log", "listener", "-n", "2"}).out) == 2);
  const auto stats = cli.watt({"stats"}).out;
  CHECK(stats.find("published") != std::string::npos);
  CHECK(stats.find("batches to peers behind") != std::string::npos);
  CHECK(stats.find("running 1") != std::string::npos);
  CHECK(stats.find("QUEUED") != std::string::npos);  // per-peer queue depths
  CHECK(stats.find("listener") != std::string::npos);
  CHECK(cli.watt({"log", "nobody"}).code != 0);
}

TEST_CASE("an agent's log is rotated by size and the old files are kept") {
  Cli cli;
  write(cli, "config.yml", "agents:\n  log_max_bytes: 4096\n  log_files: 2\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", lib("listener"), "-i", "chatty", "--start"}).code == 0);
  // From one client: forty `watt publish` processes cost a minute under ThreadSanitizer.
  auto pub = watt::test::client(cli, "rotator");
  for (int i = 0; i < 40; ++i) pub.publish("devices/rotate", std::string(200, 'r'));
  REQUIRE(pub.sync());
  const auto logs = cli.home().path() / "logs";
  REQUIRE(eventually([&] { return std::filesystem::exists(logs / "chatty.2.log"); }));
  CHECK(std::filesystem::file_size(logs / "chatty.1.log") <= 4096 + 1024);
  CHECK_FALSE(std::filesystem::exists(logs / "chatty.3.log"));
}

TEST_CASE("watt config edit stores what the editor wrote, and watt log -f follows new lines") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "probe", "--start"}).code == 0);
  write(cli, "c.yml", "rate: 1\n");
  REQUIRE(cli.watt({"config", "set", "probe", "config", path(cli, "c.yml")}).code == 0);
  // The "editor" is sed, changing the file in place as a person would.
  auto env = cli.env();
  env["EDITOR"] = "sed -i s/rate:\\ 1/rate:\\ 5/";
  auto edited = watt::test::run({(watt::test::bin_dir() / "watt").string(), "config", "edit", "probe", "config"},
                                cli.home().path(), env);
  CHECK_MESSAGE(edited.code == 0, edited.err);
  CHECK(cli.watt({"config", "get", "probe", "config"}).out == "rate: 5\n");
  CHECK(rpc(cli, {"probe", "config", "\"config\""}).find("rate: 5") != std::string::npos);

  REQUIRE(cli.watt({"install", lib("listener"), "-i", "listener", "--start"}).code == 0);
  watt::test::Process follow({(watt::test::bin_dir() / "watt").string(), "log", "listener", "-f", "-n", "1"},
                             cli.home().path(), cli.env());
  std::this_thread::sleep_for(300ms);
  CHECK(cli.watt({"publish", "devices/followed", "1"}).code == 0);
  CHECK(eventually([&] { return follow.out().find("devices/followed") != std::string::npos; }));
  follow.signal(SIGINT);
  CHECK(follow.wait(5000ms).value_or(-1) == 0);
}

TEST_CASE("restart policies: always restarts after a clean exit, on-failure and never do not") {
  Cli cli;
  write(cli, "config.yml", "agents:\n  restart_backoff_ms: 50\n");
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  // The publisher stops by itself (exit 0) after `count` messages.
  write(cli, "brief.yml", "device: t/brief\nperiod_ms: 20\ncount: 3\n");
  for (const auto& [id, policy] : std::vector<std::pair<std::string, std::string>>{
           {"always", "always"}, {"onfail", "on-failure"}, {"never", "never"}}) {
    REQUIRE(cli.watt({"install", lib("publisher"), "-i", id, "-c", path(cli, "brief.yml"), "--restart", policy}).code ==
            0);
    cli.watt({"start", id});  // it may already have finished by the time this returns
  }
  // Restarted at least twice (a slow build may pass several restarts between
  // two looks, up to the crash-loop limit).
  std::string status;
  const auto restarts = [&] {
    const auto at = status.find("always, ");
    return at == std::string::npos ? 0 : std::atoi(status.c_str() + at + 8);
  };
  REQUIRE_MESSAGE(eventually([&] {
                    status = cli.watt({"status", "always"}).out;
                    return restarts() >= 2;
                  }),
                  status);
  for (const char* id : {"onfail", "never"}) {
    REQUIRE(eventually([&] { return cli.watt({"status", id}).out.find("state     stopped") != std::string::npos; }));
    CHECK(cli.watt({"status", id}).out.find("0 restarts") != std::string::npos);
  }
  write(cli, "x.yml", "a: 1\n");
  const auto stored = cli.watt({"config", "set", "never", "extra", path(cli, "x.yml")});
  CHECK_MESSAGE(stored.code == 0, stored.err);
  CHECK(cli.watt({"config", "delete", "never", "--all"}).out == "deleted 2 configurations\n");
  CHECK(cli.watt({"config", "list", "never"}).out.find("never") == std::string::npos);
}
