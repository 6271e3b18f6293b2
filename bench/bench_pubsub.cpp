// bench_pubsub: brokered publish/subscribe throughput through the Watt SDK,
// beside a raw ZeroMQ XSUB/XPUB proxy measured in the same run, with the same
// process topology:
//
//   Watt: broker process (watt::broker::Broker), a publisher process (one
//         watt::Client), N subscriber processes (one watt::Client each, a
//         lossless subscription).
//   raw:  proxy process (zmq_proxy between XSUB and XPUB), a PUB process, N
//         SUB processes; every high-water mark 0 (unlimited), so nothing is
//         dropped, and any loss is reported.
//
// Throughput is measured at each subscriber: messages received per second
// from the first to the last measured message. The publisher first sends
// warm-up messages until every subscriber has seen one (the path is up), then
// the measured messages as fast as it can.
#include "bench_common.hpp"

#include <watt/client.hpp>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

namespace {

using namespace std::chrono_literals;

constexpr std::string_view data_topic = "bench/data";
constexpr std::string_view warm_topic = "bench/warm";
constexpr double volttron_msgs_per_s = 2500.0;  // VOLTTRON 9 on this machine (issue)
constexpr std::int32_t publisher_who = 1000;

struct Case {
  std::size_t size = 0;
  int subscribers = 0;
  std::uint64_t messages = 0;
};

struct Settings {
  std::chrono::seconds idle{5};
  bool verbose = false;
  std::uint64_t window = 0;  // Watt publisher: sync() every `window` messages (0 = never)
  int raw_frames = 1;        // frames per raw message: 1 = [topic+body]; n = [topic][n-2 fillers][body]
  int raw_hwm = 10000;       // 0 = unlimited queues; n > 0 = n with XPUB_NODROP (lossless backpressure)
};

// High-water marks of a raw socket: unlimited, or bounded and blocking rather
// than dropping (XPUB_NODROP applies to PUB too: a PUB is an XPUB inside).
void raw_limits(zmq::socket_t& sock, const Settings& s, bool publishing) {
  sock.set(zmq::sockopt::sndhwm, s.raw_hwm);
  sock.set(zmq::sockopt::rcvhwm, s.raw_hwm);
  if (publishing && s.raw_hwm > 0) sock.set(zmq::sockopt::xpub_nodrop, 1);
}

struct Outcome {
  bool ran = false;
  double mean_rate = 0;     // msgs/s per subscriber, averaged over subscribers
  double min_rate = 0;      // the slowest subscriber
  std::uint64_t lost = 0;   // messages not received, summed over subscribers
  std::uint64_t bad = 0;    // messages of the wrong size
  double publish_rate = 0;  // how fast the publisher handed them over
  // CPU time (user + system, all threads, wait4) per measured message, us.
  double cpu_publisher = 0, cpu_server = 0, cpu_subscriber = 0;  // subscriber: mean of them
};

// What a subscriber counts, shared by both kinds.
struct Counter {
  std::uint64_t target = 0;
  std::size_t expected_size = 0;
  std::uint64_t count = 0, warm = 0, bad = 0;
  std::int64_t first = 0, last = 0;
  void data(std::size_t size) {
    if (count == 0) first = bench::now_ns();
    if (size != expected_size) ++bad;
    if (++count == target) last = bench::now_ns();
  }
};

// Runs a subscriber's receive loop: `pump(wait)` receives what is there (waiting
// at most `wait`) and returns how many messages it took.
template <class Pump>
void subscriber_loop(Counter& c, int report_fd, std::int32_t who, const Settings& s, Pump&& pump) {
  bool ready = false;
  auto last_activity = bench::Clock::now();
  const auto give_up = bench::Clock::now() + 10min;
  std::int64_t last_batch = 0;
  while (c.count < c.target) {
    const auto got = pump(100ms);
    const auto now = bench::Clock::now();
    if (got > 0) {
      last_activity = now;
      last_batch = bench::now_ns();
    }
    if (!ready && c.warm > 0) {
      bench::report(report_fd, who, bench::report_ready);
      ready = true;
    }
    if (ready && now - last_activity > s.idle) break;  // the publisher is done and some were lost
    if (now > give_up) break;
  }
  if (c.count < c.target) c.last = last_batch;
  bench::report(report_fd, who, bench::report_done,
                {static_cast<std::int64_t>(c.count), c.first, c.last, static_cast<std::int64_t>(c.bad),
                 static_cast<std::int64_t>(c.warm)});
}

// ---- Watt ------------------------------------------------------------------------------

int watt_subscriber(const std::string& ep, const Case& k, int report_fd, std::int32_t who, const Settings& s) {
  watt::Client client(bench::client_options("sub-" + std::to_string(who), ep, 10s));
  Counter c;
  c.target = k.messages;
  c.expected_size = watt::Value::of(std::string(k.size, 'x')).bytes().size();
  std::uint64_t seen = 0;
  client.subscribe(
      "bench/#",
      [&](const watt::Envelope& e) {
        ++seen;
        if (e.topic == data_topic)
          c.data(e.body.bytes().size());
        else
          ++c.warm;
      },
      watt::SubscribeOptions{watt::Delivery::lossless});
  if (!client.sync(10s)) throw std::runtime_error("the broker did not acknowledge the subscription");
  subscriber_loop(c, report_fd, who, s, [&](std::chrono::milliseconds wait) {
    const auto before = seen;
    client.spin_until([&] { return c.count >= c.target; }, wait);
    return seen - before;
  });
  return 0;
}

int watt_publisher(const std::string& ep, const Case& k, int report_fd, int ctrl_fd, const Settings& s) {
  watt::Client client(bench::client_options("pub", ep, 10s));
  const std::string payload(k.size, 'x');
  const std::string warm = "w";
  std::int64_t cmd = 0;
  while (!bench::read_one(ctrl_fd, cmd, 1ms)) client.publish(warm_topic, warm);
  const auto t0 = bench::now_ns();
  for (std::uint64_t i = 0; i < k.messages; ++i) {
    client.publish(data_topic, payload);
    if (s.window > 0 && (i + 1) % s.window == 0) (void)client.sync(60s);
  }
  const auto t1 = bench::now_ns();
  if (!client.sync(120s)) throw std::runtime_error("the broker did not take every message");
  bench::report(report_fd, publisher_who, bench::report_done, {static_cast<std::int64_t>(k.messages), t0, t1});
  (void)bench::read_one(ctrl_fd, cmd, 10min);  // quit
  return 0;
}

// ---- raw ZeroMQ --------------------------------------------------------------------------

int raw_proxy(const std::string& in_ep, const std::string& out_ep, const Settings& s) {
  zmq::context_t ctx(1);
  zmq::socket_t xsub(ctx, zmq::socket_type::xsub);
  zmq::socket_t xpub(ctx, zmq::socket_type::xpub);
  raw_limits(xsub, s, false);
  raw_limits(xpub, s, true);
  xsub.set(zmq::sockopt::linger, 0);
  xpub.set(zmq::sockopt::linger, 0);
  xsub.bind(in_ep);
  xpub.bind(out_ep);
  zmq::proxy(xsub, xpub);  // until SIGTERM
  return 0;
}

int raw_subscriber(const std::string& out_ep, const Case& k, int report_fd, std::int32_t who, const Settings& s) {
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  raw_limits(sub, s, false);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "bench/");
  sub.connect(out_ep);
  Counter c;
  c.target = k.messages;
  c.expected_size = data_topic.size() + k.size + static_cast<std::size_t>(std::max(0, s.raw_frames - 2)) * 16;
  zmq::message_t msg, part;
  subscriber_loop(c, report_fd, who, s, [&](std::chrono::milliseconds wait) {
    std::uint64_t got = 0;
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, wait);
    while (c.count < c.target && sub.recv(msg, zmq::recv_flags::dontwait)) {
      ++got;
      std::size_t size = msg.size();
      for (bool more = msg.more(); more; more = part.more()) {  // --raw-frames > 1
        (void)sub.recv(part, zmq::recv_flags::none);
        size += part.size();
      }
      const auto* d = msg.data<char>();
      // "bench/data..." or "bench/warm": the seventh byte tells them apart.
      if (msg.size() > 6 && d[6] == 'd')
        c.data(size);
      else
        ++c.warm;
    }
    return got;
  });
  return 0;
}

int raw_publisher(const std::string& in_ep, const Case& k, int report_fd, int ctrl_fd, const Settings& s) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  raw_limits(pub, s, true);
  pub.connect(in_ep);
  // One frame: the topic as the subscription prefix, then the body.
  const std::string frame = std::string(data_topic) + std::string(k.size, 'x');
  std::int64_t cmd = 0;
  while (!bench::read_one(ctrl_fd, cmd, 1ms)) (void)pub.send(zmq::buffer(warm_topic), zmq::send_flags::none);
  const std::string body(k.size, 'x'), filler(16, 'f');
  const auto t0 = bench::now_ns();
  if (s.raw_frames <= 1) {
    for (std::uint64_t i = 0; i < k.messages; ++i) (void)pub.send(zmq::buffer(frame), zmq::send_flags::none);
  } else {
    // The same bytes in Watt's shape: topic, small frames, body.
    for (std::uint64_t i = 0; i < k.messages; ++i) {
      (void)pub.send(zmq::buffer(data_topic), zmq::send_flags::sndmore);
      for (int f = 2; f < s.raw_frames; ++f) (void)pub.send(zmq::buffer(filler), zmq::send_flags::sndmore);
      (void)pub.send(zmq::buffer(body), zmq::send_flags::none);
    }
  }
  const auto t1 = bench::now_ns();
  bench::report(report_fd, publisher_who, bench::report_done, {static_cast<std::int64_t>(k.messages), t0, t1});
  (void)bench::read_one(ctrl_fd, cmd, 10min);  // quit
  pub.set(zmq::sockopt::linger, 0);
  return 0;
}

// ---- one measurement -------------------------------------------------------------------------

Outcome run_case(bool watt, const bench::TempDir& dir, int index, const Case& k, const Settings& s) {
  bench::Children kids;
  bench::Pipe reports, ctrl;
  const std::string tag = std::to_string(index);
  const std::string watt_ep = dir.ipc("watt-" + tag);
  const std::string in_ep = dir.ipc("raw-in-" + tag), out_ep = dir.ipc("raw-out-" + tag);
  const int rfd = reports.write_fd(), cfd = ctrl.read_fd();

  const pid_t server = kids.add(watt ? bench::spawn([&] { return bench::run_watt_broker(watt_ep, s.verbose); })
                                     : bench::spawn([&] { return raw_proxy(in_ep, out_ep, s); }));
  bench::wait_for_endpoint(watt ? watt_ep : out_ep);
  if (!watt) bench::wait_for_endpoint(in_ep);

  std::vector<pid_t> subs;
  subs.reserve(static_cast<std::size_t>(k.subscribers));
  for (std::int32_t i = 0; i < k.subscribers; ++i) {
    subs.push_back(kids.add(bench::spawn(
        [&] { return watt ? watt_subscriber(watt_ep, k, rfd, i, s) : raw_subscriber(out_ep, k, rfd, i, s); }, rfd, i)));
  }
  const pid_t publisher = kids.add(bench::spawn(
      [&] { return watt ? watt_publisher(watt_ep, k, rfd, cfd, s) : raw_publisher(in_ep, k, rfd, cfd, s); }, rfd,
      publisher_who));

  (void)bench::collect(reports.read_fd(), bench::report_ready, static_cast<std::size_t>(k.subscribers), 60s);
  bench::write_all(ctrl.write_fd(), std::int64_t{1});  // go
  const auto done =
      bench::collect(reports.read_fd(), bench::report_done, static_cast<std::size_t>(k.subscribers) + 1, 15min);
  bench::write_all(ctrl.write_fd(), std::int64_t{2});  // quit

  Outcome out;
  out.ran = true;
  out.min_rate = 1e300;
  double sum = 0;
  for (const auto& r : done) {
    if (r.who == publisher_who) {
      const double secs = static_cast<double>(r.v[2] - r.v[1]) / 1e9;
      out.publish_rate = secs > 0 ? static_cast<double>(r.v[0]) / secs : 0;
      continue;
    }
    const auto received = static_cast<std::uint64_t>(r.v[0]);
    const double secs = static_cast<double>(r.v[2] - r.v[1]) / 1e9;
    const double rate = received > 1 && secs > 0 ? static_cast<double>(received - 1) / secs : 0;
    sum += rate;
    out.min_rate = std::min(out.min_rate, rate);
    out.lost += k.messages - std::min(k.messages, received);
    out.bad += static_cast<std::uint64_t>(r.v[3]);
  }
  out.mean_rate = sum / k.subscribers;

  const double per_msg = 1e6 / static_cast<double>(k.messages);
  double cpu = 0;
  bench::reap(publisher, 60s, &cpu);
  kids.forget(publisher);
  out.cpu_publisher = cpu * per_msg;
  double sub_cpu = 0;
  for (pid_t p : subs) {
    bench::reap(p, 10s, &cpu);
    kids.forget(p);
    sub_cpu += cpu;
  }
  out.cpu_subscriber = sub_cpu / k.subscribers * per_msg;
  bench::stop_child(server, 10s, &cpu);
  kids.forget(server);
  out.cpu_server = cpu * per_msg;
  return out;
}

std::string percent(double v) { return bench::fixed(100.0 * v, 1) + "%"; }

// Raw first, then Watt, back to back (both see the same machine), `repeat`
// times: the best run of each.
std::pair<Outcome, Outcome> best_runs(const bench::TempDir& dir, int& index, const Case& k, const Settings& s,
                                      int repeat, const std::string& only) {
  Outcome raw, watt;
  for (int r = 0; r < repeat; ++r) {
    Outcome a, b;
    if (only != "watt") {
      a = run_case(false, dir, index++, k, s);
      if (!raw.ran || a.mean_rate > raw.mean_rate) raw = a;
    }
    if (only != "raw") {
      b = run_case(true, dir, index++, k, s);
      if (!watt.ran || b.mean_rate > watt.mean_rate) watt = b;
    }
    std::cerr << "  " << k.size << " B x " << k.subscribers << " subs, run " << r + 1 << ": raw "
              << bench::grouped(a.mean_rate) << " msgs/s, Watt " << bench::grouped(b.mean_rate) << " msgs/s (lost "
              << b.lost << ")\n";
  }
  return {raw, watt};
}

void add_rows(bench::Table& table, bench::Table& cpu_table, const Case& k, const Outcome& raw, const Outcome& watt,
              double ratio, bool met) {
  table.add({std::to_string(k.size) + " B", std::to_string(k.subscribers),
             bench::grouped(static_cast<double>(k.messages)), raw.ran ? bench::grouped(raw.mean_rate) : "-",
             watt.ran ? bench::grouped(watt.mean_rate) : "-", raw.ran && watt.ran ? percent(ratio) : "-", ">= 50%",
             raw.ran && watt.ran ? (met ? "yes" : "NO") : "-",
             watt.ran ? bench::fixed(watt.mean_rate / volttron_msgs_per_s, 0) + "x" : "-",
             raw.ran ? std::to_string(raw.lost) : "-", watt.ran ? std::to_string(watt.lost) : "-",
             watt.ran ? bench::grouped(watt.min_rate) : "-", watt.ran ? bench::grouped(watt.publish_rate) : "-"});
  auto us = [](const Outcome& o, double v) { return o.ran ? bench::fixed(v, 2) : std::string("-"); };
  cpu_table.add({std::to_string(k.size) + " B", std::to_string(k.subscribers), us(raw, raw.cpu_publisher),
                 us(raw, raw.cpu_server), us(raw, raw.cpu_subscriber), us(watt, watt.cpu_publisher),
                 us(watt, watt.cpu_server), us(watt, watt.cpu_subscriber)});
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Watt brokered pub/sub throughput beside a raw ZeroMQ XSUB/XPUB proxy"};
  std::uint64_t messages = 500000, fanout_messages = 100000;
  std::vector<std::size_t> sizes = {64, 256, 1024};
  std::vector<int> subscriber_counts = {1, 10};
  std::string only;
  int repeat = 1;
  long idle = 5;
  Settings s;
  app.add_option("-n,--messages", messages, "messages per run with 1 subscriber")->capture_default_str();
  app.add_option("--fanout-messages", fanout_messages, "messages per run with more than 1 subscriber")
      ->capture_default_str();
  app.add_option("--sizes", sizes, "body sizes in bytes")->capture_default_str();
  app.add_option("--subscribers", subscriber_counts, "subscriber counts")->capture_default_str();
  app.add_option("--repeat", repeat, "runs of each case; the best run of each system is kept")->capture_default_str();
  app.add_option("--only", only, "run only 'watt' or only 'raw'")->check(CLI::IsMember({"watt", "raw"}));
  app.add_option("--idle-timeout", idle, "seconds without a message before a subscriber gives up (loss)")
      ->capture_default_str();
  app.add_option("--window", s.window, "Watt publisher: sync() with the broker every N messages (0 = never)")
      ->capture_default_str();
  app.add_option("--raw-frames", s.raw_frames,
                 "frames per raw message: 1 = [topic+body]; n > 1 = [topic], n-2 16-byte frames, [body]")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  app.add_option("--raw-hwm", s.raw_hwm,
                 "raw high-water marks: 0 = unlimited; n > 0 = n, with XPUB_NODROP so a full queue blocks the sender")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("-v,--verbose", s.verbose, "broker and SDK logs at info level");
  CLI11_PARSE(app, argc, argv);
  s.idle = std::chrono::seconds(idle);
  bench::quiet_sdk_logs(s.verbose);
  ::signal(SIGPIPE, SIG_IGN);

  try {
    bench::TempDir dir;
    bench::print_machine(std::cout);
    std::cout << "pub/sub throughput per subscriber (msgs/s, measured at the subscribers); " << messages
              << " messages with 1 subscriber, " << fanout_messages << " with more; best of " << repeat << "\n\n";
    bench::Table table({"body", "subs", "messages", "raw ZeroMQ", "Watt", "Watt/raw", "target", "met", "Watt/VOLTTRON",
                        "lost raw", "lost Watt", "Watt slowest sub", "Watt publish rate"});
    bench::Table cpu_table({"body", "subs", "raw pub", "raw proxy", "raw sub", "Watt pub", "Watt broker", "Watt sub"});
    int index = 0;
    bool all_met = true;
    for (int subscribers : subscriber_counts) {
      for (std::size_t size : sizes) {
        Case k{size, subscribers, subscribers > 1 ? fanout_messages : messages};
        const auto [raw, watt] = best_runs(dir, index, k, s, repeat, only);
        const double ratio = raw.mean_rate > 0 ? watt.mean_rate / raw.mean_rate : 0;
        const bool met = watt.ran && raw.ran && ratio >= 0.5 && watt.lost == 0;
        all_met = all_met && met;
        add_rows(table, cpu_table, k, raw, watt, ratio, met);
      }
    }
    std::cout << "\n";
    table.print(std::cout);
    std::cout << "\nreference: VOLTTRON 9 measured ~" << bench::grouped(volttron_msgs_per_s)
              << " msgs/s on this machine; target: Watt >= 50% of raw ZeroMQ, nothing lost: "
              << (all_met ? "met" : "NOT met") << "\n\n"
              << "CPU time per message, us (user + system, all threads of the process, from wait4; "
                 "a subscriber's is the mean over subscribers):\n\n";
    cpu_table.print(std::cout);
    if (s.raw_frames > 1)
      std::cout << "\nraw ZeroMQ messages were sent as " << s.raw_frames << " frames (--raw-frames)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_pubsub: " << e.what() << "\n";
    return 1;
  }
}
