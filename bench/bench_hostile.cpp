// bench_hostile: what hostile or broken peers cost a real wattd. Each
// scenario of issue 14 runs against a fresh platform (its own home), while a
// sampler reads wattd's resident memory (/proc/<pid>/status VmRSS) every
// 5 ms; printed beside the same wattd idle, measured in the same run.
//   pings     a peer sends pings and never reads the pongs
//   requests  a caller sends 1 MiB requests to a callee that never reads
//   lossless  a publisher sends 1 MiB messages to a stalled lossless subscriber
//   publish   the same to a stalled best-effort subscriber
//   sockets   TCP connections that never finish a handshake
// Usage: bench_hostile [--quick]
#include "bench_common.hpp"
#include "platform.hpp"

#include <watt/detail/zmq_context.hpp>
#include <watt/platform/broker_stats.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <CLI/CLI.hpp>
#include <zmq.hpp>

namespace {

namespace proto = watt::proto;
using watt::broker::BrokerStats;

// A peer that says only what it is told to, and reads nothing unless asked.
class Raw {
public:
  Raw(const std::string& address, const std::string& identity, int rcvhwm) : identity_(identity) {
    socket_.set(zmq::sockopt::rcvhwm, rcvhwm);
    socket_.set(zmq::sockopt::sndhwm, 0);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(address);
    proto::Header h;
    h.protocol = proto::version;
    send(proto::Kind::hello, identity, h);
    zmq::message_t welcome;
    if (!socket_.recv(welcome)) bench::fail("no welcome for " + identity);
  }
  void send(proto::Kind kind, const std::string& address, proto::Header h = {}, const std::string& body = {}) {
    h.id = ++id_;
    const std::string header = proto::encode_header(h);
    zmq::message_t out(proto::message_size(address, identity_, header, body));
    proto::write_message(out.data<char>(), kind, address, identity_, header, body);
    (void)socket_.send(out, zmq::send_flags::none);
  }
  // Waits until the broker has taken everything sent before (its linger is
  // 0: what it had not sent would be lost when it closes).
  void sync() {
    send(proto::Kind::sync, "");
    const std::uint64_t id = id_;
    for (;;) {
      zmq::message_t in;
      if (!socket_.recv(in)) bench::fail("no answer to sync");
      proto::MessageView v;
      proto::Header h;
      if (proto::parse_message({in.data<char>(), in.size()}, v).empty() &&
          v.kind == static_cast<std::uint8_t>(proto::Kind::ack) && proto::decode_header(v.header, h).empty() &&
          h.id == id)
        return;
    }
  }
  // Reads (and drops) what waits.
  void drain() {
    zmq::message_t in;
    while (socket_.recv(in, zmq::recv_flags::dontwait)) {
    }
  }

private:
  zmq::socket_t socket_{watt::detail::zmq_context(), zmq::socket_type::dealer};
  std::string identity_;
  std::uint64_t id_ = 0;
};

// wattd's largest resident set while a scenario runs.
class Sampler {
public:
  explicit Sampler(pid_t pid)
      : pid_(pid), thread_([this] {
          while (!stop_.load()) {
            peak_ = std::max(peak_.load(), bench::proc_status_kib(pid_, "VmRSS"));
            bench::sleep_ms(5);
          }
        }) {}
  ~Sampler() { stop(); }
  long stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return peak_.load();
  }

private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_{0};
  std::thread thread_;
};

struct Outcome {
  long idle_kib = 0, peak_kib = 0, after_kib = 0;
  BrokerStats stats;
  double seconds = 0;
};

BrokerStats broker_stats(watt::test::Platform& p) {
  auto c = p.client("bench-watcher");
  return c->call("broker", "stats").get_as<BrokerStats>().value();
}

std::string tcp_endpoint(const watt::test::Platform& p) {
  std::ifstream in(std::filesystem::path(p.home()) / "run" / "tcp.endpoint");
  std::string s;
  std::getline(in, s);
  return s;
}

void silent_connections(const std::string& endpoint, int n, std::vector<int>& fds) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      fds.push_back(fd);
    else if (fd >= 0)
      ::close(fd);
  }
}

// Runs one scenario against a fresh platform; `load` returns once its part is sent.
Outcome run(const std::function<void(watt::test::Platform&)>& load) {
  watt::test::Platform p("broker:\n  tcp: tcp://127.0.0.1:*\n");
  auto warm = p.client("bench-warm");  // the platform is up and answering
  (void)warm->sync();
  bench::sleep_ms(200);
  Outcome o;
  const pid_t pid = p.process().pid();
  o.idle_kib = bench::proc_status_kib(pid, "VmRSS");
  Sampler sampler(pid);
  const auto started = bench::Clock::now();
  load(p);
  o.seconds = std::chrono::duration<double>(bench::Clock::now() - started).count();
  bench::sleep_ms(300);
  o.peak_kib = sampler.stop();
  o.stats = broker_stats(p);
  // The load's peers are gone: what the broker held for them is handed back
  // once it notices (its next send to them fails) and reaps them.
  bench::sleep_ms(1000);
  o.after_kib = bench::proc_status_kib(pid, "VmRSS");
  if (!p.process().running()) bench::fail("wattd died");
  return o;
}

std::string mib(long kib) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << static_cast<double>(kib) / 1024.0;
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_hostile: what hostile or broken peers cost a real wattd"};
  bool quick = false;
  app.add_flag("--quick", quick, "a tenth of each load");
  CLI11_PARSE(app, argc, argv);
  const int scale = quick ? 10 : 1;
  const std::string mib_body(1 << 20, 'x');
  const std::string body = mib_body.substr(0, (1 << 20) - 512);  // within the 1 MiB message limit

  bench::Table t({"scenario", "load", "wattd idle (MiB)", "peak (MiB)", "after (MiB)", "what the broker did", "s"});
  auto row = [&](const std::string& name, const std::string& load, const Outcome& o, const std::string& did) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << o.seconds;
    t.add({name, load, mib(o.idle_kib), mib(o.peak_kib), mib(o.after_kib), did, s.str()});
  };

  const int pings = 1'000'000 / scale;
  auto o = run([&](watt::test::Platform& p) {
    Raw pinger(p.address(), "pinger", 1);
    for (int i = 0; i < pings; ++i) pinger.send(proto::Kind::ping, "");
    bench::sleep_ms(500);
  });
  row("pings", std::to_string(pings) + " pings, none read", o,
      std::to_string(o.stats.stalled_peers) + " peer removed for not reading");

  const int requests = 300 / scale;
  o = run([&](watt::test::Platform& p) {
    Raw server(p.address(), "slowsrv", 1), caller(p.address(), "caller", 1000);
    proto::Header h;
    h.method = "m";
    for (int i = 0; i < requests; ++i) {
      caller.send(proto::Kind::request, "slowsrv", h, body);
      caller.drain();
    }
    caller.sync();
  });
  row("requests", std::to_string(requests) + " x 1 MiB to a callee not reading", o,
      std::to_string(o.stats.refused_for_memory) + " refused (backpressure)");

  const int messages = 1000 / scale;
  for (const bool lossless : {true, false}) {
    o = run([&](watt::test::Platform& p) {
      Raw sub(p.address(), "stalled", 1), pub(p.address(), "pub", 1000);
      proto::Header s;
      s.lossless = lossless;
      sub.send(proto::Kind::subscribe, "big", s);
      bench::sleep_ms(100);
      for (int i = 0; i < messages; ++i) {
        pub.send(proto::Kind::publish, "big/x", {}, body);
        pub.drain();
      }
      pub.sync();
    });
    row(lossless ? "lossless" : "publish",
        std::to_string(messages) + " x 1 MiB to a " + (lossless ? "lossless" : "best-effort") +
            " subscriber not reading",
        o, std::to_string(o.stats.dropped) + " dropped for it");
  }

  const int sockets = 2000 / scale;
  std::vector<int> fds;
  o = run([&](watt::test::Platform& p) { silent_connections(tcp_endpoint(p), sockets, fds); });
  for (const int fd : fds) ::close(fd);
  row("sockets", std::to_string(fds.size()) + " TCP connections, no handshake", o,
      std::to_string(o.stats.connections_shed) + " shed; file limit " + std::to_string(o.stats.descriptor_limit));

  std::cout << "bench_hostile, " << bench::today() << "; limits: 64 MiB per peer, 512 MiB for all, 1,024 TCP "
            << "connections, 3 s handshakes (the defaults)\n\n";
  t.print(std::cout);
  return 0;
}
