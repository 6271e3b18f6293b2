// A real wattd in a temporary home, for integration tests; stopped and its
// home removed when the test ends, pass or fail.
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <watt/client.hpp>

#include <memory>
#include <string>

namespace watt::test {

class Platform {
public:
  // `config_yml` is written to $WATT_HOME/config.yml before start.
  explicit Platform(const std::string& config_yml = {});
  ~Platform();

  std::string home() const { return home_.str(); }
  std::string address() const { return "ipc://" + home_.str() + "/run/watt.sock"; }
  std::map<std::string, std::string> env() const { return {{"WATT_HOME", home()}}; }
  Process& process() { return *wattd_; }

  std::unique_ptr<Client> client(const std::string& identity) const;
  // Runs `watt <args>` against this platform.
  Exit cli(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::milliseconds(60000)) const;

private:
  TempDir home_;
  std::unique_ptr<Process> wattd_;
};

}  // namespace watt::test
