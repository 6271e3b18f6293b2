// wattd: the platform daemon. The broker on one thread, the control service
// (the `platform` peer) on another, and the main thread waiting for signals.
#include "../broker/broker.hpp"
#include "../control/control_agent.hpp"
#include "platform_config.hpp"
#include "service_manager.hpp"

#include <watt/client.hpp>
#include <watt/host.hpp>
#include <watt/keys.hpp>
#include <watt/log_format.hpp>
#include <watt/paths.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;

namespace {

// Holds $WATT_HOME/run/wattd.pid locked for as long as this platform lives.
class PidLock {
public:
  explicit PidLock(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw watt::Error("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {};
      [[maybe_unused]] auto n = ::read(fd_, buf, sizeof buf - 1);
      ::close(fd_);
      throw watt::Error("a platform is already running for " + path.parent_path().parent_path().string() + " (pid " +
                        std::string(buf) + ")");
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0)
      throw watt::Error("cannot write " + path.string());
  }
  ~PidLock() {
    ::unlink(path_.c_str());
    ::close(fd_);
  }

private:
  fs::path path_;
  int fd_ = -1;
};

fs::path self_dir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

// The broker's configuration: the local endpoints, and TCP (always CURVE,
// with the platform's key pair made on first use) when the config asks.
watt::broker::BrokerConfig broker_config(const watt::platform::PlatformConfig& config, const fs::path& root,
                                         const std::string& agent_address, spdlog::logger& log) {
  auto bc = config.broker;
  bc.inproc_endpoints = {"inproc://watt-broker"};
  bc.endpoints = {agent_address};
  if (!config.tcp.empty()) {
    const fs::path key_file = root / "keys" / "server.key";
    fs::create_directories(key_file.parent_path());
    if (!fs::exists(key_file)) watt::write_key_file(key_file, watt::make_key_pair());
    const auto keys = watt::read_key_file(key_file);
    bc.secure_endpoint = config.tcp;
    bc.server_secret_key = keys.secret_key;
    bc.endpoint_file = root / "run" / "tcp.endpoint";
    log.info("TCP clients authenticate against server key {}", keys.public_key);
  }
  bc.first_identity = "platform";
  bc.auth_file = root / "auth.yml";
  bc.orgs_file = root / "orgs.yml";
  return bc;
}

// The control service, an agent of the daemon's own on the in-process endpoint.
watt::HostOptions control_host() {
  watt::HostOptions o;
  o.identity = "platform";
  o.address = "inproc://watt-broker";
  return o;
}

watt::platform::ControlOptions control_options(const watt::platform::PlatformConfig& config, const fs::path& root,
                                               const std::string& agent_address) {
  watt::platform::ControlOptions copts;
  copts.home = root;
  copts.agent_address = agent_address;
  copts.supervisor = config.supervisor;
  copts.supervisor.runner = self_dir() / "watt-agent";
  copts.supervisor.container_runner = self_dir() / "watt-container";
  copts.supervisor.pid_dir = root / "run" / "agents";
  copts.heartbeat = config.heartbeat;
  copts.log_max_bytes = config.log_max_bytes;
  copts.log_files = config.log_files;
  copts.supervisor.journal = watt::platform::journal_socket(config);
  copts.on_shutdown = [] { ::kill(::getpid(), SIGTERM); };
  return copts;
}

// Waits for a stop signal. Under a systemd watchdog it meanwhile says the
// platform is alive, at half the interval, for as long as the broker answers
// a call: a broker that is stuck stops the pings, and systemd restarts it.
int wait_for_stop(const sigset_t& signals, const std::string& address) {
  const auto interval = watt::platform::watchdog_interval();
  int sig = 0;
  if (!interval) {
    sigwait(&signals, &sig);
    return sig;
  }
  const auto half = *interval / 2;
  const timespec period{static_cast<time_t>(half.count() / 1'000'000),
                        static_cast<long>(half.count() % 1'000'000) * 1000};
  std::unique_ptr<watt::Client> probe;
  for (;;) {
    sig = sigtimedwait(&signals, nullptr, &period);
    if (sig > 0) return sig;
    try {
      if (!probe)
        probe = std::make_unique<watt::Client>(
            watt::ClientOptions{"wattd-watchdog", address, std::chrono::milliseconds(5000), {}, {}});
      watt::CallOptions o;
      o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(half);
      if (probe->call_with(o, "broker", "stats").get()) watt::platform::notify_service_manager("WATCHDOG=1");
    } catch (const std::exception&) {
      probe.reset();  // no ping this time; connect again next time
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wattd: the Watt platform daemon (start it with `watt platform start`)"};
  std::string home;
  app.add_option("--home", home, "platform home (default: $WATT_HOME or ~/.watt)");
  CLI11_PARSE(app, argc, argv);
  if (!home.empty()) ::setenv("WATT_HOME", fs::absolute(home).c_str(), 1);
  // $WATT_JOURNAL is what wattd tells its agents (config.yml agents.journal);
  // its own log goes to its stderr, which under systemd is the journal already.
  ::unsetenv("WATT_JOURNAL");
  const fs::path root = watt::watt_home();

  auto log = std::make_shared<spdlog::logger>("wattd", std::make_shared<spdlog::sinks::stdout_color_sink_mt>());
  watt::set_log_format(*log);
  log->flush_on(spdlog::level::info);

  // Signals are taken by sigwait on the main thread; every thread started
  // below inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  try {
    ::umask(077);
    for (const char* d : {"", "run", "logs", "agents"}) fs::create_directories(root / d);
    fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace);
    PidLock lock(root / "run" / "wattd.pid");
    auto config = watt::platform::load_platform_config(root / "config.yml");

    const std::string agent_address = "ipc://" + (root / "run" / "watt.sock").string();
    const auto bc = broker_config(config, root, agent_address, *log);
    watt::broker::Broker broker(bc, log);

    // The control service is built first: opening the config store may fail
    // (a damaged file), and that must end wattd before anything listens.
    watt::AgentHost control(control_host());
    control.emplace<watt::platform::ControlAgent>(control_options(config, root, agent_address));
    // Either thread failing stops the whole daemon, with its error kept.
    auto guarded = [](std::exception_ptr& error, auto body) {
      return std::thread([&error, body] {
        try {
          body();
        } catch (...) {
          error = std::current_exception();
          ::kill(::getpid(), SIGTERM);
        }
      });
    };
    std::exception_ptr broker_error, control_error;
    std::thread broker_thread = guarded(broker_error, [&broker] { broker.run(); });
    std::thread control_thread = guarded(control_error, [&control] { control.run(); });

    log->info("platform up (pid {}, home {})", ::getpid(), root.string());
    watt::platform::notify_service_manager("READY=1\nSTATUS=platform up");
    const int sig = wait_for_stop(signals, agent_address);
    log->info("stopping ({})", strsignal(sig));
    watt::platform::notify_service_manager("STOPPING=1");
    control.stop();
    control_thread.join();
    broker.stop();
    broker_thread.join();
    for (auto* e : {&broker_error, &control_error}) {
      if (*e) std::rethrow_exception(*e);
    }
    log->info("platform stopped");
    return 0;
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    std::cerr << "wattd: " << e.what() << "\n";
    return 1;
  }
}
