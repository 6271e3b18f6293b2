// watt init: a home made ready before its first start, kept as it is when
// run again, and a platform that starts from it.
#include "cli.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace watt::test;
namespace fs = std::filesystem;

TEST_CASE("watt init makes the home, its keys and a config.yml, and keeps them when run again") {
  TempDir dir("watt-init");
  const auto home = dir.path() / "home";
  const std::map<std::string, std::string> env{{"WATT_HOME", home.string()}};
  const auto watt = [&](std::vector<std::string> args) {
    args.insert(args.begin(), (bin_dir() / "watt").string());
    return run(args, dir.path(), env);
  };
  auto r = watt({"init", "--tcp", "tcp://127.0.0.1:*"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("the platform's public key for TCP clients: ") != std::string::npos);
  CHECK((fs::status(home).permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK(fs::exists(home / "keys" / "server.key"));
  CHECK(read_file(home / "config.yml").find("  tcp: tcp://127.0.0.1:*") != std::string::npos);
  const auto key = read_file(home / "keys" / "server.key");

  std::ofstream(home / "config.yml", std::ios::app) << "agents:\n  heartbeat_ms: 500\n";
  r = watt({"init"});
  CHECK(r.out.find("kept ") != std::string::npos);
  CHECK(read_file(home / "config.yml").find("heartbeat_ms: 500") != std::string::npos);
  CHECK(read_file(home / "keys" / "server.key") == key);  // never a new key over a key clients trust

  REQUIRE(watt({"platform", "start"}).code == 0);
  CHECK(fs::exists(home / "run" / "tcp.endpoint"));
  CHECK(watt({"platform", "stop"}).code == 0);
  r = watt({"init", "--force"});
  CHECK(read_file(home / "config.yml").find("heartbeat_ms: 500") == std::string::npos);
}
