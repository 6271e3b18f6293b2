// A platform with the web agent on a free port and three users, one per
// role, for the web view's server tests.
#pragma once

#include "cli.hpp"
#include "web_client.hpp"

#include <watt/web/users.hpp>

#include <doctest/doctest.h>

#include <fstream>

namespace watt::test {

struct WebPlatform {
  explicit WebPlatform(const std::string& extra_config = {}) {
    REQUIRE(cli.watt({"platform", "start"}).code == 0);
    auto users = web::Users::load(web::users_file(cli.home().path()));
    users.add("ann", web::Role::admin, "admin-password");
    users.add("otto", web::Role::operator_, "operator-password");
    users.add("vic", web::Role::viewer, "viewer-password");
    users.save(web::users_file(cli.home().path()));
    const auto config = cli.home().path() / "web.yml";
    std::ofstream(config) << "port: 0\n" << extra_config;
    const auto r = cli.watt({"install", lib("web"), "--identity", "web", "--config", config.string(), "--start"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto url = read_file(cli.home().path() / "run" / "web.endpoint");
    port = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
  }
  WebClient http() const { return WebClient(port); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port); }

  Cli cli;
  unsigned short port = 0;
};

}  // namespace watt::test
