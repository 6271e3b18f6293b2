// watt container list|show|set|start|stop: agent containers, each one process
// hosting many agents (docs/containers.md).
#include "cli_context.hpp"
#include "table.hpp"

#include <watt/platform/control_types.hpp>

#include <iostream>

namespace watt::cli {

void add_container_commands(CLI::App& app, Context& ctx) {
  auto* container = app.add_subcommand("container", "agent containers: many agents in one process");
  container->require_subcommand(1);
  container->add_subcommand("list", "every container, its process and how many of its agents run")
      ->callback(guarded([&ctx] {
        auto c = ctx.connect();
        const auto all = ctx.control(*c, "containers", args()).as<std::vector<platform::ContainerStatus>>();
        Table t({"CONTAINER", "STATE", "PID", "AGENTS", "RUNNING", "RESTARTS", "LAST EXIT"});
        for (const auto& s : all)
          t.row({s.name, s.state, s.pid > 0 ? std::to_string(s.pid) : "-", std::to_string(s.agents),
                 std::to_string(s.running), std::to_string(s.restarts), s.last_failure.empty() ? "-" : s.last_failure});
        t.print(std::cout);
      }));
  auto name = std::make_shared<std::string>();
  auto* show = container->add_subcommand("show", "the agents of one container and their state");
  show->add_option("name", *name)->required();
  show->callback(guarded([&ctx, name] {
    auto c = ctx.connect();
    const auto agents = all_agents(ctx, *c);
    Table t({"IDENTITY", "STATE", "RESTARTS", "HEALTH", "LAST FAILURE"});
    std::size_t shown = 0;
    for (const auto& a : agents) {
      if (a.container != *name) continue;
      ++shown;
      t.row({a.identity, a.state, std::to_string(a.restarts), a.health.empty() ? "-" : a.health,
             a.last_failure.empty() ? "-" : a.last_failure});
    }
    if (shown == 0) throw Failure{"no agent is installed in container '" + *name + "'"};
    for (const auto& s : ctx.control(*c, "containers", args()).as<std::vector<platform::ContainerStatus>>())
      if (s.name == *name)
        std::cout << "threads " << (s.threads > 0 ? std::to_string(s.threads) : "one per core") << ", agent queue "
                  << (s.agent_queue > 0 ? std::to_string(s.agent_queue) : "10000 (default)") << "\n";
    t.print(std::cout);
  }));
  struct Set {
    unsigned threads = 0, agent_queue = 0;
  };
  auto set = std::make_shared<Set>();
  auto* set_cmd = container->add_subcommand("set", "how the platform runs a container, from its next start");
  set_cmd->add_option("name", *name)->required();
  set_cmd->add_option("--threads", set->threads, "threads for its agents' callbacks (0: one per core)")
      ->check(CLI::Range(0, 256));
  set_cmd
      ->add_option("--agent-queue", set->agent_queue,
                   "messages that may wait for one agent before the container stops reading (0: 10000)")
      ->check(CLI::Range(0, 10'000'000));
  set_cmd->callback(guarded([&ctx, name, set] {
    auto c = ctx.connect();
    ctx.control(*c, "container_set", args(*name, set->threads, set->agent_queue));
    std::cout << "set container " << *name << "; it takes effect when the container next starts\n";
  }));
  auto* start = container->add_subcommand("start", "start a container with all its agents");
  start->add_option("name", *name)->required();
  start->callback(guarded([&ctx, name] {
    auto c = ctx.connect();
    ctx.control(*c, "container_start", args(*name));
    std::cout << "starting container " << *name << "\n";
  }));
  auto* stop = container->add_subcommand("stop", "stop a container and all its agents");
  stop->add_option("name", *name)->required();
  stop->callback(guarded([&ctx, name] {
    auto c = ctx.connect();
    ctx.control(*c, "container_stop", args(*name));
    std::cout << "stopping container " << *name << "\n";
  }));
}

}  // namespace watt::cli
