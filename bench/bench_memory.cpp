// bench_memory: resident memory (VmRSS, /proc/<pid>/status) of
//   (a) the broker process idle with 0 peers, then with 1,000 connected peers
//       (watt::Client objects, each one DEALER socket, spread over a few
//       client processes);
//   (b) an idle agent process: watt-agent running the listener library.
// The raw ZeroMQ baseline in the same run: a bare ROUTER process (the socket
// alone, no routing state) with the same 1,000 peers connected as plain
// DEALER sockets from the same number of processes.
#include "bench_common.hpp"
#include "process.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#ifndef WATT_BENCH_AGENT_BIN
#define WATT_BENCH_AGENT_BIN "watt-agent"
#endif
#ifndef WATT_BENCH_LISTENER_LIB
#define WATT_BENCH_LISTENER_LIB "liblistener.so"
#endif

namespace {

using namespace std::chrono_literals;

constexpr double mib = 1024.0;  // KiB per MiB
constexpr double broker_target_mib = 10.0;
constexpr double agent_target_mib = 8.0;
constexpr double volttron_low_mib = 70.0, volttron_high_mib = 85.0;

struct Settings {
  int peers = 1000;
  int processes = 4;
  int settle_ms = 1000;
  int churn = 0;  // extra connect/disconnect rounds, to watch RSS after peers come and go
  std::string agent_bin = WATT_BENCH_AGENT_BIN;
  std::string listener_lib = WATT_BENCH_LISTENER_LIB;
  bool verbose = false;
};

struct Rss {
  long rss = -1, anon = -1, file = -1;  // KiB
};

Rss rss_of(pid_t pid) {
  return {bench::proc_status_kib(pid, "VmRSS"), bench::proc_status_kib(pid, "RssAnon"),
          bench::proc_status_kib(pid, "RssFile")};
}

// ---- peers ---------------------------------------------------------------------------------------

// Connects `count` watt::Clients (or raw DEALERs), reports its own RSS, then
// holds them until told to quit.
int peer_process(bool watt, const std::string& ep, int first, int count, int report_fd, int ctrl_fd, std::int32_t who) {
  bench::raise_nofile();
  std::vector<std::unique_ptr<watt::Client>> clients;
  std::unique_ptr<zmq::context_t> ctx;
  std::vector<zmq::socket_t> dealers;
  if (watt) {
    for (int i = 0; i < count; ++i)
      clients.push_back(
          std::make_unique<watt::Client>(bench::client_options("peer-" + std::to_string(first + i), ep, 30s)));
  } else {
    ctx = std::make_unique<zmq::context_t>(1);
    ctx->set(zmq::ctxopt::max_sockets, count + 64);
    for (int i = 0; i < count; ++i) {
      zmq::socket_t d(*ctx, zmq::socket_type::dealer);
      d.set(zmq::sockopt::linger, 0);
      d.set(zmq::sockopt::routing_id, "peer-" + std::to_string(first + i));
      d.connect(ep);
      // One round trip, as a Watt hello is: the router surely has the peer.
      (void)d.send(zmq::str_buffer("hello"), zmq::send_flags::none);
      zmq::message_t reply;
      (void)d.recv(reply, zmq::recv_flags::none);
      dealers.push_back(std::move(d));
    }
  }
  const auto self = rss_of(::getpid());
  bench::report(report_fd, who, bench::report_ready, {self.rss, self.anon});
  std::int64_t cmd = 0;
  (void)bench::read_one(ctrl_fd, cmd, 10min);
  clients.clear();
  dealers.clear();
  return 0;
}

// The baseline's server: a ROUTER that answers every message to its sender.
int raw_router(const std::string& ep) {
  bench::raise_nofile();
  zmq::context_t ctx(1);
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind(ep);
  zmq::message_t id, body;
  while (true) {  // until SIGTERM
    (void)router.recv(id, zmq::recv_flags::none);
    (void)router.recv(body, zmq::recv_flags::none);
    (void)router.send(id, zmq::send_flags::sndmore);
    (void)router.send(body, zmq::send_flags::none);
  }
}

struct PeersResult {
  Rss server_idle, server_loaded, server_after;
  double peer_process_mean_kib = 0;
  double seconds_to_connect = 0;
};

// Starts the server (Watt broker or raw router) and reads its RSS idle.
pid_t start_server(bool watt, const std::string& ep, const Settings& s, bench::Children& kids, PeersResult& out) {
  const pid_t server = kids.add(watt ? bench::spawn([&] { return bench::run_watt_broker(ep, s.verbose); })
                                     : bench::spawn([&] { return raw_router(ep); }));
  bench::wait_for_endpoint(ep);
  bench::sleep_ms(s.settle_ms);
  out.server_idle = rss_of(server);
  return server;
}

// Connects the peers, reads the server's RSS, lets them go, reads it again.
void connect_peers(bool watt, const std::string& ep, const Settings& s, pid_t server, bench::Children& kids,
                   PeersResult& out) {
  bench::Pipe reports, ctrl;
  std::vector<pid_t> procs;
  const auto t0 = bench::Clock::now();
  const int per = (s.peers + s.processes - 1) / s.processes;
  int first = 0;
  for (std::int32_t p = 0; p < s.processes && first < s.peers; ++p) {
    const int count = std::min(per, s.peers - first);
    procs.push_back(kids.add(
        bench::spawn([&] { return peer_process(watt, ep, first, count, reports.write_fd(), ctrl.read_fd(), p); },
                     reports.write_fd(), p)));
    first += count;
  }
  const auto ready = bench::collect(reports.read_fd(), bench::report_ready, procs.size(), 5min);
  out.seconds_to_connect = std::chrono::duration<double>(bench::Clock::now() - t0).count();
  double sum = 0;
  for (const auto& r : ready) sum += static_cast<double>(r.v[0]);
  out.peer_process_mean_kib = sum / static_cast<double>(ready.size());
  bench::sleep_ms(s.settle_ms);  // a liveness probe round goes by
  out.server_loaded = rss_of(server);
  for (std::size_t i = 0; i < procs.size(); ++i) bench::write_all(ctrl.write_fd(), std::int64_t{1});
  for (pid_t p : procs) {
    bench::reap(p, 2min);
    kids.forget(p);
  }
  bench::sleep_ms(s.settle_ms);
  out.server_after = rss_of(server);
}

// ---- the idle agent ------------------------------------------------------------------------------

struct AgentResult {
  Rss rss;
  bool started = false;
};

AgentResult idle_agent(const bench::TempDir& dir, const std::string& ep, const Settings& s) {
  watt::test::Process agent({s.agent_bin, s.listener_lib, "--identity", "idle", "--connect", ep}, dir.path(),
                            {{"WATT_LOG_LEVEL", "info"}});  // so "started" shows in the log
  AgentResult out;
  // Wait until it is connected and started, then one more second.
  out.started = watt::test::eventually([&] { return agent.out().find("started") != std::string::npos; }, 10s);
  bench::sleep_ms(1000);
  out.rss = rss_of(agent.pid());
  agent.stop();
  if (!out.started)
    std::cerr << "bench_memory: the idle agent did not report 'started'; its output:\n"
              << agent.out() << agent.err() << "\n";
  return out;
}

std::string mib_of(long kib) { return kib < 0 ? "-" : bench::fixed(static_cast<double>(kib) / mib, 2); }

// The table beside the raw baseline, the churn rounds and the targets.
void print_report(const Settings& s, const PeersResult& raw, const PeersResult& watt, const AgentResult& agent,
                  const std::vector<PeersResult>& raw_churn, const std::vector<PeersResult>& watt_churn) {
  const double broker_loaded_mib = static_cast<double>(watt.server_loaded.rss) / mib;
  const double agent_mib = static_cast<double>(agent.rss.rss) / mib;
  const bool broker_met = watt.server_loaded.rss > 0 && broker_loaded_mib < broker_target_mib;
  const bool agent_met = agent.started && agent.rss.rss > 0 && agent_mib < agent_target_mib;

  bench::Table t({"process", "raw ZeroMQ (MiB)", "Watt (MiB)", "Watt anon / file (MiB)", "Watt/raw", "target", "met"});
  auto ratio = [](const Rss& w, const Rss& r) {
    return r.rss > 0 && w.rss > 0 ? bench::fixed(static_cast<double>(w.rss) / static_cast<double>(r.rss), 2) + "x"
                                  : std::string("-");
  };
  auto split = [](const Rss& r) { return mib_of(r.anon) + " / " + mib_of(r.file); };
  t.add({"broker, 0 peers", mib_of(raw.server_idle.rss), mib_of(watt.server_idle.rss), split(watt.server_idle),
         ratio(watt.server_idle, raw.server_idle), "", ""});
  t.add({"broker, " + std::to_string(s.peers) + " peers", mib_of(raw.server_loaded.rss), mib_of(watt.server_loaded.rss),
         split(watt.server_loaded), ratio(watt.server_loaded, raw.server_loaded),
         "< " + bench::fixed(broker_target_mib, 0) + " MiB", broker_met ? "yes" : "NO"});
  t.add({"broker, after they left", mib_of(raw.server_after.rss), mib_of(watt.server_after.rss),
         split(watt.server_after), ratio(watt.server_after, raw.server_after), "", ""});
  t.add({"idle agent (watt-agent + listener)", "-", mib_of(agent.rss.rss), split(agent.rss), "",
         "< " + bench::fixed(agent_target_mib, 0) + " MiB", agent_met ? "yes" : "NO"});
  t.add({"client process (" + std::to_string((s.peers + s.processes - 1) / s.processes) + " peers)",
         mib_of(static_cast<long>(raw.peer_process_mean_kib)), mib_of(static_cast<long>(watt.peer_process_mean_kib)),
         "", "", "", ""});
  t.print(std::cout);
  if (!watt_churn.empty()) {
    std::cout << "\nconnect/disconnect rounds (--churn): server RSS in MiB with the peers / after they left\n\n";
    bench::Table c({"round", "raw ZeroMQ with", "raw ZeroMQ after", "Watt with", "Watt after"});
    c.add({"1", mib_of(raw.server_loaded.rss), mib_of(raw.server_after.rss), mib_of(watt.server_loaded.rss),
           mib_of(watt.server_after.rss)});
    for (std::size_t i = 0; i < watt_churn.size(); ++i)
      c.add({std::to_string(i + 2), mib_of(raw_churn[i].server_loaded.rss), mib_of(raw_churn[i].server_after.rss),
             mib_of(watt_churn[i].server_loaded.rss), mib_of(watt_churn[i].server_after.rss)});
    c.print(std::cout);
  }
  const double per_peer_kib =
      s.peers > 0 ? static_cast<double>(watt.server_loaded.rss - watt.server_idle.rss) / s.peers : 0;
  const double raw_per_peer_kib =
      s.peers > 0 ? static_cast<double>(raw.server_loaded.rss - raw.server_idle.rss) / s.peers : 0;
  std::cout << "\nper peer at the broker: Watt " << bench::fixed(per_peer_kib, 1) << " KiB, raw ROUTER "
            << bench::fixed(raw_per_peer_kib, 1) << " KiB; connecting took " << bench::fixed(watt.seconds_to_connect, 2)
            << " s (Watt), " << bench::fixed(raw.seconds_to_connect, 2) << " s (raw)\n"
            << "reference: VOLTTRON " << bench::fixed(volttron_low_mib, 0) << "-" << bench::fixed(volttron_high_mib, 0)
            << " MiB per process; the idle agent uses " << bench::fixed(agent_mib, 1) << " MiB ("
            << bench::fixed(volttron_low_mib / agent_mib, 0) << "-" << bench::fixed(volttron_high_mib / agent_mib, 0)
            << "x less)\n"
            << "targets: broker < 10 MiB with " << s.peers << " peers: " << (broker_met ? "met" : "NOT met")
            << "; idle agent < 8 MiB: " << (agent_met ? "met" : "NOT met") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Resident memory of the Watt broker (0 and 1,000 peers) and of an idle agent"};
  Settings s;
  app.add_option("--peers", s.peers, "peers to connect to the broker")->capture_default_str();
  app.add_option("--processes", s.processes, "client processes the peers are spread over")->capture_default_str();
  app.add_option("--settle-ms", s.settle_ms, "wait before each reading")->capture_default_str();
  app.add_option("--churn", s.churn, "extra rounds of connecting and disconnecting every peer (RSS after each)")
      ->capture_default_str();
  app.add_option("--agent", s.agent_bin, "watt-agent executable")->capture_default_str();
  app.add_option("--listener", s.listener_lib, "listener agent library")->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "broker and SDK logs at info level");
  CLI11_PARSE(app, argc, argv);
  if (s.peers < 0 || s.processes < 1) {
    std::cerr << "bench_memory: --peers must be >= 0 and --processes >= 1\n";
    return 2;
  }
  bench::quiet_sdk_logs(s.verbose);
  bench::raise_nofile();
  ::signal(SIGPIPE, SIG_IGN);

  try {
    bench::TempDir dir;
    bench::Children kids;
    bench::print_machine(std::cout);
    std::cout << "resident memory (VmRSS; MiB = 1024 KiB), " << s.peers << " peers over " << s.processes
              << " client processes, each reading " << s.settle_ms << " ms after the change\n\n";

    // The raw baseline: a bare ROUTER with the same peers.
    const std::string raw_ep = dir.ipc("raw");
    PeersResult raw;
    const pid_t raw_server = start_server(false, raw_ep, s, kids, raw);
    connect_peers(false, raw_ep, s, raw_server, kids, raw);
    std::vector<PeersResult> raw_churn(static_cast<std::size_t>(std::max(0, s.churn)));
    for (auto& r : raw_churn) connect_peers(false, raw_ep, s, raw_server, kids, r);
    bench::stop_child(raw_server);
    kids.forget(raw_server);

    // The Watt broker: idle, the idle agent, then the peers.
    const std::string ep = dir.ipc("watt");
    PeersResult watt;
    const pid_t broker = start_server(true, ep, s, kids, watt);
    const AgentResult agent = idle_agent(dir, ep, s);
    connect_peers(true, ep, s, broker, kids, watt);
    std::vector<PeersResult> watt_churn(raw_churn.size());
    for (auto& r : watt_churn) connect_peers(true, ep, s, broker, kids, r);
    bench::stop_child(broker);
    kids.forget(broker);

    print_report(s, raw, watt, agent, raw_churn, watt_churn);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_memory: " << e.what() << "\n";
    return 1;
  }
}
