// bench_web: the web view's stream and its cost, on a real wattd with the
// web agent, over loopback.
//   stream   one publisher sends N small messages on T topics as fast as it
//            can; 10 browsers (WebSocket clients that read) watch them at a
//            page's rate, and a plain bus subscriber (the baseline) in the
//            same run. Printed: updates a second each browser is told of
//            (a frame's message stands for `count` of them), frames and
//            bytes a second, and the web agent's CPU meanwhile
//   clients  C idle browsers each watching heartbeats: the web agent's
//            resident memory before and after, per client
// The time to the overview's first paint is bench/web_paint.mjs (a browser).
#include "numbers.hpp"
#include "platform.hpp"
#include "proc_memory.hpp"
#include "web_client.hpp"

#include <watt/web/users.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr int browsers = 10;

struct Web {
  explicit Web(const std::string& config) {
    auto users = watt::web::Users::load(watt::web::users_file(platform.home()));
    users.add("bench", watt::web::Role::viewer, "bench-password");
    users.save(watt::web::users_file(platform.home()));
    const auto file = platform.home() + "/web.yml";
    std::ofstream(file) << "port: 0\n" << config;
    const auto r = platform.cli(
        {"install", (watt::test::lib_dir() / "libweb.so").string(), "--identity", "web", "--config", file, "--start"});
    if (r.code != 0) throw std::runtime_error("cannot start the web agent: " + r.err);
    const auto url = watt::test::read_file(platform.home() + "/run/web.endpoint");
    port = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
    login = watt::test::WebClient(port).login("bench", "bench-password");
    pid = json::parse(watt::test::WebClient(port).as(login, "GET", "/api/agents/web").body).at("pid").get<pid_t>();
  }
  std::map<std::string, std::string> headers() const {
    return {{"Cookie", login.cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}};
  }
  watt::test::Platform platform;
  unsigned short port = 0;
  watt::test::WebLogin login;
  pid_t pid = 0;
};

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i)
    if (i == 14 || i == 15) ticks += std::stod(f);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Reader {
  std::uint64_t updates = 0, entries = 0, frames = 0, bytes = 0;
  double seconds = 0;
};

void report(std::size_t messages, std::size_t topics, double rate, double pace, double published_s,
            std::uint64_t base_count, const std::vector<Reader>& result, double cpu) {
  double seconds = 0;
  Reader sum;
  for (const auto& r : result) {
    seconds = std::max(seconds, r.seconds);
    sum.updates += r.updates;
    sum.entries += r.entries;
    sum.frames += r.frames;
    sum.bytes += r.bytes;
  }
  std::cout << "stream: " << messages << " messages on " << topics << " topics, "
            << (pace > 0 ? "paced at " + bench::grouped(pace) + "/s" : std::string("unpaced")) << ", published in "
            << bench::fixed(published_s, 2) << " s (" << bench::grouped(static_cast<double>(messages) / published_s)
            << "/s)\n"
            << "  baseline (a bus subscriber):  " << bench::grouped(static_cast<double>(base_count)) << " of "
            << bench::grouped(static_cast<double>(messages)) << " received\n"
            << "  each of 10 browsers at " << rate
            << " frames/s: " << bench::grouped(static_cast<double>(sum.updates) / browsers / seconds) << " updates/s ("
            << bench::grouped(static_cast<double>(sum.updates) / browsers) << " of "
            << bench::grouped(static_cast<double>(messages)) << "), "
            << bench::grouped(static_cast<double>(sum.entries) / browsers / seconds) << " messages/s after conflation, "
            << bench::grouped(static_cast<double>(sum.frames) / browsers / seconds) << " frames/s, "
            << bench::fixed(static_cast<double>(sum.bytes) / browsers / seconds / 1e6, 2) << " MB/s\n"
            << "  all 10: " << bench::grouped(static_cast<double>(sum.updates) / seconds) << " updates/s in "
            << bench::fixed(seconds, 2) << " s; web agent CPU " << bench::fixed(100 * cpu / seconds, 0)
            << " % of one core\n";
}

void stream(std::size_t messages, std::size_t topics, double rate, double pace) {
  Web web("max_rate: 1000\n");
  std::vector<std::unique_ptr<watt::test::WsClient>> ws;
  for (int i = 0; i < browsers; ++i) {
    ws.push_back(std::make_unique<watt::test::WsClient>(web.port, web.headers()));
    ws.back()->send(json{{"op", "subscribe"}, {"pattern", "bench"}, {"rate", rate}}.dump());
    if (!ws.back()->read_until("\"subscribed\"")) throw std::runtime_error("no subscription");
  }
  watt::ClientOptions o;
  o.address = web.platform.address();
  o.identity = "baseline";
  std::atomic<std::uint64_t> base_count{0};
  std::atomic<bool> base_ready{false}, base_end{false};
  // A client belongs to the thread that made it: the baseline's is made there.
  std::thread base([&, o] {
    watt::Client baseline(o);
    baseline.subscribe("bench", [&](const watt::Envelope& e) {
      if (e.topic == "bench/end")
        base_end = true;
      else
        ++base_count;
    });
    baseline.sync();
    base_ready = true;
    baseline.spin_until([&] { return base_end.load(); }, std::chrono::seconds(60));
  });
  while (!base_ready) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  o.identity = "publisher";
  watt::Client publisher(o);

  std::vector<Reader> result(browsers);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const double cpu0 = cpu_seconds(web.pid);
  for (int i = 0; i < browsers; ++i)
    threads.emplace_back([&, i] {
      auto& r = result[static_cast<std::size_t>(i)];
      for (;;) {
        auto m = ws[static_cast<std::size_t>(i)]->read(std::chrono::seconds(30));
        if (!m) break;
        ++r.frames;
        r.bytes += m->size();
        const auto f = json::parse(*m);
        bool end = false;
        for (const auto& e : f.value("messages", json::array())) {
          if (e["message"]["topic"] == "bench/end")
            end = true;
          else {
            r.updates += e["count"].get<std::uint64_t>();
            ++r.entries;
          }
        }
        if (end) break;
      }
      r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    });
  // Paced: in bursts of a millisecond's worth, each burst on its schedule.
  for (std::size_t i = 0; i < messages; ++i) {
    publisher.publish("bench/t" + std::to_string(i % topics), json{{"v", i}}.dump());
    if (pace > 0 && i % static_cast<std::size_t>(std::max(1.0, pace / 1000)) == 0)
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(static_cast<double>(i) / pace)));
  }
  publisher.sync();
  const double published_s = std::chrono::duration<double>(Clock::now() - start).count();
  publisher.publish("bench/end", 1);
  publisher.sync();
  base.join();
  for (auto& t : threads) t.join();
  report(messages, topics, rate, pace, published_s, base_count, result, cpu_seconds(web.pid) - cpu0);
}

void clients(std::size_t count) {
  Web web("max_connections: 100000\n");
  std::vector<std::unique_ptr<watt::test::WsClient>> ws;
  const auto before = bench::proc_status_kib(web.pid, "VmRSS");
  for (std::size_t i = 0; i < count; ++i) {
    ws.push_back(std::make_unique<watt::test::WsClient>(web.port, web.headers()));
    ws.back()->send(R"({"op":"subscribe","pattern":"heartbeat","rate":2})");
  }
  for (auto& w : ws)
    if (!w->read_until("\"subscribed\"")) throw std::runtime_error("no subscription");
  const auto after = bench::proc_status_kib(web.pid, "VmRSS");
  std::cout << "clients: " << count << " browsers watching heartbeats: web agent " << before / 1024 << " MiB -> "
            << after / 1024 << " MiB, "
            << bench::fixed(static_cast<double>(after - before) / static_cast<double>(count), 1) << " KiB per client\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_web: the web view's stream, its CPU and its memory per client"};
  std::size_t messages = 200000, topics = 100, count = 1000;
  double rate = 10, pace = 20000;
  app.add_option("--messages", messages, "messages published (stream)");
  app.add_option("--topics", topics, "topics they are spread over");
  app.add_option("--rate", rate, "frames a second each browser asks for");
  app.add_option("--clients", count, "idle browsers (clients)");
  app.add_option("--pace", pace, "messages a second published in the paced run (the other is as fast as it goes)");
  CLI11_PARSE(app, argc, argv);
  watt::test::raise_descriptor_limit();
  stream(messages, topics, rate, 0);
  stream(messages, topics, rate, pace);
  clients(count);
}
