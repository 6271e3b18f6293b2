// `watt install --from FILE`: many agents in one request, one file on disk
// for all the agents of one library, and a bad file refused whole, naming
// the entry and the field at fault.
#include "cli.hpp"

#include <watt/client.hpp>
#include <watt/platform/control_types.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using watt::test::Cli;
using watt::test::client;
using watt::test::eventually;
using watt::test::fixture;

namespace {

std::string id_of(int i) { return "m" + std::to_string(100 + i).substr(1); }  // m00 … m99

// A file of n probe agents in container `box`, with what `extra` adds.
fs::path agents_file(const Cli& cli, int n, const std::string& extra = {}) {
  const auto file = cli.home().path() / "many.yml";
  std::ofstream out(file);
  out << "defaults:\n  library: " << fixture("probe_agent") << "\n  container: box\n";
  out << "agents:\n";
  for (int i = 0; i < n; ++i) out << "  - identity: " << id_of(i) << "\n";
  out << extra;
  return file;
}

int listed(const Cli& cli) {
  std::istringstream rows(cli.watt({"list"}).out);
  int n = 0;
  for (std::string row; std::getline(rows, row);) n += row.starts_with("m") ? 1 : 0;
  return n;
}

fs::path store(const Cli& cli) { return cli.home().path() / "agents" / ".libraries"; }

}  // namespace

TEST_CASE("install --from: fifty agents in one request share one library file and start with their container" *
          doctest::test_suite("long")) {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto r = cli.watt({"install", "--from", agents_file(cli, 50).string(), "--start"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("installed 50 agents") != std::string::npos);
  CHECK(listed(cli) == 50);
  // One stored file, linked from every agent's folder (and the store itself).
  std::vector<fs::path> stored;
  for (const auto& e : fs::directory_iterator(store(cli))) stored.push_back(e.path());
  REQUIRE(stored.size() == 1);
  CHECK(fs::hard_link_count(stored.front()) == 51);
  CHECK(fs::equivalent(stored.front(), cli.home().path() / "agents" / "m07" / "agent.so"));
  auto c = client(cli, "tester");
  REQUIRE(eventually([&] { return c.call(id_of(49), "whoami").get().ok(); }, std::chrono::seconds(30)));
  CHECK(c.call(id_of(0), "whoami").get()->as<std::string>() == id_of(0));
  // The list in pages (as `watt list` reads it): the agents after one, so many.
  const auto page = c.call("platform", "list", std::string("m10"), std::uint64_t{5}).get();
  REQUIRE(page.ok());
  std::string ids;
  for (const auto& a : page->as<std::vector<watt::platform::AgentStatus>>()) ids += a.identity + " ";
  CHECK(ids == "m11 m12 m13 m14 m15 ");
  CHECK(c.call("platform", "list").get()->as<std::vector<watt::platform::AgentStatus>>().size() == 50);
  // Removed, they leave nothing in the store.
  REQUIRE(cli.watt({"container", "stop", "box"}).code == 0);
  for (int i = 0; i < 50; ++i) REQUIRE(cli.watt({"remove", id_of(i)}).code == 0);
  CHECK(fs::is_empty(store(cli)));
}

TEST_CASE("install --from: a bad file is refused whole, naming the agent and the field") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto refused = [&](const std::string& extra, const std::string& says) {
    const auto r = cli.watt({"install", "--from", agents_file(cli, 3, extra).string()});
    CHECK(r.code != 0);
    CHECK_MESSAGE(r.err.find(says) != std::string::npos, r.err);
    CHECK(listed(cli) == 0);  // nothing of it installed
  };
  refused("  - identity: m09\n    colour: blue\n", "agent 4 ('m09'): unknown field 'colour'");
  refused("  - library: x.so\n", "agent 4: identity is missing");
  refused("  - identity: m01\n", "agent 4 ('m01'): listed twice");
  refused("  - identity: m09\n    library: no-such.so\n", "agent 4 ('m09'): no such agent library");
  refused("  - identity: m09\n    restart: sometimes\n", "agent 4 ('m09'): ");
  refused("  - identity: 'bad id'\n", "agent 4 ('bad id'): ");
  refused("  - identity: m09\n    publish: {a: b}\n", "agent 4 ('m09'): publish must be");
  // Already installed: refused, and the others of the file are not installed either.
  REQUIRE(cli.watt({"install", fixture("probe_agent"), "-i", "m02"}).code == 0);
  const auto r = cli.watt({"install", "--from", agents_file(cli, 3).string()});
  CHECK(r.code != 0);
  CHECK(r.err.find("agent 3 ('m02'): an agent 'm02' is already installed") != std::string::npos);
  CHECK(listed(cli) == 1);
  // --from with a library of its own is a mistake, said so.
  const auto both = cli.watt({"install", fixture("probe_agent"), "--from", agents_file(cli, 1).string()});
  CHECK(both.code != 0);
  CHECK(both.err.find("--from installs what its file says") != std::string::npos);
}

TEST_CASE("install --from: an entry's configuration may be a map written in the file itself") {
  Cli cli;
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  const auto r = cli.watt(
      {"install", "--from", agents_file(cli, 1, "  - identity: inline\n    config: {rate: 5, name: x}\n").string()});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  const auto shown = cli.watt({"config", "get", "inline", "config"});
  CHECK(shown.out.find("rate: 5") != std::string::npos);
  CHECK(shown.out.find("name: x") != std::string::npos);
}
