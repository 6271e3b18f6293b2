// Commands timed from just before posix_spawn to just after waitpid (no
// polling: a pidfd), and a wattd in a fresh home driven through the `watt`
// command line. The benchmark's parent process never touches ZeroMQ.
#pragma once

#include "bench_common.hpp"

#include <sys/types.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <string>
#include <vector>

namespace bench {

// Set by on_interrupt (SIGINT, SIGTERM): waits give up, runs throw.
extern volatile std::sig_atomic_t interrupted;
extern "C" void on_interrupt(int);
void check_interrupted();

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
double ms_between(std::int64_t from_ns, std::int64_t to_ns);

// posix_spawn with stdout and stderr to `out` (truncated).
pid_t start_process(const std::vector<std::string>& argv, const std::string& out);
// Waits for a child; SIGKILL after the timeout. Returns the wait status, or
// -1 when it had to be killed.
int wait_process(pid_t pid, std::chrono::milliseconds timeout);

struct Outcome {
  int status = 0;
  double ms = 0;
  std::string output;
  bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};
// Runs a command to its end, timed. Throws (with its output) when it fails,
// unless `check` is false.
Outcome run(const std::vector<std::string>& argv, const std::string& out_file, bool check = true,
            std::chrono::milliseconds timeout = std::chrono::seconds(90));

// Timings of one operation, and their row (runs, min, p50, p90, max, mean).
struct Samples {
  std::string name;
  std::vector<double> ms;
};
void add_row(Table& t, const Samples& s);
Table timing_table();
double median(std::vector<double> v);

pid_t pid_from_file(const std::string& path);
std::string cmdline_of(pid_t pid);

// A wattd in `dir`/home, driven through the `watt` command line. The
// destructor stops it (`watt platform stop`) if it still runs; if that fails,
// it kills wattd and the agents of this home by their pids.
class Platform {
public:
  Platform(std::string watt_bin, const TempDir& dir)
      : watt_bin_(std::move(watt_bin)), home_(dir.file("home")), out_(dir.file("cmd.out")) {
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
    run({watt_bin_, "platform", "start"}, out_, true, std::chrono::seconds(30));
    if (pid() <= 0) throw std::runtime_error("no pid in " + home_ + "/run/wattd.pid after `watt platform start`");
  }

  double stop() {
    if (!started_) return 0;
    started_ = false;
    const auto o = run({watt_bin_, "platform", "stop"}, out_, false, std::chrono::seconds(90));
    if (!o.ok()) throw std::runtime_error("`watt platform stop` failed: " + o.output);
    return o.ms;
  }

  Outcome watt(std::initializer_list<std::string> args, bool check = true) {
    std::vector<std::string> argv;
    argv.reserve(args.size() + 1);
    argv.push_back(watt_bin_);
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

  std::string watt_bin_;
  std::string home_;
  std::string out_;
  bool started_ = false;
};

}  // namespace bench
