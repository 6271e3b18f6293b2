// watt config … | enable | disable | status | log | health | stats
#include "cli_context.hpp"
#include "table.hpp"

#include <watt/platform/control_types.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

using platform::AgentStatus;
using platform::ConfigRow;
using platform::HealthRow;
using platform::PlatformStats;

std::string read_text(const std::string& file) {
  if (file == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Failure{"cannot read " + file};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void config_edit(const Context& ctx, Client& c, const std::string& id, const std::string& name) {
  std::string text;
  if (auto r = c.call_value({}, "platform", "config_get", args(id, name)).get()) text = r->as<std::string>();
  char path[] = "/tmp/watt-config-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw Failure{"cannot create a temporary file"};
  ::close(fd);
  std::ofstream(path, std::ios::binary) << text;
  const char* editor = std::getenv("VISUAL") != nullptr ? std::getenv("VISUAL") : std::getenv("EDITOR");
  const std::string command = std::string(editor != nullptr ? editor : "vi") + " '" + path + "'";
  if (std::system(command.c_str()) != 0) throw Failure{"the editor failed; your text is in " + std::string(path)};
  const std::string edited = read_text(path);
  if (edited == text) {
    fs::remove(path);
    std::cout << "unchanged\n";
    return;
  }
  auto r = c.call_value({}, "platform", "config_set", args(id, name, edited)).get();
  if (!r) throw Failure{r.error().message + "; your text is kept in " + std::string(path)};
  fs::remove(path);
  std::cout << r->as<std::string>() << " " << id << "/" << name << "\n";
  (void)ctx;
}

void print_status(const AgentStatus& s) {
  std::cout << s.identity << " (" << s.class_name << ")\n"
            << "  state     " << s.state << (s.pid > 0 ? " (pid " + std::to_string(s.pid) + ")" : "") << "\n"
            << "  restart   " << s.restart << ", " << s.restarts << " restarts in the window\n"
            << "  enabled   " << (s.enabled ? "yes, priority " + std::to_string(s.priority) : "no") << "\n";
  if (!s.container.empty()) std::cout << "  container " << s.container << "\n";
  if (!s.health.empty())
    std::cout << "  health    " << s.health << (s.health_context.empty() ? "" : ": " + s.health_context) << "\n";
  if (!s.last_failure.empty()) std::cout << "  last exit " << s.last_failure << "\n";
  std::cout << "  source    " << s.source << "\n";
  if (!s.log_tail.empty()) {
    std::cout << "  last log lines:\n";
    for (const auto& l : s.log_tail) std::cout << "    " << l << "\n";
  }
}

void add_config_commands(CLI::App& app, Context& ctx) {
  auto* config = app.add_subcommand("config", "an agent's stored configurations");
  config->require_subcommand(1);
  struct ConfigArgs {
    std::string id, name, file;
    bool all = false;
    bool force = false;
  };
  auto a = std::make_shared<ConfigArgs>();
  auto* set = config->add_subcommand(
      "set", "store a configuration (YAML, JSON, or a raw .csv/.txt file) and push it to the agent");
  set->add_option("identity", a->id)->required();
  set->add_option("name", a->name, "e.g. config, or registry.csv")->required();
  set->add_option("file", a->file, "the file to store, - for standard input")->required();
  set->add_flag("--force", a->force, "store it even though no such agent is installed (yet)");
  set->callback(guarded([&ctx, a] {
    const std::string text = read_text(a->file);
    auto c = ctx.connect();
    const auto result =
        ctx.control(*c, a->force ? "config_set_force" : "config_set", args(a->id, a->name, text)).as<std::string>();
    std::cout << result << " " << a->id << "/" << a->name << "\n";
  }));
  auto* backup = config->add_subcommand("backup", "copy the whole config store, consistently, to FILE");
  backup->add_option("file", a->file, "where to write it (on the platform's machine)")->required();
  backup->callback(guarded([&ctx, a] {
    auto c = ctx.connect();
    const auto to = fs::absolute(a->file).string();
    const auto n = ctx.control(*c, "config_backup", args(to)).as<std::size_t>();
    std::cout << "backed up " << n << " configurations to " << to << "\n";
  }));
  auto* get = config->add_subcommand("get", "print a stored configuration");
  get->add_option("identity", a->id)->required();
  get->add_option("name", a->name)->required();
  get->callback(guarded([&ctx, a] {
    auto c = ctx.connect();
    std::cout << ctx.control(*c, "config_get", args(a->id, a->name)).as<std::string>();
  }));
  auto* list = config->add_subcommand("list", "stored configurations, of one agent or all");
  list->add_option("identity", a->id);
  list->callback(guarded([&ctx, a] {
    auto c = ctx.connect();
    const auto rows = ctx.control(*c, "config_list", args(a->id)).as<std::vector<ConfigRow>>();
    Table t({"IDENTITY", "NAME", "BYTES"});
    for (const auto& r : rows) t.row({r.identity, r.name, std::to_string(r.bytes)});
    t.print(std::cout);
  }));
  auto* del = config->add_subcommand("delete", "remove a configuration (or --all of them) and tell the agent");
  del->add_option("identity", a->id)->required();
  del->add_option("name", a->name);
  del->add_flag("--all", a->all, "every configuration of the agent");
  del->callback(guarded([&ctx, a] {
    if (a->all == !a->name.empty()) throw Failure{"give either a configuration name or --all", 2};
    auto c = ctx.connect();
    if (a->all) {
      std::cout << "deleted " << ctx.control(*c, "config_delete_all", args(a->id)).as<std::uint64_t>()
                << " configurations\n";
    } else {
      ctx.control(*c, "config_delete", args(a->id, a->name));
      std::cout << "deleted " << a->id << "/" << a->name << "\n";
    }
  }));
  auto* edit = config->add_subcommand("edit", "edit a configuration in $EDITOR, then store and push it");
  edit->add_option("identity", a->id)->required();
  edit->add_option("name", a->name)->required();
  edit->callback(guarded([&ctx, a] {
    auto c = ctx.connect();
    config_edit(ctx, *c, a->id, a->name);
  }));
}

void add_enable_commands(CLI::App& app, Context& ctx) {
  struct EnableArgs {
    std::string id;
    int priority = 50;
  };
  auto e = std::make_shared<EnableArgs>();
  auto* enable = app.add_subcommand("enable", "start an agent with the platform (lower priority starts first)");
  enable->add_option("identity", e->id)->required();
  enable->add_option("--priority", e->priority, "0..100, default 50")->check(CLI::Range(0, 100));
  enable->callback(guarded([&ctx, e] {
    auto c = ctx.connect();
    ctx.control(*c, "enable", args(e->id, e->priority));
    std::cout << "enabled " << e->id << " (priority " << e->priority << ")\n";
  }));
  auto* disable = app.add_subcommand("disable", "no longer start an agent with the platform");
  disable->add_option("identity", e->id)->required();
  disable->callback(guarded([&ctx, e] {
    auto c = ctx.connect();
    ctx.control(*c, "disable", args(e->id));
    std::cout << "disabled " << e->id << "\n";
  }));
}

void add_status_commands(CLI::App& app, Context& ctx) {
  auto id = std::make_shared<std::string>();
  auto* status = app.add_subcommand("status", "one agent: state, restarts, health, last exit, last log lines");
  status->add_option("identity", *id)->required();
  status->callback(guarded([&ctx, id] {
    auto c = ctx.connect();
    print_status(ctx.control(*c, "status", args(*id)).as<AgentStatus>());
  }));
}

void add_health_commands(CLI::App& app, Context& ctx) {
  app.add_subcommand("health", "every agent's health, from its heartbeats")->callback(guarded([&ctx] {
    auto c = ctx.connect();
    const auto rows = ctx.control(*c, "health", args()).as<std::vector<HealthRow>>();
    Table t({"IDENTITY", "STATUS", "LAST SEEN", "CONTEXT"});
    for (const auto& r : rows) {
      std::ostringstream seen;
      seen << std::fixed << std::setprecision(1) << r.last_seen_s << " s";
      t.row({r.identity, r.status, seen.str(), r.context});
    }
    t.print(std::cout);
  }));
  app.add_subcommand("stats", "platform metrics: messages routed, dropped, queued; RPCs; agents by state")
      ->callback(guarded([&ctx] {
        auto c = ctx.connect();
        const auto s = ctx.control(*c, "stats", args()).as<PlatformStats>();
        const auto& b = s.broker;
        std::cout << "messages  received " << b.received << ", published " << b.published << ", delivered "
                  << b.delivered << " (" << b.batches << " batches to peers behind)\n"
                  << "          dropped " << b.dropped << ", expired " << b.expired << ", queued now " << b.queued
                  << ", rejected (bad input) " << b.rejected << "\n"
                  << "rpc       requests " << b.requests << ", errors " << b.request_errors
                  << ", unrequested answers dropped " << b.unrequested_answers << "\n"
                  << "memory    " << b.queued_bytes << " bytes queued (limit " << b.memory_limit << "), "
                  << b.refused_for_memory << " messages refused for space, " << b.stalled_peers
                  << " peers removed for not reading\n"
                  << "peers     " << b.peers << " connected, " << b.subscriptions << " subscriptions; connections "
                  << b.local_connections << " local, " << b.tcp_connections << " TCP, " << b.connections_shed
                  << " shed over the limit; may open " << b.descriptor_limit << " files\n"
                  << "agents   ";
        for (const auto& [state, n] : s.agents) std::cout << " " << state << " " << n;
        std::cout << "\n";
        if (!b.expired_topics.empty()) {
          std::cout << "expired  ";  // the deadline misses at the broker, by topic
          for (const auto& [topic, n] : b.expired_topics) std::cout << " " << topic << " " << n;
          std::cout << "\n";
        }
        auto peers = c->peers();
        if (!peers) throw Failure{peers.error().what()};
        std::cout << "\n";
        Table t({"PEER", "QUEUED", "BYTES", "DROPPED", "RECEIVED"});
        for (const auto& p : *peers)
          t.row({p.identity, std::to_string(p.queued), std::to_string(p.queued_bytes), std::to_string(p.dropped),
                 std::to_string(p.received)});
        t.print(std::cout);
      }));
}

}  // namespace

void add_service_commands(CLI::App& app, Context& ctx) {
  add_config_commands(app, ctx);
  add_enable_commands(app, ctx);
  add_status_commands(app, ctx);
  add_log_command(app, ctx);
  add_health_commands(app, ctx);
}

}  // namespace watt::cli
