// What every `watt` subcommand shares: where the platform is, how to reach it,
// and how to report a failure (one line, non-zero exit).
#pragma once

#include <watt/client.hpp>
#include <watt/platform/control_types.hpp>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace watt::cli {

// Ends the command: printed as "watt: <message>", exit code `code`.
struct Failure {
  std::string message;
  int code = 1;
};

struct Context {
  std::string home_override;
  std::string connect_override;
  std::string server_key;  // for a platform on TCP
  std::string key_file;
  std::string identity;  // claimed on the bus; empty = watt-cli-PID

  std::filesystem::path home() const;
  std::string address() const;
  // Connects as a short-lived client; a clear Failure when the platform is down.
  std::unique_ptr<Client> connect(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) const;
  // Calls the platform's control service; a Failure carries its error.
  Value control(Client& c, const std::string& method, const Value& args,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) const;
};

// The arguments of a call, packed as the control service takes them.
inline Value args(const auto&... a) { return Value::of(std::make_tuple(a...)); }

// Every installed agent, fetched page by page (agent_commands.cpp).
std::vector<platform::AgentStatus> all_agents(const Context& ctx, Client& c);

void add_platform_commands(CLI::App& app, Context& ctx);
void add_init_command(CLI::App& app, Context& ctx);
void add_agent_commands(CLI::App& app, Context& ctx);
void add_bus_commands(CLI::App& app, Context& ctx);
void add_service_commands(CLI::App& app, Context& ctx);
void add_security_commands(CLI::App& app, Context& ctx);
void add_history_commands(CLI::App& app, Context& ctx);
void add_container_commands(CLI::App& app, Context& ctx);
void add_org_commands(CLI::App& app, Context& ctx);
void add_ledger_commands(CLI::App& app, Context& ctx);
void add_web_commands(CLI::App& app, Context& ctx);
void add_log_command(CLI::App& app, Context& ctx);

// Wraps a subcommand's body: a Failure or exception becomes one line on
// stderr and the exit code.
std::function<void()> guarded(std::function<void()> fn);

// For commands that run until Ctrl-C: after watch_interrupts(), interrupted()
// turns true on SIGINT or SIGTERM.
void watch_interrupts();
bool interrupted();
void set_exit(int code);

}  // namespace watt::cli
