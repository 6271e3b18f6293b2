// A real wattd listening on TCP with CurveZMQ (its own key made at start),
// and the keys and clients a test needs to reach it from "outside".
#pragma once

#include "platform.hpp"

#include <watt/keys.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace watt::test {

struct TcpPlatform {
  explicit TcpPlatform(const std::string& more = {}) : p("broker:\n  tcp: tcp://127.0.0.1:*\n" + more) {
    while (!endpoint.empty() && endpoint.back() == '\n') endpoint.pop_back();
  }
  Platform p;
  std::string endpoint = watt::test::read_file(std::filesystem::path(p.home()) / "run" / "tcp.endpoint");
  std::string server_key = watt::read_key_file(std::filesystem::path(p.home()) / "keys" / "server.key").public_key;

  // A fresh key pair in the platform's scratch folder.
  std::pair<std::string, std::string> make_key(const std::string& name) const {
    const auto file = std::filesystem::path(p.home()) / (name + ".key");
    const auto pair = watt::make_key_pair();
    watt::write_key_file(file, pair);
    return {file.string(), pair.public_key};
  }

  std::unique_ptr<watt::Client> remote(const std::string& identity, const std::string& key_file) const {
    watt::ClientOptions o;
    o.identity = identity;
    o.address = endpoint;
    o.server_key = server_key;
    o.key_file = key_file;
    o.connect_timeout = std::chrono::milliseconds(5000);
    return std::make_unique<watt::Client>(o);
  }
};

}  // namespace watt::test
