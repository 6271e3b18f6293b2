// bench_serial: the serial link over a pty pair set to 115200 8N1
// (docs/performance.md §7). (a) Data frames per second one way, the real
// SerialLink sending and the real FrameDecoder receiving, beside the line-rate
// limit of the same frames at 115200 baud; (b) the round trip of one frame
// echoed by the other end, beside the pty alone carrying the same bytes and
// the line-rate time; (c) node → bus publish latency through a real wattd and
// the serial-bridge agent, beside the same publish made directly on the bus.
// A pty does not enforce its baud rate, so (a) and (b) show how far the
// software stays ahead of a real 115200-baud line, not what such a line does.
#include "bench_common.hpp"
#include "cli.hpp"
#include "pty.hpp"

#include "framing/decoder.hpp"
#include "framing/frame.hpp"
#include "framing/sequence.hpp"
#include "link/serial_link.hpp"

#include <watt/value.hpp>

#include <boost/asio/io_context.hpp>

#include <CLI/CLI.hpp>

#include <pty.h>
#include <termios.h>

#include <functional>
#include <span>

namespace {

namespace ws = watt::serial;
using bench::Pty;
using bench::read_some;
using bench::write_fully;
using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

constexpr double line_baud = 115200;
constexpr double bits_per_byte = 10;  // 8N1: a start bit, 8 data bits, a stop bit
constexpr double line_bytes_per_s = line_baud / bits_per_byte;

struct Settings {
  std::vector<std::size_t> sizes{16, 64, 256};
  double one_way_s = 2;            // per payload size
  std::size_t round_trips = 1000;  // per payload size and per path
  std::size_t publishes = 2000;    // per path
  bool verbose = false;
};

double us(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }

// ---- frames -------------------------------------------------------------------------------------

// A node's data payload of exactly `size` bytes where msgpack allows it:
// {"pub": "p", "body": "<padding>"}.
Bytes payload_of(std::size_t size) {
  for (std::size_t pad = size; pad-- > 0;) {
    std::string bytes;
    watt::detail::StringWriter w{&bytes};
    msgpack::packer<watt::detail::StringWriter> pk(w);
    pk.pack_map(2);
    pk.pack(std::string("pub"));
    pk.pack(std::string("p"));
    pk.pack(std::string("body"));
    pk.pack(std::string(pad, 'x'));
    if (bytes.size() <= size) return Bytes(bytes.begin(), bytes.end());
  }
  throw std::runtime_error("a payload of " + std::to_string(size) + " bytes is too small for {\"pub\", \"body\"}");
}

// {"pub": topic, "body": t}: what the simulated node sends in (c).
Bytes pub_payload(const std::string& topic, std::int64_t t) {
  std::string bytes;
  watt::detail::StringWriter w{&bytes};
  msgpack::packer<watt::detail::StringWriter> pk(w);
  pk.pack_map(2);
  pk.pack(std::string("pub"));
  pk.pack(topic);
  pk.pack(std::string("body"));
  pk.pack(t);
  return Bytes(bytes.begin(), bytes.end());
}

// Bytes on the line per data frame of this payload (COBS and the 0x00
// delimiter included), averaged over the 256 sequence numbers.
double wire_bytes(const Bytes& payload) {
  double sum = 0;
  for (unsigned seq = 0; seq < 256; ++seq)
    sum += static_cast<double>(ws::encode_frame({ws::FrameType::data, static_cast<std::uint8_t>(seq), payload}).size());
  return sum / 256;
}

// The link, as the bridge configures it, on the slave; it never goes DOWN for
// a peer that only listens.
ws::SerialSettings link_settings(const Pty& pty) {
  ws::SerialSettings s;
  s.device = pty.slave_path();
  s.baud = static_cast<unsigned>(line_baud);
  return s;
}

ws::LinkOptions link_options() {
  ws::LinkOptions o;
  o.silence_timeout = std::chrono::hours(1);
  return o;
}

void run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::seconds timeout,
               const char* what) {
  const auto deadline = bench::Clock::now() + timeout;
  while (!done()) {
    if (bench::Clock::now() > deadline) throw std::runtime_error(std::string("timed out: ") + what);
    io.run_one_for(10ms);
  }
}

// ---- (a) one way --------------------------------------------------------------------------------

struct OneWay {
  std::size_t payload = 0;
  double wire = 0;
  std::uint64_t sent = 0, received = 0;
  double seconds = 0;  // first to last frame received
  std::uint64_t damaged = 0, gaps = 0, tx_dropped = 0;
};

OneWay one_way(std::size_t size, const Settings& s) {
  const Pty pty;
  OneWay r;
  const Bytes payload = payload_of(size);
  r.payload = payload.size();
  r.wire = wire_bytes(payload);
  std::atomic<std::uint64_t> sent{0};
  std::atomic<bool> sending{true};
  std::int64_t first_ns = 0, last_ns = 0;
  std::thread receiver([&] {
    ws::FrameDecoder decoder;
    Bytes buf(1 << 16);
    auto idle_since = bench::Clock::now();
    while (sending || (r.received < sent && bench::Clock::now() - idle_since < 2s)) {
      const auto n = read_some(pty.master(), buf, 20);
      if (n == 0) continue;
      idle_since = bench::Clock::now();
      decoder.feed(std::span(buf.data(), n), [&](const ws::ReceivedFrame& f) {
        if (f.frame.type != ws::FrameType::data) return;
        last_ns = bench::now_ns();
        if (r.received++ == 0) first_ns = last_ns;
      });
    }
    r.damaged = decoder.counters().dropped();
    r.gaps = decoder.counters().gaps;
  });
  try {
    boost::asio::io_context io;
    ws::SerialLink link(io, link_settings(pty), link_options());
    link.start();
    run_until(
        io, [&] { return link.port_open() && link.counters().tx_frames > 0; }, 5s, "the link's hello");
    // At most `window` frames queued in the link, under its tx_queue_limit,
    // so none is dropped for the queue: this is the link at full speed.
    const std::int64_t window = 32;
    const auto base = static_cast<std::int64_t>(link.counters().tx_frames);
    const auto written = [&] { return static_cast<std::int64_t>(link.counters().tx_frames) - base; };
    const auto end = bench::Clock::now() + std::chrono::duration<double>(s.one_way_s);
    while (bench::Clock::now() < end) {
      while (static_cast<std::int64_t>(sent) - written() < window) {
        if (!link.send_data(payload)) throw std::runtime_error("the link refused a data frame");
        ++sent;
      }
      io.run_one_for(10ms);
    }
    run_until(
        io, [&] { return written() >= static_cast<std::int64_t>(sent.load()); }, 10s, "the last writes");
    r.tx_dropped = link.counters().tx_dropped;
    sending = false;
    receiver.join();
  } catch (...) {
    sending = false;
    receiver.join();
    throw;
  }
  r.sent = sent;
  r.seconds = static_cast<double>(last_ns - first_ns) / 1e9;
  return r;
}

// ---- (b) round trip -----------------------------------------------------------------------------

// The far end of the pty: sends back every data frame as a new frame of its
// own (framed), or every byte as it comes (raw).
class Echo {
public:
  Echo(const Pty& pty, bool framed) : thread_([this, &pty, framed] { run(pty.master(), framed); }) {}
  ~Echo() {
    stop_ = true;
    thread_.join();
  }
  Echo(const Echo&) = delete;
  Echo& operator=(const Echo&) = delete;

private:
  void run(int fd, bool framed) {
    ws::FrameDecoder decoder;
    ws::SequenceCounter seq;
    Bytes buf(1 << 16);
    while (!stop_) {
      const auto n = read_some(fd, buf, 20);
      if (n == 0) continue;
      const std::span bytes(buf.data(), n);
      if (!framed) {
        write_fully(fd, bytes);
        continue;
      }
      decoder.feed(bytes, [&](const ws::ReceivedFrame& f) {
        if (f.frame.type == ws::FrameType::data)
          write_fully(fd, ws::encode_frame({ws::FrameType::data, seq.next(), f.frame.payload}));
      });
    }
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct RoundTrip {
  std::size_t payload = 0;
  double wire = 0;
  std::vector<double> link_us, pty_us;  // sorted
};

// SerialLink on the slave sends a frame; the echo sends it back; the link's
// on_frame stops the clock.
std::vector<double> link_round_trips(const Bytes& payload, std::size_t count) {
  const Pty pty;
  const Echo echo(pty, true);
  boost::asio::io_context io;
  std::int64_t back_ns = 0;
  ws::LinkCallbacks cb;
  cb.on_frame = [&](const ws::Frame&) { back_ns = bench::now_ns(); };
  ws::SerialLink link(io, link_settings(pty), link_options(), std::move(cb));
  link.start();
  run_until(
      io, [&] { return link.port_open(); }, 5s, "the link's open");
  std::vector<double> out;
  for (std::size_t i = 0; i < count; ++i) {
    back_ns = 0;
    const auto t0 = bench::now_ns();
    if (!link.send_data(payload)) throw std::runtime_error("the link refused a data frame");
    run_until(
        io, [&] { return back_ns != 0; }, 5s, "an echoed frame");
    out.push_back(us(back_ns - t0));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The same bytes with plain write() and read() on the slave: the pty alone.
std::vector<double> pty_round_trips(const Bytes& wire, std::size_t count) {
  const Pty pty;
  const Echo echo(pty, false);
  const int fd = ::open(pty.slave_path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) bench::fail("open " + pty.slave_path());
  std::vector<double> out;
  Bytes buf(wire.size());
  try {
    for (std::size_t i = 0; i < count; ++i) {
      const auto t0 = bench::now_ns();
      write_fully(fd, wire);
      const auto deadline = bench::Clock::now() + 5s;
      for (std::size_t got = 0; got < wire.size();) {
        if (bench::Clock::now() > deadline) throw std::runtime_error("the echo did not come back within 5 s");
        got += read_some(fd, buf, 100);
      }
      out.push_back(us(bench::now_ns() - t0));
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  std::sort(out.begin(), out.end());
  return out;
}

RoundTrip round_trip(std::size_t size, const Settings& s) {
  RoundTrip r;
  const Bytes payload = payload_of(size);
  r.payload = payload.size();
  r.wire = wire_bytes(payload);
  r.link_us = link_round_trips(payload, s.round_trips);
  r.pty_us = pty_round_trips(ws::encode_frame({ws::FrameType::data, 1, payload}), s.round_trips);
  return r;
}

// ---- (c) node → bus -----------------------------------------------------------------------------

struct BusLatency {
  std::vector<double> bridge_us, direct_us;  // sorted
  double wire = 0;                           // bytes per node frame
};

// One sample: `send` publishes a body carrying its send time; the subscriber
// records the delay in its callback.
void one_publish(watt::Client& sub, std::vector<double>& into, const std::function<void(std::int64_t)>& send) {
  const auto before = into.size();
  send(bench::now_ns());
  if (!sub.spin_until([&] { return into.size() > before; }, 5s))
    throw std::runtime_error("a publish did not arrive within 5 s");
}

BusLatency node_to_bus(const Settings& s) {
  BusLatency r;
  watt::test::Cli cli;
  if (const auto e = cli.watt({"platform", "start"}); e.code != 0)
    throw std::runtime_error("watt platform start: " + e.out + e.err);
  const Pty node;
  const auto file = cli.home().path() / "bridge.yml";
  std::ofstream(file) << "lab: bench\ndefaults: {heartbeat_ms: 1000, silence_timeout_ms: 600000}\n"
                      << "ports:\n  - {device: " << node.slave_path() << ", node: n1}\n";
  if (const auto e = cli.watt({"install", watt::test::lib("serial-bridge"), "-i", "bridge", "-c", file.string(),
                               "--restart", "never", "--start"});
      e.code != 0)
    throw std::runtime_error("watt install serial-bridge: " + e.out + e.err);

  auto sub = watt::test::client(cli, "bench-serial-sub");
  auto direct = watt::test::client(cli, "bench-serial-direct");
  bool up = false;
  sub.subscribe("devices/bench/n1/link",
                [&](const watt::Envelope& e) { up = e.body.to_json().find("\"up\"") != std::string::npos; });
  const auto record = [](std::vector<double>& into) {
    return [&into](const watt::Envelope& e) { into.push_back(us(bench::now_ns() - e.body.as<std::int64_t>())); };
  };
  sub.subscribe("devices/bench/n1/lat", record(r.bridge_us));
  sub.subscribe("devices/bench/direct/lat", record(r.direct_us));
  if (!sub.sync(10s)) throw std::runtime_error("the subscriptions were not confirmed");

  ws::SequenceCounter seq;
  const auto send_frame = [&](ws::FrameType type, const Bytes& payload) {
    write_fully(node.master(), ws::encode_frame({type, seq.next(), payload}));
  };
  Bytes drain(4096);
  // The bridge goes UP on the node's first good frame.
  const auto deadline = bench::Clock::now() + 20s;
  while (!up) {
    if (bench::Clock::now() > deadline) throw std::runtime_error("the bridge's link to the node never went up");
    send_frame(ws::FrameType::heartbeat, {});
    sub.spin_for(50ms);
  }
  r.wire = static_cast<double>(ws::encode_frame({ws::FrameType::data, 1, pub_payload("lat", bench::now_ns())}).size());
  const auto via_bridge = [&](std::int64_t t) { send_frame(ws::FrameType::data, pub_payload("lat", t)); };
  const auto on_bus = [&](std::int64_t t) { direct.publish("devices/bench/direct/lat", t); };
  // Alternated, so both paths see the same machine.
  for (std::size_t i = 0; i < s.publishes; ++i) {
    one_publish(sub, r.bridge_us, via_bridge);
    one_publish(sub, r.direct_us, on_bus);
    while (read_some(node.master(), drain, 0) > 0) {  // the bridge's heartbeats
    }
  }
  std::sort(r.bridge_us.begin(), r.bridge_us.end());
  std::sort(r.direct_us.begin(), r.direct_us.end());
  return r;
}

// ---- output -------------------------------------------------------------------------------------

void print_one_way(const std::vector<OneWay>& rows) {
  bench::Table t({"payload B", "on the wire B/frame", "frames sent / received", "damaged, gaps, tx dropped",
                  "frames/s (SerialLink -> FrameDecoder)", "line-rate limit frames/s", "x line rate"});
  for (const auto& r : rows) {
    const double fps = r.seconds > 0 ? static_cast<double>(r.received - 1) / r.seconds : 0;
    const double limit = line_bytes_per_s / r.wire;
    t.add({std::to_string(r.payload), bench::fixed(r.wire, 2),
           bench::grouped(static_cast<double>(r.sent)) + " / " + bench::grouped(static_cast<double>(r.received)),
           std::to_string(r.damaged) + ", " + std::to_string(r.gaps) + ", " + std::to_string(r.tx_dropped),
           bench::grouped(fps), bench::fixed(limit, 1), bench::fixed(fps / limit, 0) + "x"});
  }
  t.print(std::cout);
}

void print_round_trips(const std::vector<RoundTrip>& rows) {
  bench::Table t({"payload B", "on the wire B/frame", "SerialLink + echo p50 us", "p99 us", "pty alone p50 us",
                  "p99 us", "line-rate time of the same bytes us", "line-rate time / p50"});
  for (const auto& r : rows) {
    const double line_us = 2 * r.wire * 1e6 / line_bytes_per_s;
    const double p50 = bench::percentile(r.link_us, 50);
    t.add({std::to_string(r.payload), bench::fixed(r.wire, 2), bench::fixed(p50, 1),
           bench::fixed(bench::percentile(r.link_us, 99), 1), bench::fixed(bench::percentile(r.pty_us, 50), 1),
           bench::fixed(bench::percentile(r.pty_us, 99), 1), bench::fixed(line_us, 0),
           bench::fixed(line_us / p50, 0) + "x"});
  }
  t.print(std::cout);
}

void print_bus(const BusLatency& r) {
  bench::Table t({"path", "publishes", "p50 us", "p99 us", "max us"});
  const auto row = [&](const std::string& path, const std::vector<double>& v) {
    t.add({path, bench::grouped(static_cast<double>(v.size())), bench::fixed(bench::percentile(v, 50), 1),
           bench::fixed(bench::percentile(v, 99), 1), bench::fixed(v.empty() ? 0 : v.back(), 1)});
  };
  row("node -> pty -> serial-bridge -> wattd -> subscriber", r.bridge_us);
  row("bus alone: SDK client -> wattd -> subscriber (baseline)", r.direct_us);
  t.print(std::cout);
  const double p50 = bench::percentile(r.bridge_us, 50) - bench::percentile(r.direct_us, 50);
  std::cout << "the bridge adds " << bench::fixed(p50, 1) << " us at p50; the node's " << bench::fixed(r.wire, 0)
            << "-byte frame alone takes " << bench::fixed(r.wire * 1e6 / line_bytes_per_s, 0)
            << " us on a real 115200-baud line\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The serial link over a pty at 115200 8N1, beside the line rate; node -> bus latency, beside the bus alone"};
  Settings s;
  app.add_option("--sizes", s.sizes, "data payload sizes in bytes")->capture_default_str();
  app.add_option("--one-way-s", s.one_way_s, "seconds of sending per payload size in (a)")->capture_default_str();
  app.add_option("--round-trips", s.round_trips, "round trips per payload size and path in (b)")->capture_default_str();
  app.add_option("--publishes", s.publishes, "publishes per path in (c)")->capture_default_str();
  app.add_flag("-v,--verbose", s.verbose, "the SDK's and the platform's logs");
  CLI11_PARSE(app, argc, argv);
  bench::quiet_sdk_logs(s.verbose);
  ::signal(SIGPIPE, SIG_IGN);

  const auto t_begin = bench::Clock::now();
  try {
    bench::print_machine(std::cout);
    {
      const Pty probe;
      boost::asio::io_context io;
      ws::SerialLink link(io, link_settings(probe), link_options());
      link.start();
      run_until(
          io, [&] { return link.port_open(); }, 5s, "the link's open");
      std::cout << "line: a pty pair; termios as the link sets it: " << probe.line() << " (one byte = " << bits_per_byte
                << " bits, so " << bench::grouped(line_bytes_per_s) << " bytes/s at most)\n";
    }
    std::cout << "a pty does not enforce its baud rate: the figures below say how many times faster than a real "
                 "115200-baud line the software is, not what such a line carries\n\n";

    std::cout << "(a) data frames one way, " << s.one_way_s << " s per size: SerialLink on the slave, FrameDecoder "
              << "reading the master in its own thread\n\n";
    const auto per_size = [&](auto run) {
      std::vector<decltype(run(std::size_t{}))> rows;
      for (auto size : s.sizes) rows.push_back(run(size));
      return rows;
    };
    print_one_way(per_size([&](std::size_t size) { return one_way(size, s); }));

    std::cout << "\n(b) round trip of one data frame, " << s.round_trips << " per size: SerialLink sends, the far "
              << "end decodes and sends back a frame of its own; beside the same bytes over the pty with plain "
              << "write/read (the pty alone) and their time on a real line (both ways)\n\n";
    print_round_trips(per_size([&](std::size_t size) { return round_trip(size, s); }));

    std::cout << "\n(c) node -> bus publish latency, " << s.publishes << " publishes per path, alternated: a real "
              << "wattd and serial-bridge; the node (the bench on the pty master) writes {\"pub\": \"lat\", "
              << "\"body\": <send time>}; one subscriber client\n\n";
    print_bus(node_to_bus(s));
    std::cout << "\ntotal runtime "
              << bench::fixed(std::chrono::duration<double>(bench::Clock::now() - t_begin).count(), 1) << " s\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_serial: " << e.what() << "\n";
    return 1;
  }
}
