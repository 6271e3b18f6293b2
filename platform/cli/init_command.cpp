// watt init: a platform home made ready before its first start (docs/deployment.md):
// the folders with the owner's rights only, the key pair for TCP clients, and
// a config.yml that says what can be set. An existing home is left as it is,
// and an existing config.yml kept, unless --force.
#include "cli_context.hpp"

#include <watt/keys.hpp>

#include <sys/stat.h>

#include <fstream>
#include <iostream>

namespace watt::cli {
namespace {

namespace fs = std::filesystem;

std::string default_config(const std::string& tcp) {
  std::string out =
      "# The platform's configuration (docs/operations.md, \"config.yml\"); read when wattd starts.\n"
      "# Every key is optional: what is commented out shows its default.\n";
  if (tcp.empty())
    out += "# broker:\n#   tcp: tcp://0.0.0.0:22916   # TCP clients, always CurveZMQ (watt keys, watt auth)\n";
  else
    out += "broker:\n  tcp: " + tcp + "   # TCP clients, always CurveZMQ (watt keys, watt auth)\n";
  out +=
      "# agents:\n"
      "#   stop_timeout_ms: 10000\n"
      "#   restart_backoff_ms: 1000\n"
      "#   restart_limit: 5\n"
      "#   heartbeat_ms: 10000\n"
      "#   log_max_bytes: 10485760\n"
      "#   log_files: 5\n"
      "#   journal: auto   # the agents log to the journal too when wattd runs under systemd (off: files only)\n";
  return out;
}

void init(const Context& ctx, const std::string& tcp, bool force) {
  const auto home = ctx.home();
  const auto old = ::umask(077);
  for (const char* d : {"", "run", "logs", "agents", "keys", "data"}) fs::create_directories(home / d);
  ::umask(old);
  fs::permissions(home, fs::perms::owner_all, fs::perm_options::replace);
  const auto key_file = home / "keys" / "server.key";
  if (!fs::exists(key_file)) write_key_file(key_file, make_key_pair());
  const auto config = home / "config.yml";
  if (fs::exists(config) && !force) {
    std::cout << "kept " << config.string() << " (--force writes a fresh one)\n";
  } else {
    std::ofstream(config) << default_config(tcp);
    fs::permissions(config, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    std::cout << "wrote " << config.string() << "\n";
  }
  std::cout << "home " << home.string()
            << " ready; the platform's public key for TCP clients: " << read_key_file(key_file).public_key << "\n";
}

}  // namespace

void add_init_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "make the platform's home: folders, keys and a config.yml to edit");
  auto tcp = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("--tcp", *tcp, "listen for TCP clients here (broker.tcp), e.g. tcp://0.0.0.0:22916");
  cmd->add_flag("--force", *force, "write config.yml afresh even if there is one");
  cmd->callback(guarded([&ctx, tcp, force] { init(ctx, *tcp, *force); }));
}

}  // namespace watt::cli
