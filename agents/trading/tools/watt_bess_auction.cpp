// watt-bess-auction: seed 000's prototype auctions (examples/bess-auction) as
// bess and aggregator agents on a running platform. For each figure it
// installs the figure's agents, starts the aggregators' Queries together,
// waits until every aggregator is done, prints the BESS's log as the figure
// prints it and the outcome beside the paper's, and removes the agents; then
// each message type's latency (p50, p99) and deadline misses beside Table
// II's maximum delay; and writes result.json.
//   watt-bess-auction figures --figures figures.yml --lib-dir DIR --out DIR [--connect ADDRESS]
#include <watt/client.hpp>
#include <watt/error.hpp>
#include <watt/trading/agent_state.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

namespace {

using namespace watt::trading;
using Clock = std::chrono::steady_clock;

// The control method install's arguments, as the wire carries them
// (docs/protocol.md): the fields left out take the platform's defaults.
struct InstallArgs {
  std::string source, identity, config;
  MSGPACK_DEFINE_MAP(source, identity, config)
};

// The field of the control method status's answer this tool reads.
struct AgentState {
  std::string state;
  MSGPACK_DEFINE_MAP(state)
};

template <class T>
T call(watt::Client& c, const std::string& peer, const std::string& method, const auto&... args) {
  auto r = c.call(peer, method, args...).template get_as<T>();
  if (!r) throw watt::Error(peer + "/" + method + ": " + r.error().what());
  return r.value();
}

// Polls until `done`, spinning the client meanwhile; throws with `what` past
// the limit.
void await(watt::Client& c, const std::function<bool()>& done, const std::string& what,
           std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto until = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > until) throw watt::Error("gave up waiting: " + what);
    c.spin_for(std::chrono::milliseconds(20));
  }
}

// "500" as the number 500, as the figures name aggregators.
nlohmann::json id_json(const std::string& id) {
  if (!id.empty() && std::all_of(id.begin(), id.end(), ::isdigit)) return std::stoll(id);
  return id;
}

// Each aggregator's bids in its own order: over a bus, two aggregators'
// bids interleave as they arrive, so the figure's order across them is not
// the outcome.
std::map<std::string, std::vector<std::string>> per_bidder(const nlohmann::json& bids) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& b : bids) out[b[0].dump()].push_back(b[1].dump() + " " + b[2].get<std::string>());
  return out;
}

// Adds another receiver's traffic of the same type: counts summed, the
// slower receiver's latencies.
void add_traffic(TypeStats& m, const TypeStats& o) {
  m.sent += o.sent;
  m.received += o.received;
  m.missed += o.missed;
  m.p50_ms = std::max(m.p50_ms, o.p50_ms);
  m.p99_ms = std::max(m.p99_ms, o.p99_ms);
  m.max_ms = std::max(m.max_ms, o.max_ms);
}

struct Figure {
  std::string name;
  YAML::Node spec;
  std::vector<std::string> bess, aggregators;
};

void install(watt::Client& c, const Figure& f, const std::string& lib_dir) {
  const auto add = [&](const std::string& library, const std::string& id, YAML::Node config) {
    config["market"] = f.name;
    if (library == "aggregator") config["start"] = false;  // all start together, below
    YAML::Emitter yaml;
    yaml << config;
    const InstallArgs a{(std::filesystem::path(lib_dir) / ("lib" + library + ".so")).string(), id, yaml.c_str()};
    auto r = c.call("platform", "install", a).get();
    if (!r) throw watt::Error("installing " + id + ": " + r.error().what());
    if (auto s = c.call("platform", "start", id).get(); !s)
      throw watt::Error("starting " + id + ": " + s.error().what());
  };
  for (const auto& b : f.spec["bess"]) add("bess", b.first.as<std::string>(), YAML::Clone(b.second));
  for (const auto& a : f.spec["aggregators"]) add("aggregator", a.first.as<std::string>(), YAML::Clone(a.second));
}

// Runs one figure; true when its outcome is the paper's.
bool run_figure(watt::Client& c, const Figure& f, const std::string& lib_dir, nlohmann::json& result,
                std::vector<TypeStats>& messages) {
  install(c, f, lib_dir);
  const auto bess_state = [&] { return call<BessState>(c, f.bess.at(0), "state"); };
  const auto states = [&] {
    std::vector<AggregatorState> out;
    for (const auto& a : f.aggregators) out.push_back(call<AggregatorState>(c, a, "state"));
    return out;
  };
  for (const auto& id : f.bess)
    await(
        c, [&] { return c.call(id, "state").get().ok(); }, id + " to answer");
  for (const auto& id : f.aggregators)
    await(
        c, [&] { return c.call(id, "state").get().ok(); }, id + " to answer");
  for (const auto& id : f.aggregators) (void)c.call(id, "query");  // together: none waits for another's answer
  await(
      c,
      [&] {
        const auto all = states();
        return std::all_of(all.begin(), all.end(), [](const AggregatorState& a) { return a.done; });
      },
      "the aggregators to finish");
  const auto aggs = states();
  const bool sold = std::any_of(aggs.begin(), aggs.end(), [](const AggregatorState& a) { return !a.bought.empty(); });
  await(
      c, [&] { return !sold || !bess_state().sold_to.empty(); }, "the BESS to account its sale");
  const auto b = bess_state();

  std::cout << "\n" << f.spec["caption"].as<std::string>() << "\n";
  for (const auto& line : b.lines) std::cout << "  " << line << "\n";
  for (const auto& a : aggs)
    for (const auto& g : a.given_up) std::cout << "  aggregator " << a.id << ": " << g << "\n";
  nlohmann::json r{{"winner", b.sold_to.empty() ? nlohmann::json(nullptr) : id_json(b.sold_to)},
                   {"price", b.sold_to.empty() ? 0.0 : b.price_cents},
                   {"left_percent", b.percent_left},
                   {"bids", nlohmann::json::array()},
                   {"lines", b.lines}};
  for (const auto& bid : b.bids) r["bids"].push_back({id_json(bid.bidder), bid.price_cents, bid.outcome});
  const auto p = f.spec["paper"];
  nlohmann::json paper{
      {"winner", p["winner"].IsNull() ? nlohmann::json(nullptr) : nlohmann::json(p["winner"].as<long long>())},
      {"price", p["price"].as<double>()},
      {"left_percent", p["left_percent"].as<double>()},
      {"bids", nlohmann::json::array()}};
  for (const auto& bid : p["bids"])
    paper["bids"].push_back({bid[0].as<long long>(), bid[1].as<double>(), bid[2].as<std::string>()});
  const bool same = r["winner"] == paper["winner"] && r["price"] == paper["price"] &&
                    r["left_percent"] == paper["left_percent"] && per_bidder(r["bids"]) == per_bidder(paper["bids"]);
  std::cout << fmt::format("  {:<14}{:>10}{:>10}\n  {:<14}{:>10}{:>10}\n  {:<14}{:>10}{:>10}\n  {:<14}{:>10}{:>10}\n",
                           "", "Watt", "paper", "winner", r["winner"].dump(), paper["winner"].dump(), "price (c/kWh)",
                           r["price"].dump(), paper["price"].dump(), "left (%)", r["left_percent"].dump(),
                           paper["left_percent"].dump());
  std::cout << "  bids: " << r["bids"].size() << ", paper's " << paper["bids"].size() << ": "
            << (same ? "the paper's outcome, bid for bid\n" : "DIFFERS from the paper\n");
  r["matches_paper"] = same;
  result[f.name] = r;

  messages = b.messages;
  for (const auto& a : aggs)
    for (std::size_t i = 0; i < a.messages.size(); ++i) add_traffic(messages[i], a.messages[i]);
  for (const auto& ids : {f.bess, f.aggregators})
    for (const auto& id : ids) {
      if (auto stopped = c.call("platform", "stop", id).get(); !stopped)
        throw watt::Error("stopping " + id + ": " + stopped.error().what());
      await(
          c, [&] { return call<AgentState>(c, "platform", "status", id).state == "stopped"; }, id + " to stop");
      if (auto removed = c.call("platform", "remove", id).get(); !removed)
        throw watt::Error("removing " + id + ": " + removed.error().what());
      await(
          c, [&] { return !c.call("platform", "status", id).get().ok(); }, id + " to be removed");
    }
  return same;
}

// The field of the broker's stats this tool reads (broker.stats).
struct BrokerExpired {
  std::map<std::string, std::uint64_t> expired_topics;
  MSGPACK_DEFINE_MAP(expired_topics)
};

// Every figure's traffic by type: handled and missed summed, the latencies
// of the slowest receiver; beside Table II's maximum delay, with what
// expired in the broker's queues.
void print_messages(watt::Client& c, const std::map<std::string, std::vector<TypeStats>>& by_figure,
                    nlohmann::json& result) {
  std::vector<TypeStats> all;
  std::array<std::uint64_t, msg_types> at_broker{};
  const auto broker = call<BrokerExpired>(c, "broker", "stats");
  for (const auto& [fig, messages] : by_figure) {
    const auto expired = misses_by_type(broker.expired_topics, fig);
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (all.size() <= i)
        all.push_back(messages[i]);
      else
        add_traffic(all[i], messages[i]);
      at_broker[i] += expired[i];
    }
  }
  std::cout << fmt::format("\nmessages, all figures\n{:<18}{:>5}{:>11}{:>9}{:>10}{:>10}{:>9}{:>9}\n", "type", "pri",
                           "max delay", "handled", "p50 (ms)", "p99 (ms)", "missed", "expired");
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& m = all[i];
    std::cout << fmt::format("{:<18}{:>5}{:>9.0f}ms{:>9}{:>10.3f}{:>10.3f}{:>9}{:>9}\n", m.type, m.priority,
                             m.max_delay_ms, m.received, m.p50_ms, m.p99_ms, m.missed, at_broker[i]);
    result["messages"][m.type] = {{"priority", m.priority},
                                  {"max_delay_ms", m.max_delay_ms},
                                  {"handled", m.received},
                                  {"p50_ms", m.p50_ms},
                                  {"p99_ms", m.p99_ms},
                                  {"missed_at_receivers", m.missed},
                                  {"expired_at_broker", at_broker[i]}};
  }
  std::cout << "(missed: reached a receiver past its deadline; expired: passed it in the broker's queue)\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-bess-auction: seed 000's prototype auctions (Figs. 6-8) on bess and aggregator agents"};
  app.require_subcommand(1);
  std::string figures, lib_dir, out, address;
  auto* run = app.add_subcommand("figures", "run Figs. 6-8 and compare with the paper");
  run->add_option("--figures", figures, "examples/bess-auction/figures.yml")->required();
  run->add_option("--lib-dir", lib_dir, "where libbess.so and libaggregator.so are")->required();
  run->add_option("--out", out, "where result.json goes")->required();
  run->add_option("--connect", address, "the platform's address (default: $WATT_HOME's)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto all = YAML::LoadFile(figures);
    watt::ClientOptions o;
    o.identity = "watt-bess-auction";
    o.address = address;
    watt::Client c(o);
    nlohmann::json result;
    std::map<std::string, std::vector<TypeStats>> messages;
    bool all_same = true;
    for (const auto& fig : all) {
      Figure f{fig.first.as<std::string>(), fig.second, {}, {}};
      for (const auto& b : f.spec["bess"]) f.bess.push_back(b.first.as<std::string>());
      for (const auto& a : f.spec["aggregators"]) f.aggregators.push_back(a.first.as<std::string>());
      if (f.bess.size() != 1) throw watt::Error(f.name + ": one BESS per figure, as the paper's");
      all_same = run_figure(c, f, lib_dir, result, messages[f.name]) && all_same;
    }
    print_messages(c, messages, result);
    std::filesystem::create_directories(out);
    std::ofstream(std::filesystem::path(out) / "result.json") << result.dump(2) << "\n";
    std::cout << "\nwrote " << (std::filesystem::path(out) / "result.json").string() << "\n";
    return all_same ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "watt-bess-auction: " << e.what() << "\n";
    return 1;
  }
}
