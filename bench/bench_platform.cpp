// bench_platform: the platform's operations as an operator sees them, timed
// around the real `watt` command line against a real `wattd` started with
// `watt platform start` in a fresh temporary WATT_HOME:
//   1. `watt install LIB --identity ID --config F --start` until a subscriber
//      hears the agent's first message; `watt install` and `watt start` alone;
//   2. `watt config set ID config F` until it returns (it returns once the
//      running agent has accepted the configuration and the store has it);
//   3. resident memory of wattd and of 100 supervised agents.
// Baselines in the same run: spawning /bin/true; the same agent run directly
// with watt-agent (the bus, no control service); `watt config get` (one
// control RPC) and one `watt rpc` round trip to the agent; wattd with 0
// agents.
//
// The parent never touches ZeroMQ: commands are posix_spawn()ed and the
// subscriber lives in a forked child that reports arrival times on a pipe.
#include "bench_common.hpp"
#include "first_message.hpp"
#include "timed_command.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <set>

#ifndef WATT_BENCH_WATT_BIN
#define WATT_BENCH_WATT_BIN "watt"
#endif
#ifndef WATT_BENCH_AGENT_BIN
#define WATT_BENCH_AGENT_BIN "watt-agent"
#endif
#ifndef WATT_BENCH_PUBLISHER_LIB
#define WATT_BENCH_PUBLISHER_LIB "libpublisher.so"
#endif
#ifndef WATT_BENCH_LISTENER_LIB
#define WATT_BENCH_LISTENER_LIB "liblistener.so"
#endif

namespace {

using namespace std::chrono_literals;
using bench::add_row;
using bench::check_interrupted;
using bench::median;
using bench::Mem;
using bench::mem_of;
using bench::ms_between;
using bench::Outcome;
using bench::Platform;
using bench::run;
using bench::Samples;
using bench::series_direct;
using bench::series_install_start;
using bench::series_install_then_start;
using bench::start_process;
using bench::subscriber;
using bench::timing_table;
using bench::wait_first_message;
using bench::wait_process;
using bench::write_text;

constexpr double mib = 1024.0;  // KiB per MiB
constexpr double volttron_low_mib = 70.0, volttron_high_mib = 85.0;

struct Settings {
  int runs = 20;
  int config_runs = 50;
  int agents = 100;
  int period_ms = 50;
  int settle_ms = 2000;
  std::string watt_bin = WATT_BENCH_WATT_BIN;
  std::string agent_bin = WATT_BENCH_AGENT_BIN;
  std::string publisher_lib = WATT_BENCH_PUBLISHER_LIB;
  std::string listener_lib = WATT_BENCH_LISTENER_LIB;
  bool verbose = false;
};

void progress(const Settings& s, const std::string& what) {
  if (s.verbose) std::cerr << "bench_platform: " << what << "\n";
}

std::string mib_of(long kib) { return kib < 0 ? "-" : bench::fixed(static_cast<double>(kib) / mib, 2); }
std::string mib_of(double kib) { return kib < 0 ? "-" : bench::fixed(kib / mib, 2); }

std::string pad3(int i) {
  std::string n = std::to_string(i);
  return std::string(n.size() < 3 ? 3 - n.size() : 0, '0') + n;
}

// ---- 1. install + start to the first message ---------------------------------------------------

struct InstallResults {
  Samples spawn_true{"`/bin/true` (spawn + wait; baseline)", {}};
  Samples direct{"`watt-agent` run directly: spawn to first message (baseline)", {}};
  Samples install_start{"`watt install --start`: the command", {}};
  Samples install_start_first{"`watt install --start` to first message", {}};
  Samples install_alone{"`watt install` alone", {}};
  Samples start_alone{"`watt start` alone", {}};
  Samples start_first{"`watt start` to first message", {}};
  Samples remove{"`watt remove` (stop + uninstall)", {}};
  Samples direct_stop{"`watt-agent` run directly: SIGTERM to exit (baseline)", {}};
};

InstallResults bench_install(const Settings& s, const bench::TempDir& dir, Platform& platform, int report_fd,
                             bench::Children& kids) {
  InstallResults r;
  const std::string out = dir.file("cmd.out");
  for (int i = 0; i < s.runs; ++i) {
    progress(s, "install run " + std::to_string(i + 1) + " of " + std::to_string(s.runs));
    const std::string cfg = dir.file("pub" + std::to_string(i) + ".yml");
    write_text(cfg, "period_ms: " + std::to_string(s.period_ms) + "\ndevice: bench/p" + std::to_string(i) + "\n");

    // The floor of any command: a process spawned and reaped.
    r.spawn_true.ms.push_back(run({"/bin/true"}, out).ms);

    // (a) install --start, then the first message.
    const std::string id = "pub" + std::to_string(i);
    const auto t0 = bench::now_ns();
    const auto cmd = platform.watt({"install", s.publisher_lib, "--identity", id, "--config", cfg, "--start"});
    const auto first = wait_first_message(report_fd, series_install_start, i, 15s);
    r.install_start.ms.push_back(cmd.ms);
    r.install_start_first.ms.push_back(ms_between(t0, first));
    r.remove.ms.push_back(platform.watt({"remove", id}).ms);

    // (b) install, then start: each command alone.
    const std::string ids = "pubs" + std::to_string(i);
    r.install_alone.ms.push_back(platform.watt({"install", s.publisher_lib, "--identity", ids, "--config", cfg}).ms);
    const auto t1 = bench::now_ns();
    r.start_alone.ms.push_back(platform.watt({"start", ids}).ms);
    r.start_first.ms.push_back(ms_between(t1, wait_first_message(report_fd, series_install_then_start, i, 15s)));
    r.remove.ms.push_back(platform.watt({"remove", ids}).ms);

    // (c) the baseline: the same agent run directly, no control service.
    const std::string idd = "direct" + std::to_string(i);
    const auto t2 = bench::now_ns();
    const pid_t agent = kids.add(
        start_process({s.agent_bin, s.publisher_lib, "--identity", idd, "--config", cfg}, dir.file("direct.log")));
    const auto first_direct = wait_first_message(report_fd, series_direct, i, 15s);
    r.direct.ms.push_back(ms_between(t2, first_direct));
    const auto t3 = bench::now_ns();
    ::kill(agent, SIGTERM);
    wait_process(agent, 10s);
    r.direct_stop.ms.push_back(ms_between(t3, bench::now_ns()));
    kids.forget(agent);
  }
  return r;
}

// ---- 2. config set --------------------------------------------------------------------------

struct ConfigResults {
  Samples get{"`watt config get` (one control RPC; baseline)", {}};
  Samples push{"`watt rpc cfg ping` (one round trip to the agent, answered unknown_method; baseline)", {}};
  Samples set{"`watt config set` (push + store)", {}};
  int on_config_lines = 0;  // "listening to" lines the listener logged
  int expected_lines = 0;
};

int count_lines_with(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  int n = 0;
  for (std::string l; std::getline(in, l);) n += l.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

ConfigResults bench_config(const Settings& s, const bench::TempDir& dir, Platform& platform) {
  ConfigResults r;
  progress(s, "config: installing the listener 'cfg'");
  platform.watt({"install", s.listener_lib, "--identity", "cfg", "--start"});
  const std::array<std::string, 2> patterns = {"devices/a/#", "devices/b/#"};
  std::array<std::string, 2> files;
  for (std::size_t k = 0; k < 2; ++k) {
    files[k] = dir.file("cfg" + std::to_string(k) + ".yml");
    write_text(files[k], "patterns: [" + patterns[k] + "]\n");
  }
  const std::string log_file = platform.home() + "/logs/cfg.log";
  const int lines_before = count_lines_with(log_file, "listening to");
  for (int j = 0; j < s.config_runs; ++j) {
    if (j % 10 == 0) progress(s, "config run " + std::to_string(j + 1) + " of " + std::to_string(s.config_runs));
    const auto k = static_cast<std::size_t>(j % 2);
    const auto set = platform.watt({"config", "set", "cfg", "config", files[k]});
    if (set.output.find("applied") == std::string::npos)
      throw std::runtime_error("`watt config set` did not say 'applied': " + set.output);
    r.set.ms.push_back(set.ms);
    r.get.ms.push_back(platform.watt({"config", "get", "cfg", "config"}).ms);
    // A change pushed straight to the agent, bypassing the store; a third
    // pattern, so that every set and every push really changes what it hears.
    // Only the platform may push a configuration (watt.config refuses anyone
    // else): the baseline is one plain round trip to the same agent instead.
    r.push.ms.push_back(platform.watt({"rpc", "cfg", "ping"}, false).ms);  // exits 1: unknown_method, as expected
  }
  // Every set and every push ran on_config once: the listener says so.
  r.expected_lines = s.config_runs;  // one per `watt config set`
  bench::sleep_ms(200);              // the log is written by the agent; let it land
  r.on_config_lines = count_lines_with(log_file, "listening to") - lines_before;
  platform.watt({"remove", "cfg"});
  return r;
}

// ---- 3. memory with 100 agents ------------------------------------------------------------------

struct MemoryResults {
  Mem wattd_fresh, wattd_idle, wattd_loaded;
  Mem agents_sum;
  long agent_min_rss = -1, agent_max_rss = -1;
  int agents_measured = 0;
  double install_all_s = 0;
  Samples install_each{"`watt install --start` (listener, sequential)", {}};
  Samples list{"`watt list` with all agents running", {}};
  double stop_ms = 0;
};

// Agents `watt list` shows running among `ids`.
int count_running(const std::string& listing, const std::set<std::string>& ids) {
  std::istringstream in(listing);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, state;
    f >> id >> state;
    n += ids.contains(id) && state == "running" ? 1 : 0;
  }
  return n;
}

void bench_memory(const Settings& s, Platform& platform, MemoryResults& r) {
  r.wattd_idle = mem_of(platform.pid());
  std::set<std::string> ids;
  const auto t0 = bench::now_ns();
  for (int i = 0; i < s.agents; ++i) {
    if (i % 10 == 0)
      progress(s, "memory: installing agent " + std::to_string(i + 1) + " of " + std::to_string(s.agents));
    const std::string id = "a" + pad3(i);
    ids.insert(id);
    r.install_each.ms.push_back(platform.watt({"install", s.listener_lib, "--identity", id, "--start"}).ms);
  }
  r.install_all_s = ms_between(t0, bench::now_ns()) / 1000.0;
  const auto deadline = bench::Clock::now() + 60s;
  while (true) {
    const auto list = platform.watt({"list"});
    r.list.ms.push_back(list.ms);
    const int running = count_running(list.output, ids);
    if (running == s.agents) break;
    if (bench::Clock::now() > deadline)
      throw std::runtime_error("only " + std::to_string(running) + " of " + std::to_string(s.agents) +
                               " agents running after 60 s:\n" + list.output);
    bench::sleep_ms(100);
  }
  bench::sleep_ms(s.settle_ms);
  for (int k = 0; k < 4; ++k) r.list.ms.push_back(platform.watt({"list"}).ms);  // a few more samples
  r.wattd_loaded = mem_of(platform.pid());
  r.agents_sum = {0, 0, 0, 0};
  for (const auto& id : ids) {
    const pid_t pid = platform.agent_pid(id);
    if (pid <= 0) continue;
    const Mem m = mem_of(pid);
    if (m.rss < 0) continue;
    ++r.agents_measured;
    r.agents_sum.rss += m.rss;
    r.agents_sum.anon += m.anon;
    r.agents_sum.file += m.file;
    r.agents_sum.pss += m.pss;
    r.agent_min_rss = r.agent_min_rss < 0 ? m.rss : std::min(r.agent_min_rss, m.rss);
    r.agent_max_rss = std::max(r.agent_max_rss, m.rss);
  }
  progress(s, "memory: stopping the platform with " + std::to_string(s.agents) + " agents");
  r.stop_ms = platform.stop();
}

// ---- the report -------------------------------------------------------------------------------

void print_install(const Settings& s, const InstallResults& inst) {
  std::cout << "## 1. install + start to the first message (" << s.runs << " runs; the publisher's first message "
            << "comes one period, " << s.period_ms << " ms, after it started)\n\n";
  {
    auto t = timing_table();
    for (const auto* x : {&inst.spawn_true, &inst.direct, &inst.install_start, &inst.install_start_first,
                          &inst.install_alone, &inst.start_alone, &inst.start_first, &inst.direct_stop, &inst.remove})
      add_row(t, *x);
    t.print(std::cout);
  }
  const double first_p50 = median(inst.install_start_first.ms);
  const double direct_p50 = median(inst.direct.ms);
  std::cout << "\nplatform overhead over running the agent directly (p50): " << bench::fixed(first_p50 - direct_p50, 1)
            << " ms; without the agent's first period: install --start "
            << "to first message p50 " << bench::fixed(first_p50 - s.period_ms, 1) << " ms\n"
            << "reference: VOLTTRON's install + start takes seconds\n\n";
}

void print_config(const Settings& s, const InstallResults& inst, const ConfigResults& conf) {
  std::cout << "## 2. `watt config set` until the agent accepted it (" << s.config_runs
            << " runs, two configurations alternating)\n\n";
  {
    auto t = timing_table();
    for (const auto* x : {&inst.spawn_true, &conf.get, &conf.push, &conf.set}) add_row(t, *x);
    t.print(std::cout);
  }
  std::cout << "\nthe listener logged 'listening to …' " << conf.on_config_lines << " times for " << conf.expected_lines
            << " configuration changes" << (conf.on_config_lines == conf.expected_lines ? "" : "  ** MISMATCH **")
            << "\n"
            << "reference: VOLTTRON's config commands take about a second each\n\n";
}

void print_memory(const Settings& s, const MemoryResults& mem, double platform_start_ms) {
  std::cout << "## 3. memory with " << s.agents << " supervised agents (listener, default configuration; "
            << "read " << s.settle_ms << " ms after `watt list` showed all running; MiB = 1024 KiB)\n\n";
  {
    bench::Table t({"process", "VmRSS (MiB)", "RssAnon (MiB)", "RssFile (MiB)", "Pss (MiB)"});
    auto row = [&](const std::string& name, const Mem& m) {
      t.add({name, mib_of(m.rss), mib_of(m.anon), mib_of(m.file), mib_of(m.pss)});
    };
    row("wattd, fresh, 0 agents (baseline)", mem.wattd_fresh);
    row("wattd, 0 agents, after parts 1-2", mem.wattd_idle);
    row("wattd, " + std::to_string(s.agents) + " agents", mem.wattd_loaded);
    row(std::to_string(mem.agents_measured) + " agents, sum", mem.agents_sum);
    if (mem.agents_measured > 0) {
      const auto n = static_cast<double>(mem.agents_measured);
      t.add({"per agent, mean", mib_of(static_cast<double>(mem.agents_sum.rss) / n),
             mib_of(static_cast<double>(mem.agents_sum.anon) / n), mib_of(static_cast<double>(mem.agents_sum.file) / n),
             mib_of(static_cast<double>(mem.agents_sum.pss) / n)});
    }
    t.print(std::cout);
  }
  const double per_agent_rss_mib =
      mem.agents_measured > 0 ? static_cast<double>(mem.agents_sum.rss) / mem.agents_measured / mib : 0;
  const double per_agent_pss_mib =
      mem.agents_measured > 0 ? static_cast<double>(mem.agents_sum.pss) / mem.agents_measured / mib : 0;
  const double wattd_per_agent_kib =
      s.agents > 0 ? static_cast<double>(mem.wattd_loaded.rss - mem.wattd_fresh.rss) / s.agents : 0;
  const double wattd_per_agent_idle_kib =
      s.agents > 0 ? static_cast<double>(mem.wattd_loaded.rss - mem.wattd_idle.rss) / s.agents : 0;
  std::cout << "\nper agent: RSS " << mib_of(mem.agent_min_rss) << "-" << mib_of(mem.agent_max_rss)
            << " MiB (Pss, shared libraries counted once: " << bench::fixed(per_agent_pss_mib, 2)
            << " MiB); wattd grows by " << bench::fixed(wattd_per_agent_kib, 1) << " KiB per agent over its fresh RSS ("
            << bench::fixed(wattd_per_agent_idle_kib, 1) << " KiB over its RSS after parts 1-2)\n";
  {
    auto t = timing_table();
    add_row(t, mem.install_each);
    add_row(t, mem.list);
    t.print(std::cout << "\n");
  }
  std::cout << "\n"
            << s.agents << " agents installed and started one after the other in " << bench::fixed(mem.install_all_s, 1)
            << " s; `watt platform start` took " << bench::fixed(platform_start_ms, 0)
            << " ms; `watt platform stop` with " << s.agents << " agents " << bench::fixed(mem.stop_ms, 0) << " ms\n"
            << "reference: VOLTTRON " << bench::fixed(volttron_low_mib, 0) << "-" << bench::fixed(volttron_high_mib, 0)
            << " MiB per process; a supervised Watt agent here: " << bench::fixed(per_agent_rss_mib, 1) << " MiB RSS ("
            << bench::fixed(volttron_low_mib / per_agent_rss_mib, 0) << "-"
            << bench::fixed(volttron_high_mib / per_agent_rss_mib, 0) << "x less), "
            << bench::fixed(per_agent_pss_mib, 1) << " MiB Pss\n";
}

// The command line; returns an exit code when the run must not go on, else -1.
int parse_settings(int argc, char** argv, Settings& s) {
  CLI::App app{
      "Platform operations through the watt command line: install/start to the first message, "
      "config set, and memory with many supervised agents"};
  app.add_option("--runs", s.runs, "install/start runs (part 1)")->capture_default_str();
  app.add_option("--config-runs", s.config_runs, "config set runs (part 2)")->capture_default_str();
  app.add_option("--agents", s.agents, "supervised agents for the memory reading (part 3)")->capture_default_str();
  app.add_option("--period-ms", s.period_ms,
                 "the publisher agent's period (its first message comes one period "
                 "after it started)")
      ->capture_default_str();
  app.add_option("--settle-ms", s.settle_ms, "wait before the memory readings")->capture_default_str();
  app.add_option("--watt", s.watt_bin, "the watt command line (wattd and watt-agent are found beside it)")
      ->capture_default_str();
  app.add_option("--agent", s.agent_bin, "watt-agent, for the direct baseline")->capture_default_str();
  app.add_option("--publisher", s.publisher_lib, "publisher agent library")->capture_default_str();
  app.add_option("--listener", s.listener_lib, "listener agent library")->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "progress on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (s.runs < 1 || s.config_runs < 1 || s.agents < 0 || s.period_ms < 1 || s.settle_ms < 0) {
    std::cerr << "bench_platform: --runs and --config-runs must be >= 1, --agents >= 0, --period-ms >= 1\n";
    return 2;
  }
  for (const auto& f : {s.watt_bin, s.agent_bin, s.publisher_lib, s.listener_lib}) {
    if (!std::filesystem::exists(f)) {
      std::cerr << "bench_platform: " << f << " does not exist\n";
      return 2;
    }
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  if (const int bad = parse_settings(argc, argv, s); bad >= 0) return bad;
  // Absolute: `watt install` resolves the library in its own directory anyway,
  // but wattd and the agents must find it whatever their working directory.
  s.publisher_lib = std::filesystem::absolute(s.publisher_lib).string();
  s.listener_lib = std::filesystem::absolute(s.listener_lib).string();
  bench::raise_nofile();  // inherited by wattd and its agents
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = bench::on_interrupt;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  const auto t_begin = bench::now_ns();
  try {
    bench::TempDir dir;
    Platform platform(s.watt_bin, dir);
    bench::Children kids;
    bench::print_machine(std::cout);
    std::cout << "platform: " << s.watt_bin << " in a fresh WATT_HOME (" << dir.file("home") << ")\n\n";

    progress(s, "starting the platform");
    const auto t_start = bench::now_ns();
    platform.start();
    const double platform_start_ms = ms_between(t_start, bench::now_ns());
    bench::sleep_ms(1000);
    MemoryResults mem;
    mem.wattd_fresh = mem_of(platform.pid());

    // The subscriber, forked while the parent holds no ZeroMQ state.
    bench::Pipe reports, ctrl;
    const pid_t sub = kids.add(bench::spawn(
        [&] {
          ctrl.close_write();
          reports.close_read();
          return subscriber(reports.write_fd(), ctrl.read_fd());
        },
        reports.write_fd(), 0));
    reports.close_write();
    ctrl.close_read();
    (void)bench::collect(reports.read_fd(), bench::report_ready, 1, 15s);

    // 1.
    const InstallResults inst = bench_install(s, dir, platform, reports.read_fd(), kids);
    print_install(s, inst);
    // 2.
    const ConfigResults conf = bench_config(s, dir, platform);
    print_config(s, inst, conf);
    // The subscriber is no longer needed; part 3 measures agents alone.
    bench::write_all(ctrl.write_fd(), std::int64_t{1});
    wait_process(sub, 10s);
    kids.forget(sub);

    // 3.
    bench::sleep_ms(500);
    bench_memory(s, platform, mem);
    print_memory(s, mem, platform_start_ms);
    std::cout << "\ntotal runtime " << bench::fixed(ms_between(t_begin, bench::now_ns()) / 1000.0, 1) << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_platform: " << e.what() << "\n";
    return 1;
  }
}
