// $WATT_HOME/config.yml parsing, and the identity rules.
#include "wattd/platform_config.hpp"
#include "temp_dir.hpp"

#include <watt/identity.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

using watt::platform::load_platform_config;

namespace {
watt::platform::PlatformConfig load(const watt::test::TempDir& dir, const std::string& text) {
  const auto f = dir.path() / "config.yml";
  std::ofstream(f) << text;
  return load_platform_config(f);
}
}  // namespace

TEST_CASE("a missing or empty config means defaults") {
  watt::test::TempDir dir;
  CHECK(load_platform_config(dir.path() / "absent.yml").broker.queue_limit == 10000);
  CHECK(load(dir, "").supervisor.stop_timeout.count() == 10000);
}

TEST_CASE("known keys are read") {
  watt::test::TempDir dir;
  const auto c = load(dir,
                      "broker:\n  tcp: tcp://127.0.0.1:22916\n  queue_limit: 50\n  max_message_bytes: 4096\n"
                      "  batch_messages: 1\n  max_owed_answers: 7\n  answer_window_ms: 60000\n"
                      "  peer_queue_bytes: 1048576\n  memory_limit: 67108864\n"
                      "agents:\n  stop_timeout_ms: 2500\n");
  CHECK(c.tcp == "tcp://127.0.0.1:22916");
  CHECK(c.broker.queue_limit == 50);
  CHECK(c.broker.max_message_bytes == 4096);
  CHECK(c.broker.batch_messages == 1);
  CHECK(c.broker.max_owed_answers == 7);
  CHECK(c.broker.answer_window == std::chrono::minutes(1));
  CHECK(c.broker.peer_queue_bytes == 1048576);
  CHECK(c.broker.memory_limit == 67108864);
  CHECK(load(dir, "").broker.batch_messages == 16);
  CHECK(c.supervisor.stop_timeout.count() == 2500);
}

TEST_CASE("a typo, a wrong type or an out-of-range value is an error naming the key") {
  watt::test::TempDir dir;
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  queue_limt: 5\n"), doctest::Contains("unknown key 'queue_limt'"),
                       watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  queue_limit: lots\n"), doctest::Contains("broker.queue_limit"),
                       watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  max_message_bytes: 1\n"), doctest::Contains("between"), watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  batch_messages: 0\n"), doctest::Contains("broker.batch_messages"),
                       watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  tcp: 127.0.0.1\n"), doctest::Contains("tcp://"), watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker: [1, 2\n"), doctest::Contains("config.yml"), watt::Error);
}

// Found by fuzz_yaml_configs: a map where a string belongs escaped as yaml-cpp's
// own "bad conversion", naming neither the file nor the key.
TEST_CASE("a map where a string belongs is an error naming the key") {
  watt::test::TempDir dir;
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  tcp: {a: 1}\n"), doctest::Contains("broker.tcp must be a string"),
                       watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "broker:\n  [a]: 1\n"), doctest::Contains("broker: a key must be text"), watt::Error);
}

TEST_CASE("identities are short words of letters, digits and . _ - @ :, not starting with a dot") {
  CHECK(watt::identity_error("meter-1.b2@site:3").empty());
  CHECK_FALSE(watt::identity_error("").empty());
  CHECK_FALSE(watt::identity_error("has space").empty());
  CHECK_FALSE(watt::identity_error("a/b").empty());
  CHECK_FALSE(watt::identity_error(std::string(129, 'a')).empty());
  CHECK_FALSE(watt::identity_error("broker").empty());
  // It names the agent's folder under $WATT_HOME: no ".", "..", or hidden one.
  for (const char* hidden : {".", "..", ".meter"})
    CHECK(watt::identity_error(hidden) == "identity '" + std::string(hidden) + "' may not start with '.'");
  CHECK(watt::identity_error("meter.1").empty());
}

TEST_CASE("agents.journal: auto follows where wattd's own output goes, off is none, a path is that socket") {
  watt::test::TempDir dir;
  using watt::platform::journal_socket;
  CHECK(load(dir, "").journal == "auto");
  CHECK(journal_socket(load(dir, "agents:\n  journal: off\n")).empty());
  CHECK(journal_socket(load(dir, "agents:\n  journal: /run/j.sock\n")) == "/run/j.sock");
  CHECK_THROWS_WITH_AS(load(dir, "agents:\n  journal: syslog\n"), doctest::Contains("agents.journal must be auto"),
                       watt::Error);
  CHECK_THROWS_WITH_AS(load(dir, "agents:\n  journal: [a]\n"), doctest::Contains("agents.journal must be a string"),
                       watt::Error);
  // systemd's $JOURNAL_STREAM names the device and inode of the output it
  // gave the service: auto means the journal only while that is our stderr.
  struct stat st {};
  REQUIRE(::fstat(2, &st) == 0);
  const auto auto_config = load(dir, "agents:\n  journal: auto\n");
  ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
  CHECK(journal_socket(auto_config) == "/run/systemd/journal/socket");
  CHECK(journal_socket(load(dir, "agents:\n  journal: off\n")).empty());  // under systemd too
  ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
  CHECK(journal_socket(auto_config).empty());  // stderr redirected since: not the journal
  ::unsetenv("JOURNAL_STREAM");
  CHECK(journal_socket(auto_config).empty());
}
