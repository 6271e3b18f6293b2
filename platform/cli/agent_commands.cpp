// watt install | start | stop | restart | remove | list
#include "agent_source.hpp"
#include "cli_context.hpp"
#include "install_file.hpp"
#include "table.hpp"

#include <watt/platform/control_types.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

using platform::AgentStatus;

AgentStatus status_of(const Context& ctx, Client& c, const std::string& id) {
  return ctx.control(c, "status", Value::of(std::make_tuple(id))).as<AgentStatus>();
}

std::string log_hint(const Context& ctx, const std::string& id) {
  const fs::path log = ctx.home() / "logs" / (id + ".log");
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out = "; last lines of " + log.string() + ":";
  for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) out += "\n  " + lines[i];
  return out;
}

// Waits until the agent is on the bus and through its on_start, or says why not.
void await_running(const Context& ctx, Client& c, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto s = status_of(ctx, c, id);
    if (s.state == "running") {
      std::cout << "started " << id << " (pid " << s.pid << ")\n";
      return;
    }
    if (s.state == "failed" || s.state == "stopped" || s.state == "restarting") {
      const std::string retry =
          s.state == "restarting" ? "; the platform will retry (restart policy " + s.restart + ")" : "";
      throw Failure{id + " exited at start (exit code " + std::to_string(s.exit_code) + ")" + retry +
                    log_hint(ctx, id)};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw Failure{id + " did not finish starting (joining the bus, on_start) within 15 s" + log_hint(ctx, id)};
}

void await_stopped(const Context& ctx, Client& c, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto s = status_of(ctx, c, id);
    if (s.state == "stopped" || s.state == "failed") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw Failure{id + " did not stop within 120 s"};
}

void start(const Context& ctx, Client& c, const std::string& id) {
  ctx.control(c, "start", Value::of(std::make_tuple(id)));
  await_running(ctx, c, id);
}

void stop(const Context& ctx, Client& c, const std::string& id) {
  ctx.control(c, "stop", Value::of(std::make_tuple(id)));
  await_stopped(ctx, c, id);
  std::cout << "stopped " << id << "\n";
}

// `watt install --from FILE`: one request for all; then, with --start, each
// container started once (all its agents with it) and each other agent.
void install_many(const Context& ctx, const std::string& file, bool start_them) {
  const auto requests = read_install_file(file);
  std::set<std::string> identities, containers;
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (!identities.insert(requests[i].identity).second)
      throw Error(file + ": agent " + std::to_string(i + 1) + " ('" + requests[i].identity + "'): listed twice");
  for (const auto& r : requests) containers.insert(r.container);
  // In parts, each well within a message's size (half a MiB of requests,
  // configurations included): all checked first, then installed.
  std::vector<std::size_t> starts{0};
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::size_t size = Value::of(requests[i]).bytes().size();
    if (bytes + size > (512U << 10) && i > starts.back()) {
      starts.push_back(i);
      bytes = 0;
    }
    bytes += size;
  }
  starts.push_back(requests.size());
  auto c = ctx.connect();
  std::size_t installed = 0;
  for (bool check_only : {true, false})
    for (std::size_t k = 0; k + 1 < starts.size(); ++k) {
      const std::size_t from = starts[k];
      const std::vector<platform::InstallRequest> some(requests.begin() + static_cast<std::ptrdiff_t>(from),
                                                       requests.begin() + static_cast<std::ptrdiff_t>(starts[k + 1]));
      try {
        ctx.control(*c, "install_many", args(some, check_only, static_cast<std::uint64_t>(from + 1)),
                    std::chrono::minutes(10));
      } catch (Failure& f) {
        if (installed > 0) f.message += "; " + std::to_string(installed) + " agents were installed before";
        throw;
      }
      if (!check_only) installed += some.size();
    }
  std::cout << "installed " << installed << " agents from " << file << "\n";
  if (!start_them) return;
  for (const auto& r : requests)
    if (r.container.empty()) start(ctx, *c, r.identity);
  for (const auto& name : containers) {
    if (name.empty()) continue;
    ctx.control(*c, "container_start", Value::of(std::make_tuple(name)));
    std::cout << "starting container " << name << " (watt container show " << name << ")\n";
  }
}

std::string uptime(double s) {
  if (s <= 0) return "-";
  const auto t = static_cast<long>(s);
  std::ostringstream o;
  if (t >= 86400)
    o << t / 86400 << "d" << (t % 86400) / 3600 << "h";
  else if (t >= 3600)
    o << t / 3600 << "h" << (t % 3600) / 60 << "m";
  else if (t >= 60)
    o << t / 60 << "m" << t % 60 << "s";
  else
    o << t << "s";
  return o.str();
}

void list(const Context& ctx) {
  auto c = ctx.connect();
  const auto agents = all_agents(ctx, *c);
  Table t({"IDENTITY", "STATE", "PID", "UPTIME", "CLASS", "CONTAINER"});
  for (const auto& a : agents) {
    std::string state = a.state;
    if (a.state == "failed" && a.container.empty()) state += "(" + std::to_string(a.exit_code) + ")";
    t.row({a.identity, state, a.pid > 0 ? std::to_string(a.pid) : "-", uptime(a.uptime_s), a.class_name,
           a.container.empty() ? "-" : a.container});
  }
  t.print(std::cout);
}

}  // namespace

std::vector<platform::AgentStatus> all_agents(const Context& ctx, Client& c) {
  std::vector<platform::AgentStatus> all;
  for (;;) {
    const std::string after = all.empty() ? std::string() : all.back().identity;
    const auto page = ctx.control(c, "list", args(after, std::uint64_t{1000})).as<std::vector<platform::AgentStatus>>();
    if (page.empty()) return all;  // a page may hold fewer than asked (it is cut by size too)
    all.insert(all.end(), page.begin(), page.end());
  }
}

void add_agent_commands(CLI::App& app, Context& ctx) {
  struct Install {
    std::string source, identity, config, restart = "on-failure", container, from;
    std::vector<std::string> publish, call, subscribe;
    bool start = false;
  };
  auto opts = std::make_shared<Install>();
  auto* install = app.add_subcommand("install", "install an agent library (or a folder holding one), or many at once");
  install->add_option("library", opts->source, "agent .so, a folder with one .so, or a bundled agent's name");
  install->add_option("--identity,-i", opts->identity, "its identity on the bus");
  install->add_option("--from", opts->from, "YAML file of many agents to install at once (docs/operations.md)")
      ->check(CLI::ExistingFile);
  install->add_option("--config,-c", opts->config, "YAML configuration file")->check(CLI::ExistingFile);
  install->add_option("--restart", opts->restart, "restart policy: never, on-failure (default), always");
  install->add_option("--publish", opts->publish, "topic pattern it may publish to (repeat; default: any)");
  install->add_option("--call", opts->call, "PEER/METHOD pattern it may call (repeat; default: any)");
  install->add_option("--subscribe", opts->subscribe, "topic pattern it may subscribe within (repeat; default: any)");
  install->add_option("--container", opts->container,
                      "run it in this agent container, with others (made on first use; docs/containers.md)");
  install->add_flag("--start", opts->start, "start it (or them) once installed");
  install->callback(guarded([&ctx, opts] {
    if (!opts->from.empty()) {
      if (!opts->source.empty() || !opts->identity.empty() || !opts->config.empty() || !opts->container.empty() ||
          opts->restart != "on-failure" || !opts->publish.empty() || !opts->call.empty() || !opts->subscribe.empty())
        throw Error(
            "--from installs what its file says: give no library, --identity, --config, --container, --restart, "
            "--publish, --call or --subscribe (put them in the file, under defaults for all)");
      install_many(ctx, opts->from, opts->start);
      return;
    }
    if (opts->source.empty() || opts->identity.empty())
      throw Error("install needs a library and --identity (or --from FILE)");
    std::string config_text;
    if (!opts->config.empty()) {
      std::ifstream in(opts->config);
      std::stringstream ss;
      ss << in.rdbuf();
      config_text = ss.str();
    }
    auto c = ctx.connect();
    platform::InstallRequest request;
    request.source = agent_source(opts->source, fs::current_path()).string();
    request.identity = opts->identity;
    request.config = config_text;
    request.restart = opts->restart;
    if (!opts->publish.empty()) request.publish = opts->publish;
    if (!opts->call.empty()) request.call = opts->call;
    if (!opts->subscribe.empty()) request.subscribe = opts->subscribe;
    request.container = opts->container;
    const auto cls = ctx.control(*c, "install", Value::of(std::make_tuple(request))).as<std::string>();
    std::cout << "installed " << opts->identity << " (" << cls << ")\n";
    if (opts->start) start(ctx, *c, opts->identity);
  }));

  auto id = std::make_shared<std::string>();
  auto per_agent = [&](const char* name, const char* help, std::function<void(Client&, const std::string&)> fn) {
    auto* sub = app.add_subcommand(name, help);
    sub->add_option("identity", *id, "the agent's identity")->required();
    sub->callback(guarded([&ctx, id, fn] {
      auto c = ctx.connect();
      fn(*c, *id);
    }));
  };
  per_agent("start", "start an installed agent", [&ctx](Client& c, const std::string& i) { start(ctx, c, i); });
  per_agent("stop", "stop an agent (SIGTERM, then SIGKILL after the grace period)",
            [&ctx](Client& c, const std::string& i) { stop(ctx, c, i); });
  per_agent("restart", "stop, then start an agent", [&ctx](Client& c, const std::string& i) {
    const auto s = status_of(ctx, c, i);
    if (s.pid > 0) stop(ctx, c, i);
    start(ctx, c, i);
  });
  per_agent("remove", "stop (if running) and uninstall an agent", [&ctx](Client& c, const std::string& i) {
    if (status_of(ctx, c, i).pid > 0) stop(ctx, c, i);
    ctx.control(c, "remove", Value::of(std::make_tuple(i)));
    std::cout << "removed " << i << "\n";
  });
  app.add_subcommand("list", "installed agents and their state")->callback(guarded([&ctx] { list(ctx); }));
}

}  // namespace watt::cli
