// bench_scrape: scrape throughput of the platform-driver agent
// (docs/performance.md §7). A real wattd and the agent with 1,000 fake devices
// of 20 points each (configurations in the config store, as docs/drivers.md
// has them), at intervals short enough to saturate it: points/s received by
// one lossless subscriber over a fixed window, and the agent's CPU and RSS.
// Beside the baseline of the bus alone, measured first in the same run: an SDK
// client publishing the same `devices/.../all` bodies (20 points and their
// metadata map) as fast as it can to the same subscriber.
#include "bench_common.hpp"
#include "cli.hpp"

#include "all_message.hpp"
#include "driver.hpp"
#include "registry.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>

#include <time.h>

namespace {

namespace wd = watt::driver;
using namespace std::chrono_literals;

constexpr const char* driver_id = "platform-driver";
constexpr const char* registry_name = "bench.csv";
constexpr std::size_t points_per_device = 20;
constexpr double mib = 1024.0;  // KiB per MiB

struct Settings {
  std::size_t devices = 1000;
  std::vector<double> intervals{1.0, 0.1, 0.02};  // seconds, each device
  double warmup_s = 2;
  double window_s = 6;
  bool verbose = false;
};

void progress(const Settings& s, const std::string& what) {
  if (s.verbose) std::cerr << "bench_scrape: " << what << "\n";
}

// 20 points as a meter would have them: 14 floats following waveforms, 3 ints
// and 3 bools holding their starting values.
std::string registry_csv() {
  std::string csv = "Point Name,Volttron Point Name,Units,Writable,Starting Value,Type,Waveform\n";
  for (std::size_t i = 0; i < points_per_device; ++i) {
    const auto n = std::to_string(i);
    if (i < 14)
      csv += "P" + n + ",power" + n + ",kW,FALSE,,float,\"sine(" + std::to_string(30 + i) + ", 10, 100)\"\n";
    else if (i < 17)
      csv += "S" + n + ",stage" + n + ",,TRUE," + n + ",int,\n";
    else
      csv += "R" + n + ",relay" + n + ",,TRUE,1,bool,\n";
  }
  return csv;
}

// devices/bench/b<k / 100>/d<k>: a hundred devices a building.
std::string device_name(std::size_t k) { return "bench/b" + std::to_string(k / 100) + "/d" + std::to_string(k); }

// The body the agent publishes for one device, made by the same code.
watt::Value all_body() {
  const auto registry = wd::parse_registry(registry_csv(), registry_name);
  auto driver = wd::make_driver("fake", "devices/bench");
  driver->configure(YAML::Node(), registry);
  return wd::all_message(registry, driver->scrape_all().value(), "UTC");
}

// CPU seconds of any process, all its threads so far.
double cpu_s(pid_t pid) {
  clockid_t clock{};
  timespec t{};
  if (pid <= 0 || ::clock_getcpuclockid(pid, &clock) != 0 || ::clock_gettime(clock, &t) != 0) return -1;
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// ---- the subscriber -----------------------------------------------------------------------------

// The number of points in an `all` body without decoding it: [ {point: value}, {…} ]
// starts with a fixarray of 2 and the first map's size.
std::uint64_t points_in(const std::string& body) {
  if (body.size() < 4 || static_cast<std::uint8_t>(body[0]) != 0x92) return 0;
  const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(body[i]); };
  if ((b(1) & 0xF0) == 0x80) return b(1) & 0x0F;               // fixmap
  if (b(1) == 0xDE) return (std::uint64_t{b(2)} << 8) | b(3);  // map 16
  return 0;
}

struct Counts {
  std::uint64_t messages = 0, points = 0;
};

struct Window {
  double seconds = 0;
  Counts got;
  double cpu_driver = -1, cpu_wattd = -1, cpu_self = -1;  // seconds in the window
  long rss_driver_kib = -1, rss_wattd_kib = -1;

  double points_per_s() const { return static_cast<double>(got.points) / seconds; }
  double messages_per_s() const { return static_cast<double>(got.messages) / seconds; }
};

// Spins the subscriber through the warm-up, then counts what arrives in the
// window, with the CPU the given processes used meanwhile.
std::chrono::nanoseconds ns_of(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

Window measure(watt::Client& sub, const Counts& counts, pid_t driver, pid_t wattd, const Settings& s) {
  sub.spin_for(ns_of(s.warmup_s));
  Window w;
  const Counts c0 = counts;
  const double d0 = cpu_s(driver), k0 = cpu_s(wattd), s0 = cpu_s(::getpid());
  const auto t0 = bench::Clock::now();
  sub.spin_for(ns_of(s.window_s));
  w.seconds = std::chrono::duration<double>(bench::Clock::now() - t0).count();
  w.got = {counts.messages - c0.messages, counts.points - c0.points};
  if (driver > 0) w.cpu_driver = cpu_s(driver) - d0;
  w.cpu_wattd = cpu_s(wattd) - k0;
  w.cpu_self = cpu_s(::getpid()) - s0;
  if (driver > 0) w.rss_driver_kib = bench::proc_status_kib(driver, "VmRSS");
  w.rss_wattd_kib = bench::proc_status_kib(wattd, "VmRSS");
  return w;
}

// ---- the two sides ------------------------------------------------------------------------------

// The bus alone: a client in its own thread publishing the bodies round the
// device topics as fast as the lossless subscriber lets it.
Window bus_alone(const watt::test::Cli& cli, watt::Client& sub, const Counts& counts, pid_t wattd, const Settings& s) {
  const watt::Value body = all_body();
  std::vector<std::string> topics;
  for (std::size_t k = 0; k < s.devices; ++k) topics.push_back("devices/" + device_name(k) + "/all");
  std::atomic<bool> stop{false}, done{false};
  std::exception_ptr error;
  std::thread publisher([&] {
    try {
      auto pub = watt::test::client(cli, "bench-scrape-bus");
      for (std::size_t i = 0; !stop; ++i) pub.publish_value(topics[i % topics.size()], body);
    } catch (...) {
      error = std::current_exception();
    }
    done = true;
  });
  // The publisher's client leaves once the broker took all it sent, which
  // needs the subscriber to keep reading meanwhile.
  const auto finish = [&] {
    stop = true;
    while (!done) sub.spin_for(20ms);
    publisher.join();
  };
  Window w;
  try {
    w = measure(sub, counts, 0, wattd, s);
  } catch (...) {
    finish();
    throw;
  }
  finish();
  if (error) std::rethrow_exception(error);
  w.cpu_self = -1;  // the publisher ran in this process too
  return w;
}

void call_platform(watt::Client& c, const std::string& method, const std::string& name, const std::string& text) {
  auto r = c.call("platform", method, std::string(driver_id), name, text).get();
  if (!r) throw std::runtime_error(method + " " + name + ": " + r.error().what());
}

std::string interval_config(double interval_s) {
  return "interval: " + bench::fixed(interval_s, 3) + "\nstagger: true\n";
}

// Installs the agent and stores the registry and the devices while it is
// stopped, so each start builds them all at once. `setup` is the subscriber:
// its calls keep reading what arrives meanwhile.
void install_driver(const watt::test::Cli& cli, watt::Client& setup, const Settings& s) {
  if (const auto e = cli.watt({"install", watt::test::lib("platform-driver"), "-i", driver_id, "--restart", "never"});
      e.code != 0)
    throw std::runtime_error("watt install platform-driver: " + e.out + e.err);
  call_platform(setup, "config_set", registry_name, registry_csv());
  for (std::size_t k = 0; k < s.devices; ++k)
    call_platform(setup, "config_set", "devices/" + device_name(k),
                  std::string("driver_type: fake\nregistry_config: config://") + registry_name + "\n");
}

// A fresh start of the agent for each interval, rather than a live change, so
// every case begins alike (a live change rebuilds all 1,000 devices while the
// old ones still run).
pid_t start_driver(const watt::test::Cli& cli, watt::Client& setup, double interval_s) {
  (void)cli.watt({"stop", driver_id});
  call_platform(setup, "config_set", "config", interval_config(interval_s));
  if (const auto e = cli.watt({"start", driver_id}); e.code != 0)
    throw std::runtime_error("watt start platform-driver: " + e.out + e.err);
  const auto pid = static_cast<pid_t>(watt::test::agent_pid(cli, driver_id));
  if (pid <= 0) throw std::runtime_error("no pid for the platform-driver agent");
  return pid;
}

// ---- output -------------------------------------------------------------------------------------

std::string cpu_pct(double cpu, double seconds) { return cpu < 0 ? "-" : bench::fixed(100 * cpu / seconds, 0) + "%"; }
std::string mib_of(long kib) { return kib < 0 ? "-" : bench::fixed(static_cast<double>(kib) / mib, 1); }

struct Row {
  std::string what;
  double requested_points = 0;  // 0: as fast as it can
  Window w;
};

void print_rows(const std::vector<Row>& rows, double bus_points) {
  bench::Table t({"publisher", "requested points/s", "all msgs/s", "points/s received", "of the bus alone",
                  "driver CPU", "points per driver CPU-second", "driver RSS MiB", "wattd CPU", "subscriber CPU",
                  "wattd RSS MiB"});
  for (const auto& r : rows) {
    t.add({r.what, r.requested_points > 0 ? bench::grouped(r.requested_points) : "as fast as it can",
           bench::grouped(r.w.messages_per_s()), bench::grouped(r.w.points_per_s()),
           bench::fixed(100 * r.w.points_per_s() / bus_points, 1) + "%", cpu_pct(r.w.cpu_driver, r.w.seconds),
           r.w.cpu_driver > 0 ? bench::grouped(static_cast<double>(r.w.got.points) / r.w.cpu_driver) : "-",
           mib_of(r.w.rss_driver_kib), cpu_pct(r.w.cpu_wattd, r.w.seconds), cpu_pct(r.w.cpu_self, r.w.seconds),
           mib_of(r.w.rss_wattd_kib)});
  }
  t.print(std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Scrape throughput of the platform driver (fake devices), beside the bus alone"};
  Settings s;
  app.add_option("--devices", s.devices, "fake devices, 20 points each")->capture_default_str();
  app.add_option("--intervals", s.intervals, "scrape intervals to run, seconds")->capture_default_str();
  app.add_option("--warmup-s", s.warmup_s, "seconds before each window")->capture_default_str();
  app.add_option("--window-s", s.window_s, "seconds counted per case")->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "progress on stderr");
  CLI11_PARSE(app, argc, argv);
  bench::quiet_sdk_logs(false);
  bench::raise_nofile();
  ::signal(SIGPIPE, SIG_IGN);

  const auto t_begin = bench::Clock::now();
  try {
    bench::print_machine(std::cout);
    std::cout << s.devices << " fake devices x " << points_per_device << " points (14 sine floats, 3 ints, 3 bools), "
              << "body " << all_body().bytes().size() << " B; one lossless subscriber to devices/bench/#; "
              << s.warmup_s << " s warm-up, then " << s.window_s << " s counted per case\n\n";
    watt::test::Cli cli;
    if (const auto e = cli.watt({"platform", "start"}); e.code != 0)
      throw std::runtime_error("watt platform start: " + e.out + e.err);
    const auto wattd = static_cast<pid_t>(std::stol(watt::test::read_file(cli.home().path() / "run" / "wattd.pid")));

    auto sub = watt::test::client(cli, "bench-scrape-sub");
    Counts counts;
    watt::SubscribeOptions lossless;
    lossless.delivery = watt::Delivery::lossless;
    sub.subscribe(
        "devices/bench/#",
        [&](const watt::Envelope& e) {
          if (!e.topic.ends_with("/all")) return;  // only the `all` messages are counted
          ++counts.messages;
          counts.points += points_in(e.body.bytes());
        },
        lossless);
    if (!sub.sync(10s)) throw std::runtime_error("the subscription was not confirmed");

    std::vector<Row> rows;
    progress(s, "the bus alone");
    rows.push_back({"SDK client, same bodies (bus alone, baseline)", 0, bus_alone(cli, sub, counts, wattd, s)});
    const double bus_points = rows.back().w.points_per_s();

    const auto t_setup = bench::Clock::now();
    progress(s, "storing the registry and " + std::to_string(s.devices) + " devices");
    install_driver(cli, sub, s);
    std::cout << "stored the registry and " << s.devices << " device configurations in "
              << bench::fixed(std::chrono::duration<double>(bench::Clock::now() - t_setup).count(), 1)
              << " s; the agent is started afresh for each interval\n\n";
    for (const double interval : s.intervals) {
      progress(s, "interval " + bench::fixed(interval, 3) + " s");
      const pid_t driver = start_driver(cli, sub, interval);
      rows.push_back({"platform-driver, interval " + bench::fixed(interval, 3) + " s",
                      static_cast<double>(s.devices * points_per_device) / interval,
                      measure(sub, counts, driver, wattd, s)});
    }
    std::uint64_t dropped = 0;
    if (auto peers = sub.peers(); peers)
      for (const auto& p : peers.value())
        if (p.identity == "bench-scrape-sub") dropped = p.dropped;

    print_rows(rows, bus_points);
    std::cout << "\nCPU is the share of one core over the window (2 cores in all, shared with whatever else runs: "
              << "points per driver CPU-second is the steadier figure on a busy machine); the driver's CPU includes "
              << "the scrape (waveforms) and packing of each body, which the bus-alone client does once. "
              << "Dropped for the subscriber: " << dropped << "\n";
    std::cout << "\ntotal runtime "
              << bench::fixed(std::chrono::duration<double>(bench::Clock::now() - t_begin).count(), 1) << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_scrape: " << e.what() << "\n";
    return 1;
  }
}
