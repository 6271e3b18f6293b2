// bench_containers: agent containers (docs/containers.md) against a real wattd
// (the tests' Platform), each figure beside its baseline from the same run.
//   scale    N idle agents (one lossless subscription and one exported method
//            each) in one watt-container: the time until all of them joined,
//            what the container and wattd hold per agent, whether the
//            platform still answers, the time to stop them all; beside the
//            same agent in processes of its own (watt-agent).
//   traffic  pub/sub throughput and RPC round trips between two agents of one
//            container, of two containers, and of two processes (the
//            baseline), all on one platform, measured in turns.
#include "bench_common.hpp"
#include "platform.hpp"

#include <watt/client.hpp>
#include <watt/container.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#ifndef WATT_BENCH_BIN_DIR
#define WATT_BENCH_BIN_DIR "."
#endif
#ifndef WATT_BENCH_AGENT_LIB
#define WATT_BENCH_AGENT_LIB "libbench_agent.so"
#endif

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using watt::test::Process;

struct Settings {
  std::vector<int> sizes = {1000, 10000};
  int processes = 50;    // agents in processes of their own, for the baseline
  long flood = 100'000;  // messages per throughput run
  long calls = 5000;     // round trips per latency run
  int rounds = 5;        // traffic: the layouts measured in turns
  int threads = 2;
  int one_by_one = 1000;                  // install: agents installed one command each
  std::vector<int> bulk = {1000, 10000};  // install: agents installed with one --from file
  std::vector<std::string> parts = {"scale", "traffic", "neighbours"};
  bool has(const std::string& part) const { return std::find(parts.begin(), parts.end(), part) != parts.end(); }
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
std::string bin(const std::string& name) { return std::string(WATT_BENCH_BIN_DIR) + "/" + name; }
std::string kib(double k) { return bench::fixed(k, 1) + " KiB"; }

std::string agent_name(const std::string& prefix, int i) { return prefix + std::to_string(100000 + i).substr(1); }

// Polls the broker's peer list until `n` peers start with `prefix`.
bool joined(watt::Client& c, const std::string& prefix, int n, std::chrono::seconds within) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    if (auto peers = c.peers(30s)) {
      int found = 0;
      for (const auto& p : *peers) found += p.identity.starts_with(prefix) ? 1 : 0;
      if (found >= n) return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::unique_ptr<Process> container(const watt::test::Platform& p, const std::string& name,
                                   const std::vector<std::string>& agents, int threads) {
  const auto file = std::string(p.home()) + "/" + name + ".yml";
  std::ofstream out(file);
  out << "agents:\n";
  for (const auto& a : agents) out << "  - {identity: " << a << ", library: " << WATT_BENCH_AGENT_LIB << "}\n";
  out.close();
  return std::make_unique<Process>(
      std::vector<std::string>{bin("watt-container"), "--name", name, "--connect", p.address(), "--agents", file,
                               "--threads", std::to_string(threads), "--heartbeat-ms", "10000"},
      p.home(), p.env());
}

// ---- scale ---------------------------------------------------------------------------------------

struct Scale {
  int agents = 0;
  double join_s = 0, stop_s = 0, peers_ms = 0, ping_ms = 0;
  bench::Mem container, wattd_idle, wattd_loaded;
};

Scale scale(int n, int threads) {
  watt::test::Platform p;
  bench::sleep_ms(1000);
  Scale s;
  s.agents = n;
  s.wattd_idle = bench::mem_of(p.process().pid());
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(agent_name("idle", i));
  const auto t0 = Clock::now();
  auto c = container(p, "big", names, threads);
  auto client = p.client("bench");
  if (!joined(*client, "container.big", 1, 60s) || !joined(*client, "idle", n, 300s))
    throw std::runtime_error("the container's agents did not all join: " + c->err());
  s.join_s = seconds_since(t0);
  bench::sleep_ms(2000);
  s.container = bench::mem_of(c->pid());
  s.wattd_loaded = bench::mem_of(p.process().pid());
  auto t1 = Clock::now();
  (void)client->peers(30s);
  s.peers_ms = seconds_since(t1) * 1000;
  t1 = Clock::now();
  if (n > 0 && !client->call(names[static_cast<std::size_t>(n / 2)], "ping").get())
    throw std::runtime_error("an agent did not answer");
  s.ping_ms = seconds_since(t1) * 1000;
  t1 = Clock::now();
  c->stop(120s);
  s.stop_s = seconds_since(t1);
  return s;
}

struct Alone {
  bench::Mem mean;  // per process
  double wattd_kib_per_agent = 0;
};

Alone alone(int n) {
  watt::test::Platform p;
  bench::sleep_ms(1000);
  const auto idle = bench::mem_of(p.process().pid());
  std::vector<std::unique_ptr<Process>> agents;
  for (int i = 0; i < n; ++i)
    agents.push_back(
        std::make_unique<Process>(std::vector<std::string>{bin("watt-agent"), WATT_BENCH_AGENT_LIB, "--identity",
                                                           agent_name("solo", i), "--connect", p.address()},
                                  p.home(), p.env()));
  auto client = p.client("bench");
  if (!joined(*client, "solo", n, 120s)) throw std::runtime_error("the agents in processes did not all join");
  bench::sleep_ms(2000);
  Alone a;
  bench::Mem sum{0, 0, 0, 0};
  for (auto& agent : agents) {
    const auto m = bench::mem_of(agent->pid());
    sum = {sum.rss + m.rss, sum.anon + m.anon, sum.file + m.file, sum.pss + m.pss};
  }
  a.mean = {sum.rss / n, sum.anon / n, sum.file / n, sum.pss / n};
  a.wattd_kib_per_agent = static_cast<double>(bench::mem_of(p.process().pid()).rss - idle.rss) / n;
  for (auto& agent : agents) agent->stop();
  return a;
}

// ---- traffic -------------------------------------------------------------------------------------

struct Traffic {
  std::string layout;
  std::string x, y;                                // the caller and the callee
  std::vector<double> msgs_per_s, p50_us, p99_us;  // one per round
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One round for one layout: x floods y, then times round trips to it.
void measure(watt::Client& c, Traffic& t, long flood, long calls) {
  watt::CallOptions long_call;
  long_call.timeout = 120s;
  const long before = c.call(t.y, "received").get()->as<long>();
  const auto t0 = Clock::now();
  if (!c.call_with(long_call, t.x, "flood", t.y, flood).get()) throw std::runtime_error("flood failed");
  while (c.call(t.y, "received").get()->as<long>() < before + flood) std::this_thread::sleep_for(1ms);
  t.msgs_per_s.push_back(static_cast<double>(flood) / seconds_since(t0));
  const auto rtt = c.call_with(long_call, t.x, "rtt", t.y, calls).get();
  if (!rtt) throw std::runtime_error("rtt failed: " + rtt.error().what());
  const auto v = rtt->as<std::vector<double>>();
  t.p50_us.push_back(v[0]);
  t.p99_us.push_back(v[1]);
}

// All three layouts on one platform, measured in turns, round after round:
// this machine's noise (other tenants, the CPU's clock) falls on all alike,
// and the medians over rounds are compared.
std::vector<Traffic> traffic(const Settings& s) {
  watt::test::Platform p;
  std::vector<std::unique_ptr<Process>> procs;
  procs.push_back(container(p, "c1", {"x1", "y1"}, s.threads));
  procs.push_back(container(p, "c2", {"x2"}, s.threads));
  procs.push_back(container(p, "c3", {"y2"}, s.threads));
  for (const char* id : {"x3", "y3"})
    procs.push_back(std::make_unique<Process>(
        std::vector<std::string>{bin("watt-agent"), WATT_BENCH_AGENT_LIB, "--identity", id, "--connect", p.address()},
        p.home(), p.env()));
  std::vector<Traffic> layouts{{"one container", "x1", "y1", {}, {}, {}},
                               {"two containers", "x2", "y2", {}, {}, {}},
                               {"two processes", "x3", "y3", {}, {}, {}}};
  auto client = p.client("bench");
  for (const auto& t : layouts)
    if (!joined(*client, t.x, 1, 30s) || !joined(*client, t.y, 1, 30s))
      throw std::runtime_error(t.x + " and " + t.y + " did not join");
  for (auto& t : layouts) {  // warm up
    Traffic scratch = t;
    measure(*client, scratch, s.flood / 10, s.calls / 10);
  }
  for (int round = 0; round < s.rounds; ++round)
    for (std::size_t i = 0; i < layouts.size(); ++i)  // each layout first in its turn
      measure(*client, layouts[(i + static_cast<std::size_t>(round)) % layouts.size()], s.flood, s.calls);
  return layouts;
}

// ---- a slow neighbour ---------------------------------------------------------------------------

struct Neighbours {
  int busy = 0;
  double first_us = 0, p50_us = 0, max_us = 0;
};

// Round trips from outside to agent y of a container of `threads` threads,
// while `busy` other agents of it are each in a 1 s callback.
Neighbours slow_neighbours(int busy, int threads, long calls) {
  watt::test::Platform p;
  auto c = container(p, "c1", {"y", "z0", "z1", "z2"}, threads);
  auto client = p.client("bench");
  if (!joined(*client, "z2", 1, 30s)) throw std::runtime_error("the agents did not join");
  for (int i = 0; i < 50; ++i) (void)client->call("y", "ping").get();  // warm up
  std::vector<watt::Call> slow;
  watt::CallOptions o;
  o.timeout = 10s;
  for (int i = 0; i < busy; ++i) slow.push_back(client->call_with(o, "z" + std::to_string(i), "busy", 1000L));
  client->sync();  // the busy calls are on their way before the first ping
  bench::sleep_ms(20);
  std::vector<double> us;
  for (long i = 0; i < calls; ++i) {
    const auto t0 = Clock::now();
    if (!client->call_with(o, "y", "ping").get()) throw std::runtime_error("y did not answer");
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  for (auto& call : slow)
    if (auto r = call.get(); !r) throw std::runtime_error("a busy call failed: " + r.error().what());
  const double first = us.front();
  std::sort(us.begin(), us.end());
  return {busy, first, us[us.size() / 2], us.back()};
}

void print_scale(const std::vector<Scale>& runs, const Alone& a, int processes) {
  const Scale& base = runs.front();  // the container with no agents
  bench::Table t({"agents", "joined in", "container RSS", "per agent", "wattd RSS", "wattd per agent",
                  "total per agent", "peers list", "ping", "stopped in"});
  for (const auto& r : runs) {
    const double per = r.agents > 0 ? static_cast<double>(r.container.rss - base.container.rss) / r.agents : 0;
    const double wattd = r.agents > 0 ? static_cast<double>(r.wattd_loaded.rss - r.wattd_idle.rss) / r.agents : 0;
    t.add({std::to_string(r.agents), bench::fixed(r.join_s, 2) + " s", kib(static_cast<double>(r.container.rss)),
           kib(per), kib(static_cast<double>(r.wattd_loaded.rss)), kib(wattd), kib(per + wattd),
           bench::fixed(r.peers_ms, 1) + " ms", bench::fixed(r.ping_ms, 2) + " ms", bench::fixed(r.stop_s, 2) + " s"});
  }
  t.print(std::cout);
  std::cout << "\nbaseline: " << processes << " agents in processes of their own (watt-agent): RSS "
            << kib(static_cast<double>(a.mean.rss)) << ", PSS " << kib(static_cast<double>(a.mean.pss))
            << " each, wattd " << kib(a.wattd_kib_per_agent) << " per agent\n";
}

// ---- install through the platform -------------------------------------------------------------

// How many agents of container `name` the platform counts running
// (`watt container list`: CONTAINER STATE PID AGENTS RUNNING …), and its pid.
std::pair<long, long> container_running(watt::test::Platform& p, const std::string& name) {
  std::istringstream rows(p.cli({"container", "list"}).out);
  for (std::string row; std::getline(rows, row);) {
    std::istringstream cells(row);
    std::string cname, state;
    long pid = 0, agents = 0, up = 0;
    if (cells >> cname >> state >> pid >> agents >> up && cname == name) return {up, pid};
  }
  return {0, 0};
}

struct Installed {
  std::string how;
  int n = 0;
  double install_s = 0, start_s = 0, list_ms = 0, rss_per_agent_kib = 0;
};

// n agents into container "big", then `watt container start` until the
// platform counts them all running: one `watt install` each, or one
// `watt install --from FILE` for all.
Installed install_run(int n, bool bulk) {
  watt::test::Platform p;
  Installed r;
  r.how = bulk ? "watt install --from FILE" : "watt install, one command each";
  r.n = n;
  const auto t0 = Clock::now();
  if (bulk) {
    const auto file = p.home() + "/many.yml";
    std::ofstream out(file);
    out << "defaults: {library: " << WATT_BENCH_AGENT_LIB << ", container: big}\nagents:\n";
    for (int i = 0; i < n; ++i) out << "  - identity: " << agent_name("inst", i) << "\n";
    out.close();
    const auto res = p.cli({"install", "--from", file});
    if (res.code != 0) throw std::runtime_error("install --from failed: " + res.err);
  } else {
    for (int i = 0; i < n; ++i) {
      const auto res = p.cli({"install", WATT_BENCH_AGENT_LIB, "-i", agent_name("inst", i), "--container", "big"});
      if (res.code != 0) throw std::runtime_error("install failed: " + res.err);
    }
  }
  r.install_s = seconds_since(t0);
  const auto t1 = Clock::now();
  if (p.cli({"container", "start", "big"}).code != 0) throw std::runtime_error("container start failed");
  while (container_running(p, "big").first < n) {
    if (seconds_since(t1) > 600) throw std::runtime_error("not all running after 600 s");
    std::this_thread::sleep_for(100ms);
  }
  r.start_s = seconds_since(t1);
  bench::sleep_ms(2000);  // settled
  r.rss_per_agent_kib =
      static_cast<double>(bench::mem_of(static_cast<pid_t>(container_running(p, "big").second)).rss) / n;
  const auto t2 = Clock::now();
  if (p.cli({"list"}).code != 0) throw std::runtime_error("watt list failed");
  r.list_ms = seconds_since(t2) * 1000;
  return r;
}

void install_table(const Settings& s) {
  std::vector<Installed> runs;
  if (s.one_by_one > 0) runs.push_back(install_run(s.one_by_one, false));
  for (int n : s.bulk) runs.push_back(install_run(n, true));
  bench::Table t({"agents", "how", "install", "per agent", "container start until all running",
                  "container RSS per agent", "watt list"});
  for (const auto& r : runs)
    t.add({std::to_string(r.n), r.how, bench::fixed(r.install_s, 1) + " s",
           bench::fixed(r.install_s * 1000 / r.n, 2) + " ms", bench::fixed(r.start_s, 2) + " s",
           kib(r.rss_per_agent_kib), bench::fixed(r.list_ms, 0) + " ms"});
  std::cout << "\n";
  t.print(std::cout);
}

void traffic_table(const Settings& s) {
  const auto layouts = traffic(s);
  const Traffic& base = layouts.back();
  const double base_msgs = median(base.msgs_per_s), base_p50 = median(base.p50_us);
  bench::Table t(
      {"between", "pub/sub msgs/s", "vs processes", "RPC p50 µs", "vs processes", "RPC p99 µs", "p50 per round µs"});
  for (const auto& r : layouts) {
    std::string rounds;
    for (double v : r.p50_us) rounds += (rounds.empty() ? "" : " ") + bench::fixed(v, 0);
    const bool is_base = &r == &base;
    t.add({r.layout + (is_base ? " (baseline)" : ""), bench::grouped(median(r.msgs_per_s)),
           bench::fixed(median(r.msgs_per_s) / base_msgs, 2) + "x", bench::fixed(median(r.p50_us), 1),
           bench::fixed(median(r.p50_us) / base_p50, 2) + "x", bench::fixed(median(r.p99_us), 1), rounds});
  }
  std::cout << "\nmedians of " << s.rounds << " rounds (" << s.calls << " round trips and " << s.flood
            << " messages each), the layouts in turns\n";
  t.print(std::cout);
}

void neighbours_table(const Settings& s) {
  bench::Table n({"agents in a 1 s callback (" + std::to_string(s.threads) + " threads)", "first ping µs",
                  "ping p50 µs", "slowest µs"});
  for (int busy = 0; busy <= s.threads; ++busy) {
    const auto r = slow_neighbours(busy, s.threads, 200);
    n.add({std::to_string(r.busy), bench::fixed(r.first_us, 1), bench::fixed(r.p50_us, 1), bench::fixed(r.max_us, 1)});
  }
  std::cout << "\n";
  n.print(std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Agent containers: scale and traffic, beside agents in processes of their own"};
  Settings s;
  app.add_option("--sizes", s.sizes, "agents in the container, one run each");
  app.add_option("--processes", s.processes, "agents in processes of their own, for the baseline");
  app.add_option("--flood", s.flood, "messages per throughput run");
  app.add_option("--calls", s.calls, "round trips per latency run");
  app.add_option("--rounds", s.rounds, "traffic: rounds, each measuring every layout in turn");
  app.add_option("--threads", s.threads, "the container's threads");
  app.add_option("--parts", s.parts, "scale, traffic, neighbours, install (default: all but install)");
  app.add_option("--one-by-one", s.one_by_one, "install: agents installed one `watt install` each (0: none)");
  app.add_option("--bulk", s.bulk, "install: agents installed with one `watt install --from`, one run each");
  CLI11_PARSE(app, argc, argv);
  try {
    if (s.has("scale")) {
      std::vector<Scale> runs{scale(0, s.threads)};
      for (int n : s.sizes) runs.push_back(scale(n, s.threads));
      print_scale(runs, alone(s.processes), s.processes);
    }
    if (s.has("traffic")) traffic_table(s);
    if (s.has("neighbours")) neighbours_table(s);
    if (s.has("install")) install_table(s);
  } catch (const std::exception& e) {
    std::cerr << "bench_containers: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
