// bench_rpc: RPC round-trip latency through the broker, one call at a time,
// beside a raw ZeroMQ DEALER -> ROUTER -> DEALER echo measured in the same run,
// with the same process topology (three processes each):
//
//   Watt: broker process; a server process (watt::Client exporting "echo");
//         a caller process (watt::Client: call("rpc-server", "echo", body).get()).
//   raw:  a ROUTER process that forwards [to][body] to the DEALER named `to`
//         as [from][body]; a server DEALER that echoes; a caller DEALER.
//
// Each caller makes warm-up calls, then times every one of the measured calls
// (steady_clock around the whole round trip) and reports percentiles.
#include "bench_common.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

namespace {

using namespace std::chrono_literals;

constexpr double volttron_p50_us = 1900.0;  // VOLTTRON RPC p50 1.9 ms (issue)

struct Settings {
  std::uint64_t calls = 20000;
  std::uint64_t warmup = 2000;
  std::size_t size = 64;
  bool verbose = false;
};

struct Stats {
  bool ran = false;
  double p50 = 0, p99 = 0, p999 = 0, mean = 0, min = 0, max = 0;  // microseconds
  double calls_per_s = 0;
  // CPU time per call (user + system, all threads, wait4), us, over warm-up and measured calls.
  double cpu_caller = 0, cpu_server = 0, cpu_router = 0;
};

// Times `n` calls of `one()` after `warm` untimed ones; reports the figures.
template <class F>
void time_calls(const Settings& s, int report_fd, F&& one) {
  for (std::uint64_t i = 0; i < s.warmup; ++i) one();
  std::vector<std::int64_t> ns(s.calls);
  const auto start = bench::now_ns();
  for (std::uint64_t i = 0; i < s.calls; ++i) {
    const auto t0 = bench::now_ns();
    one();
    ns[i] = bench::now_ns() - t0;
  }
  const auto total = bench::now_ns() - start;
  std::sort(ns.begin(), ns.end());
  std::int64_t sum = 0;
  for (auto v : ns) sum += v;
  bench::report(report_fd, 1, bench::report_done,
                {bench::percentile(ns, 50), bench::percentile(ns, 99), bench::percentile(ns, 99.9),
                 sum / static_cast<std::int64_t>(ns.size()), ns.front(), ns.back(), total});
}

// ---- Watt --------------------------------------------------------------------------------

int watt_server(const std::string& ep, int report_fd) {
  watt::Client client(bench::client_options("rpc-server", ep, 10s));
  client.export_method("echo", [](const std::string& body) { return body; });
  bench::report(report_fd, 0, bench::report_ready);
  while (true) client.spin_for(1h);  // until SIGTERM
}

int watt_caller(const std::string& ep, const Settings& s, int report_fd) {
  watt::Client client(bench::client_options("rpc-caller", ep, 10s));
  const std::string body(s.size, 'x');
  const std::string expected = watt::Value::of(body).bytes();
  time_calls(s, report_fd, [&] {
    auto r = client.call("rpc-server", "echo", body).get();
    if (!r) throw std::runtime_error("call failed: " + r.error().what());
    if (r.value().bytes() != expected) throw std::runtime_error("echo returned something else");
  });
  return 0;
}

// ---- raw ZeroMQ ----------------------------------------------------------------------------

// [from][to][body] in, [to][from][body] out; an empty `to` is answered to the
// sender itself (how a DEALER makes sure the router knows it).
int raw_router(const std::string& ep) {
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::router_mandatory, 1);
  router.set(zmq::sockopt::linger, 0);
  router.bind(ep);
  std::array<zmq::message_t, 3> f;
  while (true) {
    std::size_t n = 0;
    bool more = true;
    zmq::message_t extra;
    while (more) {
      zmq::message_t& dst = n < f.size() ? f[n] : extra;
      (void)router.recv(dst, zmq::recv_flags::none);
      more = dst.more();
      ++n;
    }
    if (n != 3) continue;
    try {
      if (f[1].empty()) {
        (void)router.send(f[0], zmq::send_flags::sndmore);
        (void)router.send(f[1], zmq::send_flags::sndmore);
        (void)router.send(f[2], zmq::send_flags::none);
      } else {
        (void)router.send(f[1], zmq::send_flags::sndmore);
        (void)router.send(f[0], zmq::send_flags::sndmore);
        (void)router.send(f[2], zmq::send_flags::none);
      }
    } catch (const zmq::error_t&) {
      // not connected (yet): dropped
    }
  }
}

zmq::socket_t raw_dealer(zmq::context_t& ctx, const std::string& ep, const std::string& name) {
  zmq::socket_t d(ctx, zmq::socket_type::dealer);
  d.set(zmq::sockopt::routing_id, name);
  d.set(zmq::sockopt::linger, 0);
  d.connect(ep);
  // Say hello until the router answers: then it can route to us.
  zmq::message_t reply;
  while (true) {
    (void)d.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
    (void)d.send(zmq::str_buffer("hello"), zmq::send_flags::none);
    zmq::pollitem_t item{d.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, 100ms) > 0) break;
  }
  while (d.recv(reply, zmq::recv_flags::dontwait)) {
  }
  return d;
}

int raw_server(const std::string& ep, int report_fd) {
  zmq::context_t ctx(1);
  zmq::socket_t d = raw_dealer(ctx, ep, "rpc-server");
  bench::report(report_fd, 0, bench::report_ready);
  zmq::message_t from, body;
  while (true) {  // until SIGTERM
    (void)d.recv(from, zmq::recv_flags::none);
    if (!from.more()) continue;
    (void)d.recv(body, zmq::recv_flags::none);
    (void)d.send(from, zmq::send_flags::sndmore);
    (void)d.send(body, zmq::send_flags::none);
  }
}

int raw_caller(const std::string& ep, const Settings& s, int report_fd) {
  zmq::context_t ctx(1);
  zmq::socket_t d = raw_dealer(ctx, ep, "rpc-caller");
  const std::string body(s.size, 'x');
  zmq::message_t from, reply;
  time_calls(s, report_fd, [&] {
    (void)d.send(zmq::str_buffer("rpc-server"), zmq::send_flags::sndmore);
    (void)d.send(zmq::buffer(body), zmq::send_flags::none);
    (void)d.recv(from, zmq::recv_flags::none);
    (void)d.recv(reply, zmq::recv_flags::none);
    if (reply.size() != body.size()) throw std::runtime_error("echo returned something else");
  });
  return 0;
}

// ---- one measurement ----------------------------------------------------------------------------

Stats run_case(bool watt, const bench::TempDir& dir, int index, const Settings& s) {
  bench::Children kids;
  bench::Pipe reports;
  const int rfd = reports.write_fd();
  const std::string ep = dir.ipc((watt ? "watt-" : "raw-") + std::to_string(index));
  const pid_t router = kids.add(watt ? bench::spawn([&] { return bench::run_watt_broker(ep, s.verbose); })
                                     : bench::spawn([&] { return raw_router(ep); }));
  bench::wait_for_endpoint(ep);
  const pid_t server =
      kids.add(bench::spawn([&] { return watt ? watt_server(ep, rfd) : raw_server(ep, rfd); }, rfd, 0));
  (void)bench::collect(reports.read_fd(), bench::report_ready, 1, 30s);
  const pid_t caller =
      kids.add(bench::spawn([&] { return watt ? watt_caller(ep, s, rfd) : raw_caller(ep, s, rfd); }, rfd, 1));
  const auto r = bench::collect(reports.read_fd(), bench::report_done, 1, 10min).front();
  Stats st;
  const double per_call = 1e6 / static_cast<double>(s.calls + s.warmup);
  double cpu = 0;
  bench::reap(caller, 30s, &cpu);
  kids.forget(caller);
  st.cpu_caller = cpu * per_call;
  bench::stop_child(server, 10s, &cpu);
  kids.forget(server);
  st.cpu_server = cpu * per_call;
  bench::stop_child(router, 10s, &cpu);
  kids.forget(router);
  st.cpu_router = cpu * per_call;
  st.ran = true;
  st.p50 = static_cast<double>(r.v[0]) / 1e3;
  st.p99 = static_cast<double>(r.v[1]) / 1e3;
  st.p999 = static_cast<double>(r.v[2]) / 1e3;
  st.mean = static_cast<double>(r.v[3]) / 1e3;
  st.min = static_cast<double>(r.v[4]) / 1e3;
  st.max = static_cast<double>(r.v[5]) / 1e3;
  st.calls_per_s = static_cast<double>(s.calls) / (static_cast<double>(r.v[6]) / 1e9);
  return st;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Watt RPC round-trip latency beside a raw ZeroMQ DEALER-ROUTER-DEALER echo"};
  Settings s;
  int repeat = 1;
  app.add_option("-n,--calls", s.calls, "measured calls per run")->capture_default_str();
  app.add_option("--warmup", s.warmup, "untimed calls before measuring")->capture_default_str();
  app.add_option("--size", s.size, "bytes of the argument string (echoed back)")->capture_default_str();
  app.add_option("--repeat", repeat, "runs of each system, alternating; the run with the lowest p50 is kept")
      ->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "broker and SDK logs at info level");
  CLI11_PARSE(app, argc, argv);
  if (s.calls == 0) {
    std::cerr << "bench_rpc: --calls must be positive\n";
    return 2;
  }
  bench::quiet_sdk_logs(s.verbose);
  ::signal(SIGPIPE, SIG_IGN);

  try {
    bench::TempDir dir;
    bench::print_machine(std::cout);
    std::cout << "RPC round trip, sequential: " << s.calls << " timed calls after " << s.warmup << " warm-up, "
              << s.size << " B argument echoed back; best of " << repeat << " (lowest p50)\n\n";
    Stats raw, watt;
    int index = 0;
    for (int r = 0; r < repeat; ++r) {
      auto a = run_case(false, dir, index++, s);
      if (!raw.ran || a.p50 < raw.p50) raw = a;
      auto b = run_case(true, dir, index++, s);
      if (!watt.ran || b.p50 < watt.p50) watt = b;
      std::cerr << "  run " << r + 1 << ": p50 raw " << bench::fixed(a.p50, 1) << " us, Watt " << bench::fixed(b.p50, 1)
                << " us (" << bench::fixed(b.p50 / a.p50, 2) << "x); p99 raw " << bench::fixed(a.p99, 1) << " us, Watt "
                << bench::fixed(b.p99, 1) << " us (" << bench::fixed(b.p99 / a.p99, 2) << "x)\n";
    }
    bench::Table table({"latency (us)", "raw ZeroMQ", "Watt", "Watt/raw", "target", "met"});
    auto row = [&](const std::string& name, double a, double b, double target) {
      const double ratio = b / a;
      table.add({name, bench::fixed(a, 1), bench::fixed(b, 1), bench::fixed(ratio, 2) + "x",
                 target > 0 ? "<= " + bench::fixed(target, 1) + "x" : "-",
                 target > 0 ? (ratio <= target ? "yes" : "NO") : ""});
      return target <= 0 || ratio <= target;
    };
    bool met = row("p50", raw.p50, watt.p50, 1.5);
    met = row("p99", raw.p99, watt.p99, 2.0) && met;
    row("p99.9", raw.p999, watt.p999, 0);
    row("mean", raw.mean, watt.mean, 0);
    row("min", raw.min, watt.min, 0);
    row("max", raw.max, watt.max, 0);
    table.add({"calls/s", bench::grouped(raw.calls_per_s), bench::grouped(watt.calls_per_s),
               bench::fixed(watt.calls_per_s / raw.calls_per_s, 2) + "x", "", ""});
    table.print(std::cout);
    std::cout << "\nCPU time per call, us (user + system, all threads of the process, from wait4):\n\n";
    bench::Table cpu({"process", "raw ZeroMQ", "Watt", "Watt/raw"});
    auto cpu_row = [&](const std::string& name, double a, double b) {
      cpu.add({name, bench::fixed(a, 1), bench::fixed(b, 1), bench::fixed(b / a, 2) + "x"});
    };
    cpu_row("caller", raw.cpu_caller, watt.cpu_caller);
    cpu_row("router / broker", raw.cpu_router, watt.cpu_router);
    cpu_row("server", raw.cpu_server, watt.cpu_server);
    cpu_row("total", raw.cpu_caller + raw.cpu_router + raw.cpu_server,
            watt.cpu_caller + watt.cpu_router + watt.cpu_server);
    cpu.print(std::cout);
    std::cout << "\nreference: VOLTTRON RPC p50 " << bench::fixed(volttron_p50_us / 1000, 1) << " ms; Watt p50 is "
              << bench::fixed(volttron_p50_us / watt.p50, 0) << "x lower\n"
              << "targets: p50 within 1.5x raw, p99 within 2x raw: " << (met ? "met" : "NOT met") << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_rpc: " << e.what() << "\n";
    return 1;
  }
}
