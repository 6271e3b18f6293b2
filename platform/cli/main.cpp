// watt: the command line, a thin client of the platform's control RPC.
#include "cli_context.hpp"

#include <watt/paths.hpp>

#include <csignal>
#include <iostream>

namespace watt::cli {
namespace {
int exit_code = 0;
volatile std::sig_atomic_t got_interrupt = 0;
extern "C" void on_interrupt(int) { got_interrupt = 1; }
}  // namespace

void watch_interrupts() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}
bool interrupted() { return got_interrupt != 0; }

void set_exit(int code) { exit_code = code; }

std::filesystem::path Context::home() const {
  return home_override.empty() ? std::filesystem::path(watt_home()) : std::filesystem::absolute(home_override);
}

std::string Context::address() const {
  if (!connect_override.empty()) return connect_override;
  return "ipc://" + (home() / "run" / "watt.sock").string();
}

std::unique_ptr<Client> Context::connect(std::chrono::milliseconds timeout) const {
  if (connect_override.empty() && !std::filesystem::exists(home() / "run" / "watt.sock"))
    throw Failure{"the platform is not running (no socket in " + (home() / "run").string() +
                  "); start it with: watt platform start"};
  ClientOptions o;
  o.identity = identity.empty() ? "watt-cli-" + std::to_string(::getpid()) : identity;
  o.address = address();
  o.connect_timeout = timeout;
  o.server_key = server_key;
  o.key_file = key_file;
  try {
    return std::make_unique<Client>(o);
  } catch (const Error& e) {
    throw Failure{e.what()};
  }
}

Value Context::control(Client& c, const std::string& method, const Value& args,
                       std::chrono::milliseconds timeout) const {
  CallOptions o;
  o.timeout = timeout;
  auto r = c.call_value(o, "platform", method, args).get();
  if (!r) throw Failure{r.error().message.empty() ? r.error().what() : r.error().message};
  return std::move(r).value();
}

std::function<void()> guarded(std::function<void()> fn) {
  return [fn = std::move(fn)] {
    try {
      fn();
    } catch (const Failure& f) {
      std::cerr << "watt: " << f.message << "\n";
      exit_code = f.code;
    } catch (const std::exception& e) {
      std::cerr << "watt: " << e.what() << "\n";
      exit_code = 1;
    }
  };
}

}  // namespace watt::cli

int main(int argc, char** argv) {
  using namespace watt::cli;
  // The command line prints results, not the SDK's connection chatter; the
  // platform it starts must not inherit that (see start_daemon_environment).
  if (std::getenv("WATT_LOG_LEVEL") == nullptr) {
    ::setenv("WATT_LOG_LEVEL", "warn", 1);
    ::setenv("WATT_CLI_QUIETED", "1", 1);
  }
  CLI::App app{"watt: control a Watt platform and talk on its bus"};
  app.require_subcommand(1);
  // Options a subcommand does not know go up to its group and to watt
  // itself, so `watt list --home X` works as well as `watt --home X list`.
  // Set before the subcommands are made: they inherit it.
  app.fallthrough();
  Context ctx;
  app.add_option("--home", ctx.home_override, "platform home (default: $WATT_HOME or ~/.watt)");
  app.add_option("--connect", ctx.connect_override, "broker address (default: the home's ipc socket)");
  app.add_option("--server-key", ctx.server_key, "the platform's public key, for --connect tcp://…");
  app.add_option("--key-file", ctx.key_file, "this client's key file, for --connect tcp://…");
  app.add_option("--identity", ctx.identity, "the identity to claim on the bus (default: watt-cli-PID)");
  add_init_command(app, ctx);
  add_platform_commands(app, ctx);
  add_agent_commands(app, ctx);
  add_bus_commands(app, ctx);
  add_service_commands(app, ctx);
  add_security_commands(app, ctx);
  add_history_commands(app, ctx);
  add_container_commands(app, ctx);
  add_org_commands(app, ctx);
  add_ledger_commands(app, ctx);
  add_web_commands(app, ctx);
  // Subcommand callbacks run inside parse().
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
