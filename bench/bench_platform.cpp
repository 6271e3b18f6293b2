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

#include <watt/client.hpp>

#include <CLI/CLI.hpp>

#include <spawn.h>
#include <sys/syscall.h>

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

extern char** environ;

namespace {

using namespace std::chrono_literals;

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

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) { interrupted = 1; }
void check_interrupted() {
  if (interrupted != 0) throw std::runtime_error("interrupted");
}

void progress(const Settings& s, const std::string& what) {
  if (s.verbose) std::cerr << "bench_platform: " << what << "\n";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

double ms_between(std::int64_t from_ns, std::int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e6; }

// ---- processes ---------------------------------------------------------------------------

// posix_spawn with stdout and stderr to `out` (truncated); the child inherits
// the environment (WATT_HOME) and no descriptor of ours (they are CLOEXEC).
pid_t start_process(const std::vector<std::string>& argv, const std::string& out) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  raw.reserve(args.size() + 1);
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, raw[0], &files, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (rc != 0) {
    errno = rc;
    bench::fail("posix_spawn " + argv[0]);
  }
  return pid;
}

// Waits for a child without polling (a pidfd); SIGKILL after the timeout.
// Returns the wait status, or -1 when it had to be killed.
int wait_process(pid_t pid, std::chrono::milliseconds timeout) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return bench::reap(pid, timeout);  // an old kernel: 1 ms polling
  pollfd p{pidfd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR && interrupted == 0);
  ::close(pidfd);
  int status = 0;
  if (r <= 0) {
    if (interrupted == 0) std::fprintf(stderr, "bench_platform: process %d did not finish in time; killing it\n", pid);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  ::waitpid(pid, &status, 0);
  return status;
}

struct Outcome {
  int status = 0;
  double ms = 0;
  std::string output;
  bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Runs a command to its end, timed from just before posix_spawn to just after
// waitpid. Throws (with its output) when it fails, unless `check` is false.
Outcome run(const std::vector<std::string>& argv, const std::string& out_file, bool check = true,
            std::chrono::milliseconds timeout = 90s) {
  check_interrupted();
  Outcome o;
  const auto t0 = bench::now_ns();
  const pid_t pid = start_process(argv, out_file);
  o.status = wait_process(pid, timeout);
  o.ms = ms_between(t0, bench::now_ns());
  o.output = read_text(out_file);
  if (check && !o.ok())
    throw std::runtime_error("`" + command_line(argv) + "` failed (status " + std::to_string(o.status) + "):\n" +
                             o.output);
  return o;
}

// ---- /proc --------------------------------------------------------------------------------

using bench::Mem;
using bench::mem_of;

pid_t pid_from_file(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

std::string cmdline_of(pid_t pid) {
  std::string text = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// ---- the platform ------------------------------------------------------------------------

// A wattd in `dir`/home, driven through the `watt` command line. The
// destructor stops it (`watt platform stop`) if it still runs; if that fails,
// it kills wattd and the agents of this home by their pids.
class Platform {
public:
  Platform(const Settings& s, const bench::TempDir& dir) : s_(s), home_(dir.file("home")), out_(dir.file("cmd.out")) {
    ::setenv("WATT_HOME", home_.c_str(), 1);  // every command (and wattd) inherits it
  }
  ~Platform() {
    if (!started_) return;
    // After Ctrl-C too, the platform is stopped gracefully; a second Ctrl-C
    // cuts that short and the processes are killed.
    interrupted = 0;
    try {
      stop();
    } catch (const std::exception& e) {
      std::cerr << "bench_platform: " << e.what() << "; killing the platform and its agents\n";
      kill_everything();
    }
  }
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  void start() {
    started_ = true;  // from here on the destructor cleans up, whatever happens
    run({s_.watt_bin, "platform", "start"}, out_, true, 30s);
    if (pid() <= 0) throw std::runtime_error("no pid in " + home_ + "/run/wattd.pid after `watt platform start`");
  }

  double stop() {
    if (!started_) return 0;
    started_ = false;
    const auto o = run({s_.watt_bin, "platform", "stop"}, out_, false, 90s);
    if (!o.ok()) throw std::runtime_error("`watt platform stop` failed: " + o.output);
    return o.ms;
  }

  Outcome watt(std::initializer_list<std::string> args, bool check = true) {
    std::vector<std::string> argv;
    argv.reserve(args.size() + 1);
    argv.push_back(s_.watt_bin);
    for (const auto& a : args) argv.push_back(a);
    return run(argv, out_, check);
  }

  pid_t pid() const { return pid_from_file(home_ + "/run/wattd.pid"); }
  pid_t agent_pid(const std::string& identity) const {
    return pid_from_file(home_ + "/run/agents/" + identity + ".pid");
  }
  const std::string& home() const { return home_; }

private:
  void kill_everything() {
    std::vector<pid_t> pids;
    if (const pid_t p = pid(); p > 0 && cmdline_of(p).find(home_) != std::string::npos) pids.push_back(p);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(home_ + "/run/agents", ec)) {
      const pid_t p = pid_from_file(e.path().string());
      // Only a process of this home: its command line names our socket.
      if (p > 0 && cmdline_of(p).find(home_) != std::string::npos) pids.push_back(p);
    }
    for (pid_t p : pids) ::kill(p, SIGTERM);
    bench::sleep_ms(2000);
    for (pid_t p : pids) ::kill(p, SIGKILL);
  }

  const Settings& s_;
  std::string home_;
  std::string out_;
  bool started_ = false;
};

// ---- the subscriber -------------------------------------------------------------------------

// Series of agents, by identity prefix; a report's v[1].
enum Series : std::int64_t { series_install_start = 0, series_install_then_start = 1, series_direct = 2 };
const std::array<std::string, 3> series_prefix = {"pub", "pubs", "direct"};

// A forked child: a watt::Client subscribed to devices/#; for the first
// message of every sender it reports (index, kind, {arrival ns, series}).
int subscriber(int report_fd, int ctrl_fd) {
  ::setenv("WATT_LOG_LEVEL", "error", 0);
  watt::Client c(bench::client_options("bench-sub", "", 10s));  // "": the home's socket
  std::set<std::string> seen;
  c.subscribe("devices/#", [&](const watt::Envelope& e) {
    const auto t = bench::now_ns();
    if (!seen.insert(e.sender).second) return;
    // The longest prefix followed by digits only.
    for (std::size_t k = series_prefix.size(); k-- > 0;) {
      const auto& prefix = series_prefix[k];
      if (e.sender.size() <= prefix.size() || e.sender.rfind(prefix, 0) != 0) continue;
      const std::string digits = e.sender.substr(prefix.size());
      if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
      bench::report(report_fd, std::stoi(digits), bench::report_done, {t, static_cast<std::int64_t>(k)});
      return;
    }
  });
  if (!c.sync(10s)) throw std::runtime_error("the subscription was not confirmed");
  bench::report(report_fd, 0, bench::report_ready);
  while (true) {
    c.spin_for(20ms);
    pollfd p{ctrl_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) break;  // a word from the parent, or the parent is gone
  }
  return 0;
}

// The arrival time of `series`/`index`'s first message.
std::int64_t wait_first_message(int fd, std::int64_t series, int index, std::chrono::milliseconds timeout) {
  const auto deadline = bench::Clock::now() + timeout;
  while (true) {
    check_interrupted();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - bench::Clock::now());
    bench::Report r;
    if (left.count() <= 0 || !bench::read_one(fd, r, std::min(left, std::chrono::milliseconds(200)))) {
      if (left.count() <= 0)
        throw std::runtime_error("no message from " + series_prefix[static_cast<std::size_t>(series)] +
                                 std::to_string(index) + " within " + std::to_string(timeout.count()) + " ms");
      continue;
    }
    if (r.kind == bench::report_failed) throw std::runtime_error("the subscriber failed");
    if (r.kind == bench::report_done && r.v[1] == series && r.who == index) return r.v[0];
  }
}

// ---- statistics -------------------------------------------------------------------------------

struct Samples {
  std::string name;
  std::vector<double> ms;
};

void add_row(bench::Table& t, const Samples& s) {
  auto v = s.ms;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  const auto f = [](double x) { return bench::fixed(x, 1); };
  if (v.empty()) {
    t.add({s.name, "0", "-", "-", "-", "-", "-"});
    return;
  }
  t.add({s.name, std::to_string(v.size()), f(v.front()), f(bench::percentile(v, 50)), f(bench::percentile(v, 90)),
         f(v.back()), f(sum / static_cast<double>(v.size()))});
}

bench::Table timing_table() { return bench::Table({"operation (ms)", "runs", "min", "p50", "p90", "max", "mean"}); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return bench::percentile(v, 50);
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Platform operations through the watt command line: install/start to the first message, "
      "config set, and memory with many supervised agents"};
  Settings s;
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
  CLI11_PARSE(app, argc, argv);
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
  // Absolute: `watt install` resolves the library in its own directory anyway,
  // but wattd and the agents must find it whatever their working directory.
  s.publisher_lib = std::filesystem::absolute(s.publisher_lib).string();
  s.listener_lib = std::filesystem::absolute(s.listener_lib).string();
  bench::raise_nofile();  // inherited by wattd and its agents
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  const auto t_begin = bench::now_ns();
  try {
    bench::TempDir dir;
    Platform platform(s, dir);
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
    std::cout << "\nplatform overhead over running the agent directly (p50): "
              << bench::fixed(first_p50 - direct_p50, 1) << " ms; without the agent's first period: install --start "
              << "to first message p50 " << bench::fixed(first_p50 - s.period_ms, 1) << " ms\n"
              << "reference: VOLTTRON's install + start takes seconds\n\n";

    // 2.
    const ConfigResults conf = bench_config(s, dir, platform);
    std::cout << "## 2. `watt config set` until the agent accepted it (" << s.config_runs
              << " runs, two configurations alternating)\n\n";
    {
      auto t = timing_table();
      for (const auto* x : {&inst.spawn_true, &conf.get, &conf.push, &conf.set}) add_row(t, *x);
      t.print(std::cout);
    }
    std::cout << "\nthe listener logged 'listening to …' " << conf.on_config_lines << " times for "
              << conf.expected_lines << " configuration changes"
              << (conf.on_config_lines == conf.expected_lines ? "" : "  ** MISMATCH **") << "\n"
              << "reference: VOLTTRON's config commands take about a second each\n\n";

    // The subscriber is no longer needed; part 3 measures agents alone.
    bench::write_all(ctrl.write_fd(), std::int64_t{1});
    wait_process(sub, 10s);
    kids.forget(sub);

    // 3.
    bench::sleep_ms(500);
    bench_memory(s, platform, mem);
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
               mib_of(static_cast<double>(mem.agents_sum.anon) / n),
               mib_of(static_cast<double>(mem.agents_sum.file) / n),
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
              << " MiB); wattd grows by " << bench::fixed(wattd_per_agent_kib, 1)
              << " KiB per agent over its fresh RSS (" << bench::fixed(wattd_per_agent_idle_kib, 1)
              << " KiB over its RSS after parts 1-2)\n";
    {
      auto t = timing_table();
      add_row(t, mem.install_each);
      add_row(t, mem.list);
      t.print(std::cout << "\n");
    }
    std::cout << "\n"
              << s.agents << " agents installed and started one after the other in "
              << bench::fixed(mem.install_all_s, 1) << " s; `watt platform start` took "
              << bench::fixed(platform_start_ms, 0) << " ms; `watt platform stop` with " << s.agents << " agents "
              << bench::fixed(mem.stop_ms, 0) << " ms\n"
              << "reference: VOLTTRON " << bench::fixed(volttron_low_mib, 0) << "-"
              << bench::fixed(volttron_high_mib, 0)
              << " MiB per process; a supervised Watt agent here: " << bench::fixed(per_agent_rss_mib, 1)
              << " MiB RSS (" << bench::fixed(volttron_low_mib / per_agent_rss_mib, 0) << "-"
              << bench::fixed(volttron_high_mib / per_agent_rss_mib, 0) << "x less), "
              << bench::fixed(per_agent_pss_mib, 1) << " MiB Pss\n";
    std::cout << "\ntotal runtime " << bench::fixed(ms_between(t_begin, bench::now_ns()) / 1000.0, 1) << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_platform: " << e.what() << "\n";
    return 1;
  }
}
