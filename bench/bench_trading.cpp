// bench_trading: the Bit-Energy market at scale, and its ledger.
//   match     N participants open accounts, then orders alternate between
//             posts and buys (all or nothing, lowest price first): orders per
//             second, alone and with every operation appended to the ledger
//             (1,000 entries a transaction, synchronous NORMAL)
//   ledger    verifying the whole file and replaying it, beside raw Ed25519
//             signing and verifying of a 64-byte hash in the same run: what
//             a signed, chained ledger is bounded by
//   --bus     the same orders through a market agent on a real wattd, as
//             its operator over the bus: orders per second, and the agent's
//             ledger checked against the library's run
#include "bench_common.hpp"
#include "platform.hpp"

#include <watt/trading/ledger.hpp>

#include <sodium.h>
#include <CLI/CLI.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <tuple>

namespace {

using namespace watt::trading;

struct Op {
  char kind;  // o(pen), p(ost), b(uy)
  std::string who;
  Wh amount;
  PriceCc price;
  std::string body;  // as the ledger records it
};

std::vector<Op> make_load(std::size_t participants, std::size_t orders, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<Wh> amount(1'000, 5'000);
  std::uniform_int_distribution<PriceCc> price(900, 1'100);
  std::vector<Op> ops;
  for (std::size_t i = 0; i < participants; ++i) {
    const auto who = "p" + std::to_string(i);
    ops.push_back({'o', who, 1'000'000, 0, R"({"name": ")" + who + R"(", "balance": 10000000000, "energy": 1000000})"});
  }
  for (std::size_t i = 0; i < orders; ++i) {
    const auto who = "p" + std::to_string(rng() % participants);
    const Wh a = amount(rng);
    const PriceCc p = price(rng);
    if (i % 2 == 0)
      ops.push_back({'p', who, 2 * a, p,
                     R"({"seller": ")" + who + R"(", "amount": )" + std::to_string(2 * a) + R"(, "price": )" +
                         std::to_string(p) + "}"});
    else
      ops.push_back({'b', who, a, p + 100,
                     R"({"buyer": ")" + who + R"(", "amount": )" + std::to_string(a) + R"(, "max_price": )" +
                         std::to_string(p + 100) + "}"});
  }
  return ops;
}

// Applies every operation; returns the buys refused (unfillable at the price).
std::size_t run(const std::vector<Op>& ops, Market& m, Ledger* ledger, const SigningKey& key) {
  std::size_t refused = 0;
  if (ledger) ledger->begin();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    try {
      if (op.kind == 'o') m.open_account(op.who, 10'000'000'000, op.amount);
      if (op.kind == 'p') (void)m.post(op.who, op.amount, op.price);
      if (op.kind == 'b') (void)m.buy(op.who, op.amount, op.price);
      if (ledger) ledger->append(key, op.kind == 'o' ? "open" : op.kind == 'p' ? "post" : "buy", op.body);
    } catch (const MarketError&) {
      ++refused;  // not recorded: the ledger holds what happened
    }
    if (ledger && i % 1'000 == 999) {
      ledger->commit();
      ledger->begin();
    }
  }
  if (ledger) ledger->commit();
  return refused;
}

template <class F>
double seconds(F&& f) {
  const auto t0 = bench::Clock::now();
  f();
  return std::chrono::duration<double>(bench::Clock::now() - t0).count();
}

std::string rate(std::size_t n, double s) { return bench::grouped(static_cast<double>(n) / s) + "/s"; }

struct BusRun {
  double seconds = 0;
  std::size_t refused = 0;
  bool verified = false;
  std::int64_t entries = 0;
};

// The same orders through a market agent on a real wattd, as its operator,
// 256 calls in flight; the agent appends each to its ledger (synchronous
// NORMAL, one transaction an entry), then verifies the whole of it.
BusRun run_over_bus(const std::vector<Op>& ops) {
  watt::test::Platform p;
  const auto config = std::filesystem::path(p.home()) / "market.yml";
  std::ofstream(config) << "market: bench\nkey_seed: market\ndurable: false\noperators: [operator]\n";
  if (p.cli({"install", WATT_BENCH_MARKET_LIB, "--identity", "market", "--config", config.string(), "--start"}).code !=
      0)
    throw std::runtime_error("the market agent did not start");
  auto c = p.client("operator");
  if (!c->spin_until([&] { return c->call("market", "key").get().ok(); }, std::chrono::seconds(30)))
    throw std::runtime_error("the market agent does not answer");
  BusRun out;
  std::deque<watt::Call> in_flight;
  const auto settle = [&] {
    if (!in_flight.front().get()) ++out.refused;
    in_flight.pop_front();
  };
  out.seconds = seconds([&] {
    for (const auto& op : ops) {
      const double kwh = static_cast<double>(op.amount) / 1000.0, cents = static_cast<double>(op.price) / 100.0;
      if (op.kind == 'o') in_flight.push_back(c->call("market", "open", op.who, 1e10 / money_per_cent, kwh));
      if (op.kind == 'p') in_flight.push_back(c->call("market", "post", op.who, kwh, cents));
      if (op.kind == 'b') in_flight.push_back(c->call("market", "buy", op.who, kwh, cents));
      if (in_flight.size() >= 256) settle();
    }
    while (!in_flight.empty()) settle();
  });
  watt::CallOptions o;
  o.timeout = std::chrono::seconds(300);
  const auto v = c->call_with(o, "market", "verify").get_as<std::tuple<bool, std::int64_t, std::string>>();
  if (v) std::tie(out.verified, out.entries, std::ignore) = v.value();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the Bit-Energy market and its ledger at scale"};
  std::size_t participants = 10'000, orders = 100'000;
  bool bus = false;
  app.add_option("--participants", participants)->capture_default_str();
  app.add_option("--orders", orders)->capture_default_str();
  app.add_flag("--bus", bus, "also through a market agent on a real wattd, over the bus");
  CLI11_PARSE(app, argc, argv);
  if (sodium_init() < 0) return 1;
  const auto ops = make_load(participants, orders, 7);
  watt::test::TempDir dir("bench-trading");
  const auto key = SigningKey::from_seed("market");
  bench::Table t({"what", "count", "time", "rate"});
  std::size_t refused = 0;
  Market alone{MarketRules{}};
  const double s_alone = seconds([&] { refused = run(ops, alone, nullptr, key); });
  t.add({"orders matched, market alone", bench::grouped(static_cast<double>(ops.size())),
         bench::fixed(s_alone, 2) + " s", rate(ops.size(), s_alone)});
  Market with{MarketRules{}};
  Ledger ledger(dir.path() / "ledger.db", {key.public_hex}, false);
  const double s_with = seconds([&] { (void)run(ops, with, &ledger, key); });
  t.add({"orders matched and ledgered", bench::grouped(static_cast<double>(ops.size())), bench::fixed(s_with, 2) + " s",
         rate(ops.size(), s_with)});
  const auto n = static_cast<std::size_t>(ledger.size());
  bool clean = false;
  const double s_verify = seconds([&] { clean = !ledger.verify(); });
  t.add({"ledger verified (read, hash, check signature)", bench::grouped(static_cast<double>(n)),
         bench::fixed(s_verify, 2) + " s", rate(n, s_verify)});
  std::optional<Market> replayed;
  const double s_replay = seconds([&] { replayed.emplace(replay(ledger.entries(), {})); });
  t.add({"ledger replayed into a market", bench::grouped(static_cast<double>(n)), bench::fixed(s_replay, 2) + " s",
         rate(n, s_replay)});
  // The limit: Ed25519 alone, on a 64-byte hash.
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
  crypto_sign_keypair(pk, sk);
  const std::string msg(64, 'h');
  const auto* m = reinterpret_cast<const unsigned char*>(msg.data());
  const double s_sign = seconds([&] {
    for (std::size_t i = 0; i < n; ++i) crypto_sign_detached(sig, nullptr, m, msg.size(), sk);
  });
  t.add({"raw Ed25519 sign (libsodium)", bench::grouped(static_cast<double>(n)), bench::fixed(s_sign, 2) + " s",
         rate(n, s_sign)});
  int bad = 0;
  const double s_check = seconds([&] {
    for (std::size_t i = 0; i < n; ++i) bad += crypto_sign_verify_detached(sig, m, msg.size(), pk);
  });
  t.add({"raw Ed25519 verify (libsodium)", bench::grouped(static_cast<double>(n)), bench::fixed(s_check, 2) + " s",
         rate(n, s_check)});
  bool bus_same = true;
  if (bus) {
    const auto b = run_over_bus(ops);
    t.add({"orders through the market agent, over the bus", bench::grouped(static_cast<double>(ops.size())),
           bench::fixed(b.seconds, 2) + " s", rate(ops.size(), b.seconds)});
    // The agent must refuse what the library refused, and record the rest.
    bus_same = b.verified && b.refused == refused && static_cast<std::size_t>(b.entries) == ops.size() - refused;
    std::cout << "over the bus: " << b.refused << " refused, " << b.entries << " entries, ledger "
              << (b.verified ? "verifies" : "DOES NOT VERIFY") << (bus_same ? "" : ": DIFFERS from the library")
              << "\n";
  }
  t.print(std::cout);
  const bool same = replayed && replayed->total_money() == with.total_money() &&
                    replayed->account("p0").balance == with.account("p0").balance &&
                    replayed->posts().size() == with.posts().size();
  std::cout << "\n"
            << refused << " buys refused (unfillable at their price); ledger "
            << (clean ? "verifies" : "DOES NOT VERIFY") << "; replay " << (same ? "reproduces" : "DIFFERS FROM")
            << " the market; money conserved: " << (alone.total_money() == with.total_money() ? "yes" : "NO") << "\n";
  return clean && same && bus_same && bad == 0 ? 0 : 1;
}
