// bench_auction: seed 000's auction on a real wattd, as the bess and
// aggregator agents send it (watt-trading-bus), beside Table II.
//   A round is Query -> Response -> Bid -> Accept Bid -> Bid Confirmation,
//   the BESS accepting at once (a bidding window of 0): p50 and p99 from the
//   Query's publish to the Confirmation's handling, beside the sum of the
//   five types' maximum delays (5,000 ms).
//   Under load, a third client sends BESS Status to the aggregator at N
//   messages per second while the rounds run: each type's latency (p50, p99)
//   at its receiver, the deadline misses at the receivers and at the broker,
//   for N rising until deadlines start to miss.
// Baseline: the same round trip of five raw Watt publishes without the
// trading layer would be the pub/sub figure of docs/performance.md section 1;
// here the limit that matters is Table II's.
#include "bench_common.hpp"
#include "platform.hpp"

#include <watt/platform/broker_stats.hpp>
#include <watt/trading/auction.hpp>
#include <watt/trading/link.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <thread>

namespace {

using namespace watt::trading;
using Clock = std::chrono::steady_clock;

struct Phase {
  std::vector<double> rounds_ms;
  std::vector<TypeStats> at_aggregator, at_bess;
  std::array<std::uint64_t, msg_types> expired{};
  double status_rate = 0;  // achieved
  bool stalled = false;    // a round got no answer within 10 s: the phase ended there
};

// The BESS side: answers Queries, accepts every bid at once, and stamps each
// confirmation's arrival.
void run_bess(const watt::test::Platform& p, const std::string& market, std::atomic<bool>& stop,
              std::atomic<bool>& ready, std::vector<Clock::time_point>& confirmed,
              std::atomic<std::size_t>& n_confirmed, std::vector<TypeStats>& stats) {
  auto c = p.client("bess");
  Link link(*c, market, "bess");
  std::optional<BessAuction> auction;
  const BessSettings s{"bess", 13.5, 50, 12.5, 230, Ms{0}, Ms{2000}};
  link.on<QueryMsg>(MsgType::query, [&](const QueryMsg& q) {
    auction.emplace(s);  // a fresh battery each round
    link.send(q.from, MsgType::response, auction->respond());
  });
  link.on<BidMsg>(MsgType::bid, [&](const BidMsg& b) {
    const auto out = auction->bid(b, Ms{0});
    for (const auto& [to, r] : out.rejects) link.send(to, MsgType::reject_bid, r);
    if (out.accept) link.send(out.accept->first, MsgType::accept_bid, out.accept->second);
  });
  link.on<BidConfirmationMsg>(MsgType::bid_confirmation, [&](const BidConfirmationMsg& conf) {
    if (!auction->confirm(conf)) return;
    confirmed[n_confirmed.load()] = Clock::now();
    n_confirmed.fetch_add(1);
  });
  ready = c->sync();  // subscribed
  while (!stop) c->spin_for(std::chrono::milliseconds(5));
  stats = link.stats();
}

// Sends BESS Status to the aggregator at `rate` a second, paced per
// millisecond, until stopped; returns the rate achieved.
double run_load(const watt::test::Platform& p, const std::string& market, double rate, std::atomic<bool>& stop) {
  if (rate <= 0) return 0;
  auto c = p.client("loader");
  Link link(*c, market, "loader");
  const auto start = Clock::now();
  std::uint64_t sent = 0;
  const BessStatusMsg status{"loader", 13.5, 50, 230};
  while (!stop) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    for (; static_cast<double>(sent) < elapsed * rate; ++sent) link.send("agg", MsgType::bess_status, status);
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  (void)c->sync();
  return static_cast<double>(sent) / std::chrono::duration<double>(Clock::now() - start).count();
}

// Rounds one after another for `seconds` (at least `min_rounds`), with the
// load running all along.
Phase run_phase(const watt::test::Platform& p, const std::string& market, std::size_t min_rounds, double seconds,
                double rate) {
  Phase out;
  std::atomic<bool> stop_bess{false}, stop_load{false}, ready{false};
  constexpr std::size_t max_rounds = 1'000'000;
  std::vector<Clock::time_point> confirmed(max_rounds);
  std::atomic<std::size_t> n_confirmed{0};
  std::thread bess([&] { run_bess(p, market, stop_bess, ready, confirmed, n_confirmed, out.at_bess); });
  std::thread load;
  {
    auto c = p.client("agg");
    Link link(*c, market, "agg");
    std::optional<ResponseMsg> response;
    std::optional<AcceptBidMsg> accept;
    link.on<ResponseMsg>(MsgType::response, [&](const ResponseMsg& r) { response = r; });
    link.on<AcceptBidMsg>(MsgType::accept_bid, [&](const AcceptBidMsg& a) { accept = a; });
    link.on<BessStatusMsg>(MsgType::bess_status, [](const BessStatusMsg&) {});
    (void)c->sync();
    while (!ready) c->spin_for(std::chrono::milliseconds(1));  // the BESS subscribes meanwhile
    load = std::thread([&] { out.status_rate = run_load(p, market, rate, stop_load); });
    const auto begun = Clock::now();
    for (std::size_t i = 0; i < max_rounds; ++i) {
      if (i >= min_rounds && std::chrono::duration<double>(Clock::now() - begun).count() >= seconds) break;
      response.reset();
      accept.reset();
      AggregatorBidder bidder({"agg", 6.75, {15, {1}, 20}, Ms{3000}});
      const auto t0 = Clock::now();
      link.multicast(MsgType::query, QueryMsg{"agg", 6.75});
      if (!c->spin_until([&] { return response.has_value(); }, std::chrono::seconds(10))) {
        out.stalled = true;
        break;
      }
      link.send("bess", MsgType::bid, *bidder.on_response(*response, Ms{0}));
      if (!c->spin_until([&] { return accept.has_value(); }, std::chrono::seconds(10))) {
        out.stalled = true;
        break;
      }
      link.send("bess", MsgType::bid_confirmation, *bidder.on_accept(*accept, Ms{0}));
      // Stamped on the BESS's thread: nothing arrives here to wake the wait.
      const auto give_up = Clock::now() + std::chrono::seconds(10);
      while (n_confirmed.load() < i + 1 && Clock::now() < give_up) c->spin_for(std::chrono::microseconds(20));
      if (n_confirmed.load() < i + 1) {
        out.stalled = true;
        break;
      }
      out.rounds_ms.push_back(std::chrono::duration<double, std::milli>(confirmed[i] - t0).count());
    }
    stop_load = true;
    load.join();
    c->spin_for(std::chrono::milliseconds(200));  // what the loader sent last
    out.at_aggregator = link.stats();
    const auto broker = c->call("broker", "stats").get_as<watt::broker::BrokerStats>();
    if (broker) out.expired = misses_by_type(broker.value().expired_topics, market);
  }
  stop_bess = true;
  bess.join();
  return out;
}

void print_phase(const Phase& ph, double rate) {
  auto r = ph.rounds_ms;
  std::sort(r.begin(), r.end());
  std::printf("\nBESS Status load %s/s (achieved %s/s): %zu rounds, round p50 %s ms, p99 %s ms (Table II: 5,000 ms)\n",
              bench::grouped(rate).c_str(), bench::grouped(ph.status_rate).c_str(), r.size(),
              bench::fixed(bench::percentile(r, 50), 3).c_str(), bench::fixed(bench::percentile(r, 99), 3).c_str());
  if (ph.stalled) std::printf("  INCOMPLETE: a round got no answer within 10 s\n");
  std::printf("  %-18s %9s %10s %10s %10s %9s %9s\n", "type (receiver)", "max delay", "handled", "p50 ms", "p99 ms",
              "missed", "expired");
  const auto row = [&](const TypeStats& m, std::size_t i, const char* who) {
    if (m.received == 0 && m.missed == 0) return;
    std::string name = m.type;
    name.append(" (").append(who).append(")");
    std::printf("  %-18s %7.0fms %10s %10s %10s %9s %9s\n", name.c_str(), m.max_delay_ms,
                bench::grouped(static_cast<double>(m.received)).c_str(), bench::fixed(m.p50_ms, 3).c_str(),
                bench::fixed(m.p99_ms, 3).c_str(), bench::grouped(static_cast<double>(m.missed)).c_str(),
                bench::grouped(static_cast<double>(ph.expired[i])).c_str());
  };
  for (std::size_t i = 0; i < ph.at_bess.size(); ++i) row(ph.at_bess[i], i, "bess");
  for (std::size_t i = 0; i < ph.at_aggregator.size(); ++i) row(ph.at_aggregator[i], i, "agg");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_auction: seed 000's auction rounds on a real wattd, under BESS Status load"};
  std::size_t rounds = 2000;
  double seconds = 3;
  std::vector<double> rates{0, 10000, 100000, 400000, 1600000, 3200000};
  app.add_option("--rounds", rounds, "auction rounds per load level, at least");
  app.add_option("--seconds", seconds, "how long each load level runs, at least");
  app.add_option("--rates", rates, "BESS Status messages per second to load the aggregator with");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  watt::test::Platform p("broker:\n  queue_limit: 1000000\n");
  int level = 0;
  for (const double rate : rates) print_phase(run_phase(p, "m" + std::to_string(level++), rounds, seconds, rate), rate);
}
