// A platform driven only through the `watt` command line, in a temporary
// home; stopped when the test ends, pass or fail.
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <watt/client.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace watt::test {

class Cli {
public:
  Cli() : home_("watt-cli") {}
  ~Cli() { watt({"platform", "stop"}); }
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;

  Exit watt(std::vector<std::string> args) const {
    args.insert(args.begin(), (bin_dir() / "watt").string());
    return run(args, home_.path(), env());
  }
  std::map<std::string, std::string> env() const { return {{"WATT_HOME", home_.str()}}; }
  const TempDir& home() const { return home_; }
  std::string log(const std::string& id) const { return read_file(home_.path() / "logs" / (id + ".log")); }

private:
  TempDir home_;
};

inline std::string lib(const std::string& name) { return (lib_dir() / ("lib" + name + ".so")).string(); }
inline std::string fixture(const std::string& name) {
  return (fixture_dir() / ("libfixture_" + name + ".so")).string();
}
// The pid `watt status ID` shows for a running agent; 0 when it shows none.
inline long agent_pid(const Cli& cli, const std::string& id) {
  const auto out = cli.watt({"status", id}).out;
  const auto at = out.find("(pid ");
  return at == std::string::npos ? 0 : std::stol(out.substr(at + 5));
}
inline std::string address(const Cli& cli) { return "ipc://" + cli.home().str() + "/run/watt.sock"; }
// A client of the Cli's platform.
inline watt::Client client(const Cli& cli, const std::string& identity) {
  watt::ClientOptions o;
  o.identity = identity;
  o.address = address(cli);
  return watt::Client(o);
}
inline long lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

}  // namespace watt::test
