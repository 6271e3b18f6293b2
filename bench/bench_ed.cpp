// bench_ed: consensus economic dispatch on a real platform (docs/performance.md
// §6). For 16 nodes (examples/ed16, one node per agent process, as the lab
// runs one board each), 100 and 1,000 seeded random nodes (random_case), each on
// the complete graph and on a sparse random graph of average degree 4: a fresh
// wattd (the tests' Platform), the ed-node agents and the ed-monitor installed
// with `watt install`, and the run timed to its result. Printed beside the same
// case run in memory by simulate() in the same process (the baseline: the
// iteration counts must be equal), with the bus latency of the nodes' state
// messages and the memory of every process of the 1,000-node runs.
#include "bench_common.hpp"
#include "ed_latency_probe.hpp"
#include "platform.hpp"

#include <watt/ed/messages.hpp>
#include <watt/ed/random_case.hpp>
#include <watt/ed/run_config.hpp>
#include <watt/ed/simulate.hpp>

#include <watt/client.hpp>
#include <watt/clock.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <exception>
#include <map>
#include <optional>

#ifndef WATT_BENCH_ED16
#define WATT_BENCH_ED16 "examples/ed16/ed16.yml"
#endif

namespace {

namespace ed = watt::ed;
using namespace std::chrono_literals;

constexpr double mib = 1024.0;  // KiB per MiB
constexpr std::uint64_t reference_iterations = 42;
constexpr std::uint64_t target_iterations_16 = 45;

struct Settings {
  int only = 0;  // 0: every size
  bool complete_1000 = true;
  bool latency = true;
  std::uint64_t k_max = 1000;
  std::uint64_t seed = 1;  // the random cases and the random graphs
  double degree = 4;
  int timeout_s = 600;  // per run, from the monitor's install to its result
  std::string ed16 = WATT_BENCH_ED16;
  bool verbose = false;
};

void progress(const Settings& s, const std::string& what) {
  if (s.verbose) std::cerr << "bench_ed: " << what << "\n";
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string mib_of(long kib) { return kib < 0 ? "-" : bench::fixed(static_cast<double>(kib) / mib, 2); }

// User + system CPU seconds of a running process, all its threads (fields 14
// and 15 of /proc/<pid>/stat, after the parenthesised name); -1 if unreadable.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i >= 14) ticks += std::stod(f);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// ---- the cases --------------------------------------------------------------------------------

struct Case {
  std::string label;  // "16 (ed16)", "100", "1,000"
  ed::RunConfig config;
  std::size_t per_agent = 1;
  bool memory = false;  // read every process's memory after the result
};

ed::GraphSpec sparse(const Settings& s) {
  ed::GraphSpec g;
  g.kind = ed::GraphSpec::Kind::random;
  g.degree = s.degree;
  g.seed = s.seed;
  return g;
}

ed::RunConfig run_of(std::string name, std::vector<ed::NodeParams> nodes, const ed::GraphSpec& graph,
                     const Settings& s) {
  ed::RunConfig c;
  c.run = std::move(name);
  for (const auto& n : nodes) c.members.push_back(n.id);
  c.nodes = std::move(nodes);
  c.graph = graph;
  c.k_max = s.k_max;
  return c;
}

std::vector<Case> cases(const Settings& s) {
  std::vector<Case> out;
  const auto both = [&](const std::string& label, const std::string& run, const std::vector<ed::NodeParams>& nodes,
                        std::size_t per_agent, bool memory) {
    const std::size_t n = nodes.size();
    if (n < 1000 || s.complete_1000)
      out.push_back({label, run_of(run + "-complete", nodes, ed::GraphSpec{}, s), per_agent, memory});
    out.push_back({label, run_of(run + "-sparse", nodes, sparse(s), s), per_agent, memory});
  };
  if (s.only == 0 || s.only == 16) {
    auto ed16 = ed::load_run_file(s.ed16);
    both("16 (ed16)", "ed16", ed16.nodes, 1, false);
  }
  if (s.only == 0 || s.only == 100) both("100", "r100", ed::random_case(100, s.seed), 25, false);
  if (s.only == 0 || s.only == 1000) both("1,000", "r1000", ed::random_case(1000, s.seed), 500, true);
  return out;
}

// ---- the in-memory baseline -------------------------------------------------------------------

struct Baseline {
  double epsilon = 0;
  double epsilon_ms = 0;  // the spectral gap behind the automatic ε (every agent computes it too)
  double sim_ms = 0;      // the iterations alone
  std::uint64_t iterations = 0;
  bool converged = false;
  std::size_t edges = 0;
};

Baseline simulate_case(const ed::RunConfig& c) {
  Baseline b;
  const ed::Graph g = c.graph_of_members();
  b.edges = g.edge_count();
  auto t0 = bench::Clock::now();
  b.epsilon = c.epsilon_for(g);
  b.epsilon_ms = std::chrono::duration<double, std::milli>(bench::Clock::now() - t0).count();
  ed::SimOptions o;
  o.epsilon = b.epsilon;
  o.k_max = c.k_max;
  o.mismatch_tol = c.mismatch_tol;
  o.lambda_tol = c.lambda_tol;
  o.stop = ed::SimOptions::Stop::deployed;  // as the monitor decides
  o.keep_steps = false;
  t0 = bench::Clock::now();
  const auto trace = ed::simulate(c.nodes, g, o);
  b.sim_ms = std::chrono::duration<double, std::milli>(bench::Clock::now() - t0).count();
  b.iterations = trace.iterations;
  b.converged = trace.converged;
  return b;
}

// ---- one run on the bus -------------------------------------------------------------------------

struct RunProcess {
  std::string identity;
  std::size_t nodes = 0;  // 0: not a node agent
  pid_t pid = 0;
  bench::Mem mem;
  double cpu_s = -1;  // since the process started: its setup (ε) included
};

struct Outcome {
  std::optional<ed::ResultMsg> result;
  std::string failure;  // why there is no result
  std::size_t agents = 0;
  double install_ms = 0;       // the node agents' `watt install --start`, one after the other
  double end_to_end_ms = 0;    // first install to the result's publication
  double from_monitor_ms = 0;  // the monitor's install to the result: roll call, start, the run
  std::vector<double> latency_ms;
  std::uint64_t latency_dropped = 0;
  std::vector<RunProcess> processes;  // node agents, the monitor, wattd
};

void write_yaml(const std::string& path, const YAML::Node& node) {
  std::ofstream out(path, std::ios::trunc);
  out << node << '\n';
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

pid_t pid_in(const std::string& output) {  // "started ID (pid N)"
  const auto at = output.find("(pid ");
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::stol(output.substr(at + 5)));
}

std::string log_tail(const watt::test::Platform& p, const std::string& id, std::size_t lines) {
  std::ifstream in(p.home() + "/logs/" + id + ".log");
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    " + all[i] + "\n";
  return out;
}

pid_t install(const watt::test::Platform& p, const std::string& lib, const std::string& id, const std::string& file) {
  const auto e = p.cli({"install", lib, "--identity", id, "--config", file, "--start"});
  if (e.code != 0) throw std::runtime_error("watt install " + id + " failed: " + e.out + e.err);
  return pid_in(e.out);
}

Outcome run_on_bus(const Case& c, const Settings& s) {
  Outcome o;
  watt::test::Platform p;
  const std::string dir = p.home() + "/ed";
  std::filesystem::create_directories(dir);
  const auto lib = [](const std::string& name) { return (watt::test::lib_dir() / ("lib" + name + ".so")).string(); };

  // The files `watt-ed plan` would write: one per node agent, and the monitor's.
  std::vector<std::pair<std::string, std::string>> agents;  // identity, file
  for (const auto& [name, yaml] : ed::split_run(c.config, c.per_agent)) {
    const auto id = c.config.run + "-" + (name.rfind("node-", 0) == 0 ? name.substr(5) : name);
    agents.emplace_back(id, dir + "/" + name + ".yml");
    write_yaml(agents.back().second, yaml);
    o.processes.push_back({id, yaml["nodes"].size(), 0, {}});
  }
  o.agents = agents.size();
  const std::string monitor_id = c.config.run + "-monitor", monitor_file = dir + "/monitor.yml";
  write_yaml(monitor_file, ed::to_yaml(c.config));

  // Both subscriptions are in place before anything is installed.
  auto results = p.client("bench-ed-result");
  std::optional<watt::Envelope> result;
  watt::SubscribeOptions lossless;
  lossless.delivery = watt::Delivery::lossless;  // the one message this waits for
  results->subscribe(
      ed::result_topic(c.config.run), [&](const watt::Envelope& e) { result = e; }, lossless);
  if (!results->sync(10s)) throw std::runtime_error("the result subscription was not confirmed");
  std::optional<bench::LatencyProbe> probe;
  if (s.latency) probe.emplace(p.address(), c.config.run);

  const auto t0 = watt::now_ns();
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (i % 4 == 0)
      progress(s, c.config.run + ": installing node agent " + std::to_string(i + 1) + " of " +
                      std::to_string(agents.size()));
    o.processes[i].pid = install(p, lib("ed-node"), agents[i].first, agents[i].second);
  }
  const auto t_monitor = watt::now_ns();
  o.install_ms = ms(t_monitor - t0);
  progress(s, c.config.run + ": installing the monitor, which starts the run");
  o.processes.push_back({monitor_id, 0, install(p, lib("ed-monitor"), monitor_id, monitor_file), {}});
  o.processes.push_back({"wattd (broker and control)", 0, p.process().pid(), {}});

  if (!results->spin_until([&] { return result.has_value(); }, std::chrono::seconds(s.timeout_s))) {
    o.failure = "no result within " + std::to_string(s.timeout_s) + " s; the monitor's log ends:\n" +
                log_tail(p, monitor_id, 15);
  } else {
    // The monitor's publication time, not our receipt: `watt install` of the
    // monitor may return after a short run has already finished.
    o.end_to_end_ms = ms(result->timestamp_ns - t0);
    o.from_monitor_ms = ms(result->timestamp_ns - t_monitor);
    try {
      o.result = result->body.as<ed::ResultMsg>();
    } catch (const std::exception& e) {
      o.failure = std::string("undecodable result: ") + e.what();
    }
  }
  for (auto& proc : o.processes) {
    proc.cpu_s = cpu_seconds(proc.pid);
    if (c.memory) proc.mem = bench::mem_of(proc.pid);
  }
  if (probe) {
    o.latency_ms = probe->finish();
    if (auto peers = results->peers(); peers)
      for (const auto& peer : peers.value())
        if (peer.identity == "bench-ed-latency") o.latency_dropped = peer.dropped;
  }
  if (o.result && !o.result->lost.empty()) {
    std::string ids;
    for (const auto& l : o.result->lost) ids += " " + l.id + " (by " + l.detected_by + ")";
    std::cerr << "bench_ed: " << c.config.run << ": nodes declared lost:" << ids << "; the monitor's log ends:\n"
              << log_tail(p, monitor_id, 15);
  }
  progress(s, c.config.run + ": stopping the platform");
  return o;
}

// ---- output -------------------------------------------------------------------------------------

struct Row {
  const Case* c;
  Baseline base;
  Outcome bus;
};

std::string graph_label(const Row& r) {
  const bool complete = r.c->config.graph.kind == ed::GraphSpec::Kind::complete;
  return (complete ? std::string("complete") : "random, degree " + bench::fixed(r.c->config.graph.degree, 0)) + " (" +
         bench::grouped(static_cast<double>(r.base.edges)) + " edges)";
}

std::string layout(const Row& r) {
  const auto n = r.c->config.members.size();
  const auto agents = (n + r.c->per_agent - 1) / r.c->per_agent;
  return std::to_string(agents) + " x " + std::to_string(r.c->per_agent);
}

void print_runs(const std::vector<Row>& rows) {
  bench::Table t({"nodes", "graph", "agents x nodes", "epsilon", "iterations: bus / simulate", "status",
                  "max |P - P*| kW", "lambda"});
  for (const auto& r : rows) {
    const auto& res = r.bus.result;
    const bool same = res && res->iterations == r.base.iterations;
    t.add({r.c->label, graph_label(r), layout(r), bench::fixed(r.base.epsilon, 5),
           (res ? std::to_string(res->iterations) : "-") + " / " + std::to_string(r.base.iterations) +
               (res && !same ? "  ** DIFFER **" : ""),
           res ? res->status + (res->lost.empty() ? "" : ", " + std::to_string(res->lost.size()) + " lost") : "FAILED",
           res ? bench::fixed(res->central.max_p_error_kw, 4) : "-", res ? bench::fixed(res->lambda, 4) : "-"});
  }
  t.print(std::cout);
}

std::string cpu_split(const Outcome& o) {
  double wattd = 0, nodes = 0, monitor = 0;
  for (const auto& p : o.processes)
    (p.nodes > 0 ? nodes : p.identity.rfind("wattd", 0) == 0 ? wattd : monitor) += p.cpu_s;
  return bench::fixed(wattd, 2) + " / " + bench::fixed(nodes, 2) + " / " + bench::fixed(monitor, 2);
}

void print_times(const std::vector<Row>& rows) {
  bench::Table t({"nodes", "graph", "run ms (monitor)", "ms / iteration", "from monitor install ms",
                  "end to end ms (of it installs)", "simulate ms (us / it.)", "auto epsilon ms",
                  "CPU s: wattd / nodes / monitor"});
  for (const auto& r : rows) {
    const auto& res = r.bus.result;
    const auto it = [](std::uint64_t k) { return static_cast<double>(std::max<std::uint64_t>(k, 1)); };
    t.add({r.c->label, r.c->config.graph.kind == ed::GraphSpec::Kind::complete ? "complete" : "random",
           res ? bench::fixed(res->wall_ms, 1) : "-", res ? bench::fixed(res->wall_ms / it(res->iterations), 3) : "-",
           res ? bench::fixed(r.bus.from_monitor_ms, 0) : "-",
           res ? bench::fixed(r.bus.end_to_end_ms, 0) + " (" + bench::fixed(r.bus.install_ms, 0) + ")" : "-",
           bench::fixed(r.base.sim_ms, 3) + " (" + bench::fixed(1000 * r.base.sim_ms / it(r.base.iterations), 1) + ")",
           bench::fixed(r.base.epsilon_ms, 1), cpu_split(r.bus)});
  }
  t.print(std::cout);
}

// Per-iteration bus latency of the nodes' state messages.
void print_latency(const std::vector<Row>& rows) {
  bench::Table t({"nodes", "graph", "state messages received", "dropped (best effort)", "p50 ms", "p99 ms", "max ms"});
  for (const auto& r : rows) {
    const auto& l = r.bus.latency_ms;
    if (l.empty()) continue;
    t.add({r.c->label, r.c->config.graph.kind == ed::GraphSpec::Kind::complete ? "complete" : "random",
           bench::grouped(static_cast<double>(l.size())), bench::grouped(static_cast<double>(r.bus.latency_dropped)),
           bench::fixed(bench::percentile(l, 50), 3), bench::fixed(bench::percentile(l, 99), 3),
           bench::fixed(l.back(), 3)});
  }
  t.print(std::cout);
}

void print_memory(const Row& r) {
  std::cout << "\nmemory, " << r.c->label << " nodes, " << graph_label(r)
            << ", read just after the result (MiB = 1024 KiB)\n\n";
  bench::Table t({"process", "nodes", "VmRSS (MiB)", "RssAnon (MiB)", "RssFile (MiB)", "Pss (MiB)", "CPU s"});
  bench::Mem sum{0, 0, 0, 0};
  for (const auto& p : r.bus.processes) {
    t.add({p.identity, p.nodes > 0 ? std::to_string(p.nodes) : "", mib_of(p.mem.rss), mib_of(p.mem.anon),
           mib_of(p.mem.file), mib_of(p.mem.pss), bench::fixed(p.cpu_s, 2)});
    sum.rss += std::max(0L, p.mem.rss);
    sum.anon += std::max(0L, p.mem.anon);
    sum.file += std::max(0L, p.mem.file);
    sum.pss += std::max(0L, p.mem.pss);
  }
  t.add({"all, sum", std::to_string(r.c->config.members.size()), mib_of(sum.rss), mib_of(sum.anon), mib_of(sum.file),
         mib_of(sum.pss), ""});
  t.print(std::cout);
}

bool print_targets(const std::vector<Row>& rows) {
  bool all_equal = true;
  for (const auto& r : rows) {
    if (!r.bus.result || r.bus.result->iterations != r.base.iterations) all_equal = false;
    const auto& res = r.bus.result;
    const bool complete = r.c->config.graph.kind == ed::GraphSpec::Kind::complete;
    if (r.c->config.run == "ed16-complete") {
      const bool it_met = res && res->status == "converged" && res->iterations <= target_iterations_16;
      std::cout << "target: 16 nodes within " << target_iterations_16
                << " iterations (the reference run: " << reference_iterations
                << "): " << (res ? std::to_string(res->iterations) : "no result") << ", "
                << (it_met ? "met" : "NOT met") << "; well under 1 s: the run "
                << (res ? bench::fixed(res->wall_ms, 1) : "-") << " ms, from the monitor's install "
                << (res ? bench::fixed(r.bus.from_monitor_ms, 0) : "-") << " ms, from the first of " << r.bus.agents + 1
                << " installs " << (res ? bench::fixed(r.bus.end_to_end_ms, 0) : "-") << " ms\n";
    }
    if (r.c->config.members.size() == 1000 && !complete)
      std::cout << "target: 1,000 nodes on the sparse graph converge on this machine: "
                << (res ? res->status + " in " + std::to_string(res->iterations) + " iterations, " +
                              bench::fixed(res->wall_ms / 1000, 2) + " s (end to end " +
                              bench::fixed(r.bus.end_to_end_ms / 1000, 2) + " s)"
                        : std::string("no result"))
                << ", " << (res && res->status == "converged" ? "met" : "NOT met") << "\n";
  }
  std::cout << "iterations on the bus equal to simulate(): " << (all_equal ? "yes, in every run" : "NO") << "\n";
  return all_equal;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Consensus economic dispatch on a real platform, beside the same case simulated in memory"};
  Settings s;
  app.add_option("--only", s.only, "one size only: 16, 100 or 1000")->check(CLI::IsMember({16, 100, 1000}));
  bool skip_complete_1000 = false;
  app.add_flag("--skip-complete-1000", skip_complete_1000, "leave out the 1,000-node complete graph");
  app.add_option("--k-max", s.k_max, "iteration limit of every run")->capture_default_str();
  app.add_option("--seed", s.seed, "seed of the random cases and the random graphs")->capture_default_str();
  app.add_option("--degree", s.degree, "average degree of the sparse random graph")->capture_default_str();
  bool no_latency = false;
  app.add_flag("--no-latency", no_latency, "no latency subscriber (it adds one delivery per state message)");
  app.add_option("--timeout-s", s.timeout_s, "give up on a run after this long")->capture_default_str();
  app.add_option("--ed16", s.ed16, "the 16-node run file")->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "progress on stderr");
  CLI11_PARSE(app, argc, argv);
  s.complete_1000 = !skip_complete_1000;
  s.latency = !no_latency;
  bench::quiet_sdk_logs(false);
  bench::raise_nofile();  // inherited by wattd and its agents
  ::signal(SIGPIPE, SIG_IGN);

  const auto t_begin = bench::Clock::now();
  try {
    bench::print_machine(std::cout);
    std::cout << "each run: a fresh wattd, the node agents and the monitor installed with `watt install --start`; "
              << "random cases and graphs with seed " << s.seed << "; k_max " << s.k_max << "\n\n";
    const auto all = cases(s);
    std::vector<Row> rows;
    for (const auto& c : all) {
      progress(s, c.config.run + ": simulating in memory");
      Row r{&c, simulate_case(c.config), {}};
      std::cout << "layout " << c.config.run << ": " << layout(r) << " (node agents x nodes each) + the monitor\n";
      r.bus = run_on_bus(c, s);
      if (!r.bus.failure.empty()) std::cerr << "bench_ed: " << c.config.run << ": " << r.bus.failure << "\n";
      rows.push_back(std::move(r));
    }
    std::cout << "\n";
    print_runs(rows);
    std::cout << "\n";
    print_times(rows);
    if (s.latency) {
      std::cout << "\nbus latency of the nodes' state messages (ed/<run>/<node>): receipt by a best-effort subscriber "
                << "in its own thread minus the envelope's publish time\n\n";
      print_latency(rows);
    }
    for (const auto& r : rows)
      if (r.c->memory && r.bus.result) print_memory(r);
    std::cout << "\n";
    const bool equal = print_targets(rows);
    std::cout << "\ntotal runtime "
              << bench::fixed(std::chrono::duration<double>(bench::Clock::now() - t_begin).count(), 1) << " s\n";
    return equal ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_ed: " << e.what() << "\n";
    return 1;
  }
}
