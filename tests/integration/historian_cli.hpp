// The historian through the command line, for the integration tests:
// install it, ask its status, query one topic or all of it.
#pragma once

#include "cli.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace watt::test {

// Installs and starts the historian with `config`; returns once it answers.
inline void install_historian(const Cli& cli, const std::string& config, const std::string& restart = "on-failure") {
  std::ofstream(cli.home().path() / "historian.yml") << config;
  const auto r = cli.watt({"install", lib("historian"), "-i", "historian", "-c",
                           (cli.home().path() / "historian.yml").string(), "--restart", restart, "--start"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  REQUIRE(eventually([&] { return cli.watt({"history", "status"}).code == 0; }));
}

inline nlohmann::json status(const Cli& cli) {
  const auto r = cli.watt({"history", "status"});
  return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
}

inline nlohmann::json query(const Cli& cli, std::vector<std::string> args) {
  args.insert(args.begin(), {"history", "query"});
  const auto r = cli.watt(args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

// Every stored value of a topic, oldest first, through the query API a page
// at a time (a page starts at the last time seen, which is then skipped).
inline std::vector<std::pair<std::string, nlohmann::json>> everything(const Cli& cli, const std::string& topic) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  std::string start = "0";
  for (;;) {
    const auto page = query(cli, {topic, "--start", start, "--count", "10000"})["values"];
    std::size_t added = 0;
    for (const auto& row : page) {
      if (!out.empty() && row[0].get<std::string>() == out.back().first) continue;
      out.emplace_back(row[0].get<std::string>(), row[1]);
      ++added;
    }
    if (added == 0) return out;
    start = out.back().first;
  }
}

}  // namespace watt::test
