// Platform: starts wattd and waits until it answers.
#include "platform.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

namespace watt::test {

Platform::Platform(const std::string& config_yml) : home_("watt-it") {
  if (!config_yml.empty()) std::ofstream(home_.path() / "config.yml") << config_yml;
  wattd_ = std::make_unique<Process>(std::vector<std::string>{(bin_dir() / "wattd").string(), "--home", home()},
                                     home_.path());
  const bool up = eventually(
      [&] {
        if (!wattd_->running()) return true;
        try {
          ClientOptions o;
          o.identity = "probe";
          o.address = address();
          o.connect_timeout = std::chrono::milliseconds(200);
          Client probe(o);
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::milliseconds(15000));
  if (!up || !wattd_->running()) throw std::runtime_error("wattd did not start: " + wattd_->out() + wattd_->err());
}

Platform::~Platform() { wattd_->stop(std::chrono::milliseconds(15000)); }

std::unique_ptr<Client> Platform::client(const std::string& identity) const {
  ClientOptions o;
  o.identity = identity;
  o.address = address();
  return std::make_unique<Client>(o);
}

Exit Platform::cli(std::vector<std::string> args, std::chrono::milliseconds timeout) const {
  args.insert(args.begin(), (bin_dir() / "watt").string());
  return run(std::move(args), home_.path(), env(), timeout);
}

}  // namespace watt::test
