// Shared plumbing of the benchmarks: a fresh temporary directory for ipc://
// endpoints, child processes (fork) that report to the parent over a pipe, a
// Watt broker process, resident memory (proc_memory.hpp), percentiles and
// table printing.
//
// Nothing here touches ZeroMQ in the parent: every socket and context lives in
// a child, created after fork(), so no child inherits a context.
#pragma once

#include "numbers.hpp"      // percentile, fixed, grouped
#include "proc_memory.hpp"  // memory: proc_status_kib, mem_of
#include "temp_dir.hpp"

#include <broker/broker.hpp>
#include <watt/client.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC: comparable across processes

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

[[noreturn]] inline void fail(const std::string& what) {
  throw std::runtime_error(what + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
}

// ---- the temporary directory ------------------------------------------------------

// tests/support's: removed by the process that made it, never by a forked child.
using TempDir = watt::test::TempDir;

inline std::string ipc_path(const std::string& endpoint) { return endpoint.substr(6); }  // drop "ipc://"

// Waits until a bound ipc:// endpoint's socket file exists.
inline void wait_for_endpoint(const std::string& endpoint,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + timeout;
  while (!std::filesystem::exists(ipc_path(endpoint))) {
    if (Clock::now() > deadline) throw std::runtime_error("nothing bound " + endpoint + " in time");
    sleep_ms(1);
  }
}

// ---- reports from children ----------------------------------------------------------

// A fixed-size record a child writes to the parent; under PIPE_BUF, so writes
// from several children sharing one pipe never interleave.
struct Report {
  std::int32_t who = 0;
  std::int32_t kind = 0;
  std::array<std::int64_t, 8> v{};
};
enum ReportKind : std::int32_t { report_ready = 1, report_done = 2, report_failed = 3 };

class Pipe {
public:
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
    r_ = fds[0];
    w_ = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  int read_fd() const noexcept { return r_; }
  int write_fd() const noexcept { return w_; }
  void close_read() noexcept {
    if (r_ >= 0) ::close(r_);
    r_ = -1;
  }
  void close_write() noexcept {
    if (w_ >= 0) ::close(w_);
    w_ = -1;
  }

private:
  int r_ = -1;
  int w_ = -1;
};

template <class T>
void write_all(int fd, const T& value) {
  const auto* p = reinterpret_cast<const char*>(&value);
  std::size_t left = sizeof value;
  while (left > 0) {
    const auto n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write to pipe");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Reads one T; false on timeout. Throws when the other end closed.
template <class T>
bool read_one(int fd, T& value, std::chrono::milliseconds timeout) {
  pollfd pfd{fd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  if (r < 0) fail("poll");
  if (r == 0) return false;
  auto* p = reinterpret_cast<char*>(&value);
  std::size_t left = sizeof value;
  while (left > 0) {
    const auto n = ::read(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read from pipe");
    }
    if (n == 0) throw std::runtime_error("pipe closed");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

inline void report(int fd, std::int32_t who, std::int32_t kind, std::initializer_list<std::int64_t> values = {}) {
  Report r;
  r.who = who;
  r.kind = kind;
  std::size_t i = 0;
  for (auto v : values) {
    if (i < r.v.size()) r.v[i++] = v;
  }
  write_all(fd, r);
}

// Collects `count` reports of `kind`; throws on a failure report or timeout.
inline std::vector<Report> collect(int fd, std::int32_t kind, std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<Report> out;
  const auto deadline = Clock::now() + timeout;
  while (out.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Report r;
    if (left.count() <= 0 || !read_one(fd, r, left))
      throw std::runtime_error("timed out waiting for children (" + std::to_string(out.size()) + " of " +
                               std::to_string(count) + " reported)");
    if (r.kind == report_failed) throw std::runtime_error("child " + std::to_string(r.who) + " failed");
    if (r.kind != kind) continue;
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const Report& a, const Report& b) { return a.who < b.who; });
  return out;
}

// ---- child processes -------------------------------------------------------------------

// Forks; the child runs fn() and _exits with its result (never returning into
// the parent's code, never running the parent's destructors). A child that
// throws reports failure on report_fd when given one.
template <class F>
pid_t spawn(F&& fn, int report_fd = -1, std::int32_t who = 0) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid > 0) return pid;
  int code = 0;
  try {
    code = fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench child %d (pid %d): %s\n", who, ::getpid(), e.what());
    if (report_fd >= 0) {
      try {
        report(report_fd, who, report_failed);
      } catch (...) {
      }
    }
    code = 1;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);
}

// Waits for a child; after the timeout it is killed. Returns the exit status;
// `cpu_s`, when given, gets the child's user + system CPU seconds (wait4).
inline int reap(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(15), double* cpu_s = nullptr) {
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  rusage ru{};
  auto cpu = [&] {
    if (cpu_s != nullptr)
      *cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  };
  while (true) {
    const pid_t r = ::wait4(pid, &status, WNOHANG, &ru);
    if (r == pid) {
      cpu();
      return status;
    }
    if (r < 0) return -1;
    if (Clock::now() > deadline) {
      std::fprintf(stderr, "bench: child %d did not exit in time; killing it\n", pid);
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &ru);
      cpu();
      return status;
    }
    sleep_ms(1);
  }
}

inline void stop_child(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       double* cpu_s = nullptr) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  reap(pid, timeout, cpu_s);
}

// Children still running when the parent unwinds on an error.
class Children {
public:
  ~Children() {
    for (pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }
  pid_t add(pid_t pid) {
    pids_.push_back(pid);
    return pid;
  }
  void forget(pid_t pid) { std::erase(pids_, pid); }

private:
  std::vector<pid_t> pids_;
};

// The soft open-file limit raised to the hard one (a thousand sockets need it).
inline void raise_nofile() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rl.rlim_cur = rl.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &rl);
}

// Watt's SDK logs to stdout; the figures are the output here, so quiet it
// unless the user chose a level.
inline void quiet_sdk_logs(bool verbose) { ::setenv("WATT_LOG_LEVEL", verbose ? "info" : "error", 0); }

// A watt::Client's options set by name: aggregate initialization warns
// (-Wmissing-field-initializers), and would mean something else, whenever
// ClientOptions gains a field.
inline watt::ClientOptions client_options(std::string identity, std::string address,
                                          std::chrono::milliseconds connect_timeout) {
  watt::ClientOptions o;
  o.identity = std::move(identity);
  o.address = std::move(address);
  o.connect_timeout = connect_timeout;
  return o;
}

// ---- the Watt broker process ------------------------------------------------------------

// Body of a broker child: binds `endpoint`, runs until SIGTERM. As in wattd,
// the broker's thread never takes a signal: SIGTERM is blocked and a second
// thread waits for it with sigwait() and calls stop().
inline int run_watt_broker(const std::string& endpoint, bool verbose) {
  raise_nofile();
  sigset_t term;
  ::sigemptyset(&term);
  ::sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, nullptr);
  auto log = std::make_shared<spdlog::logger>("broker", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  log->set_level(verbose ? spdlog::level::info : spdlog::level::err);
  watt::broker::BrokerConfig config;
  config.endpoints = {endpoint};
  watt::broker::Broker broker(std::move(config), log);
  std::thread waiter([&] {
    int sig = 0;
    ::sigwait(&term, &sig);
    broker.stop();
  });
  int code = 0;
  try {
    broker.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench broker: %s\n", e.what());
    code = 1;
  }
  ::pthread_kill(waiter.native_handle(), SIGTERM);  // when run() ended on its own
  waiter.join();
  return code;
}

// ---- statistics and output -----------------------------------------------------------------

// A plain-text table with a header row, right-aligned cells, Markdown pipes
// (so it pastes straight into docs/performance.md).
class Table {
public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_) {
      if (width.size() < row.size()) width.resize(row.size(), 0);
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    auto line = [&](const std::vector<std::string>& row) {
      out << "|";
      for (std::size_t i = 0; i < width.size(); ++i) {
        const std::string cell = i < row.size() ? row[i] : "";
        out << " " << std::setw(static_cast<int>(width[i])) << cell << " |";
      }
      out << "\n";
    };
    line(rows_[0]);
    out << "|";
    for (auto w : width) out << std::string(w + 1, '-') << ":|";
    out << "\n";
    for (std::size_t r = 1; r < rows_.size(); ++r) line(rows_[r]);
    out.flush();
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

inline std::string today() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

inline void print_machine(std::ostream& out) {
  std::string model = "unknown";
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  double load[3] = {0, 0, 0};
  (void)::getloadavg(load, 3);
  out << "machine: " << std::thread::hardware_concurrency() << " CPUs, " << model << "; load average "
      << fixed(load[0], 2) << " at start; " << today() << "\n";
}

}  // namespace bench
