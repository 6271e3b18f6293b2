// watt platform start | stop | status
#include "cli_context.hpp"

#include <watt/platform/control_types.hpp>

#include <watt/paths.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

using platform::PlatformStatus;

fs::path wattd_path() { return fs::read_symlink("/proc/self/exe").parent_path() / "wattd"; }

// The daemon holds an exclusive lock on its pid file for exactly as long as
// it runs: a lock we can take means no platform, whatever the file says (a
// process id may linger as a zombie or be reused).
pid_t running_pid(const Context& ctx) {
  const auto path = ctx.home() / "run" / "wattd.pid";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  pid_t pid = 0;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    char buf[32] = {};
    if (::read(fd, buf, sizeof buf - 1) > 0) pid = static_cast<pid_t>(std::atol(buf));
    if (pid <= 0) pid = -1;  // locked but not yet written: starting
  }
  ::close(fd);
  return pid;
}

std::string tail_of(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "\n  " + all[i];
  return out;
}

bool answers(const Context& ctx) {
  try {
    auto c = ctx.connect(std::chrono::milliseconds(1000));
    return true;
  } catch (const Failure&) {
    return false;
  }
}

void start(const Context& ctx, bool foreground) {
  const fs::path home = ctx.home();
  if (const pid_t pid = running_pid(ctx); pid != 0) {
    std::cout << "platform already running (pid " << pid << ", home " << home.string() << ")\n";
    return;
  }
  const std::string wattd = wattd_path().string();
  const std::string home_arg = home.string();
  if (std::getenv("WATT_CLI_QUIETED") != nullptr) {
    ::unsetenv("WATT_LOG_LEVEL");
    ::unsetenv("WATT_CLI_QUIETED");
  }
  if (foreground) {
    ::execl(wattd.c_str(), wattd.c_str(), "--home", home_arg.c_str(), static_cast<char*>(nullptr));
    throw Failure{"cannot run " + wattd + ": " + std::strerror(errno)};
  }
  fs::create_directories(home / "logs");
  const fs::path log = home / "logs" / "platform.log";
  const pid_t child = ::fork();
  if (child < 0) throw Failure{std::string("fork failed: ") + std::strerror(errno)};
  if (child == 0) {
    ::setsid();
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out >= 0 && in >= 0) {
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    ::execl(wattd.c_str(), wattd.c_str(), "--home", home_arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child)
      throw Failure{"the platform exited at start; from " + log.string() + ":" + tail_of(log, 5)};
    if (fs::exists(home / "run" / "watt.sock") && answers(ctx)) {
      std::cout << "platform started (pid " << child << ", home " << home.string() << ")\n";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw Failure{"the platform did not answer within 15 s; see " + log.string()};
}

void stop(const Context& ctx) {
  const pid_t pid = running_pid(ctx);
  if (pid == 0) {
    std::cout << "platform is not running\n";
    return;
  }
  {
    auto c = ctx.connect();
    ctx.control(*c, "shutdown", Value::of(std::make_tuple()), std::chrono::milliseconds(5000));
  }
  // Agents get their grace period; the platform exits once they are gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (running_pid(ctx) != 0) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Failure{"the platform (pid " + std::to_string(pid) + ") did not stop within 60 s"};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::cout << "platform stopped\n";
}

void status(const Context& ctx) {
  // With --connect, the platform there is asked (its home is its own); without,
  // the local home's pid file says whether it runs at all.
  const bool remote = !ctx.connect_override.empty();
  if (!remote && running_pid(ctx) == 0) {
    std::cout << "platform is not running (home " << ctx.home().string() << ")\n";
    set_exit(3);  // as LSB status: 3 = not running
    return;
  }
  std::unique_ptr<Client> c;
  try {
    c = ctx.connect();
  } catch (const Failure& f) {
    if (!remote) throw;
    std::cout << "platform at " << ctx.connect_override << " is not reachable: " << f.message << "\n";
    set_exit(3);
    return;
  }
  const auto s = ctx.control(*c, "platform_status", Value::of(std::make_tuple())).as<PlatformStatus>();
  const auto peers = c->peers();
  std::cout << "platform running" << (remote ? " at " + ctx.connect_override : std::string()) << "\n"
            << "  pid      " << s.pid << "\n"
            << "  uptime   " << static_cast<long>(s.uptime_s) << " s\n"
            << "  home     " << s.home << "\n"
            << "  agents   " << s.agents << " installed\n"
            << "  peers    " << (peers ? std::to_string(peers->size()) : "?") << " connected\n";
}

}  // namespace

void add_platform_commands(CLI::App& app, Context& ctx) {
  auto* platform = app.add_subcommand("platform", "start, stop or inspect the platform daemon");
  platform->require_subcommand(1);
  auto* start_cmd = platform->add_subcommand("start", "start the platform (in the background)");
  auto foreground = std::make_shared<bool>(false);
  start_cmd->add_flag("--foreground,-f", *foreground, "run in this terminal instead");
  start_cmd->callback(guarded([&ctx, foreground] { start(ctx, *foreground); }));
  platform->add_subcommand("stop", "stop every agent, then the platform")->callback(guarded([&ctx] { stop(ctx); }));
  platform->add_subcommand("status", "is it running, and how is it")->callback(guarded([&ctx] { status(ctx); }));
}

}  // namespace watt::cli
