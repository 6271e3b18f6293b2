// Commands timed from spawn to exit, and a wattd driven through the watt
// command line: what bench_platform measures with.
#include "timed_command.hpp"

#include <control/spawn.hpp>

#include <sys/syscall.h>

namespace bench {

using namespace std::chrono_literals;

volatile std::sig_atomic_t interrupted = 0;

void on_interrupt(int) { interrupted = 1; }

void check_interrupted() {
  if (interrupted != 0) throw std::runtime_error("interrupted");
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

// The platform's own spawn (posix_spawn, in a process group of its own, with
// the default signal handling), output to `out` truncated; the child inherits
// the environment (WATT_HOME) and no descriptor of ours (they are CLOEXEC).
pid_t start_process(const std::vector<std::string>& argv, const std::string& out) {
  watt::platform::SpawnOptions o;
  o.output = out;
  o.append = false;
  return watt::platform::spawn(argv, o);
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

namespace {

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

// Runs a command to its end, timed from just before posix_spawn to just after
// waitpid. Throws (with its output) when it fails, unless `check` is false.
Outcome run(const std::vector<std::string>& argv, const std::string& out_file, bool check,
            std::chrono::milliseconds timeout) {
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

void add_row(Table& t, const Samples& s) {
  auto v = s.ms;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  const auto f = [](double x) { return fixed(x, 1); };
  if (v.empty()) {
    t.add({s.name, "0", "-", "-", "-", "-", "-"});
    return;
  }
  t.add({s.name, std::to_string(v.size()), f(v.front()), f(percentile(v, 50)), f(percentile(v, 90)), f(v.back()),
         f(sum / static_cast<double>(v.size()))});
}

Table timing_table() { return Table({"operation (ms)", "runs", "min", "p50", "p90", "max", "mean"}); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 50);
}

}  // namespace bench
