// watt-microgrids: seed 001's interconnected microgrids from one command
// (examples/microgrids). Waits until the market operator has settled the
// day, reads its settlements and each microgrid operator's record, prints
// each operator's cost with the market (both settlements and its fuel)
// beside its cost on its own (the tariff and its fuel), checks that each
// settlement balances to the unit (the exit status says whether), and writes result.json and series.csv
// (per interval: prices, contracts and what each operator drew).
//   watt-microgrids report --out DIR [--market ID] [--connect ADDRESS]
#include <watt/client.hpp>
#include <watt/error.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using nlohmann::json;

constexpr double cents_per_money = 1e-5;  // the book's unit: Wh x 1/100 cent per kWh

json call_json(watt::Client& c, const std::string& peer, const std::string& method) {
  auto r = c.call(peer, method).get_as<std::string>();
  if (!r) throw watt::Error(peer + "/" + method + ": " + r.error().what());
  return json::parse(r.value());
}

void wait_done(watt::Client& c, const std::string& market) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(20);
  for (;;) {
    auto s = c.call(market, "status").get_as<std::string>();
    if (s && json::parse(s.value()).at("phase") == "done") return;
    if (std::chrono::steady_clock::now() > until) throw watt::Error(market + " did not settle its day in 20 minutes");
    c.spin_for(std::chrono::milliseconds(300));
  }
}

struct Operator {
  std::string id;
  json record, states;
  double day_ahead = 0, real_time = 0, fuel = 0, alone = 0, alone_fuel = 0, imbalance_kwh = 0, traded_kwh = 0;
  int safe_epochs = 0;
  double with_market() const { return day_ahead + real_time + fuel; }
  double on_its_own() const { return alone + alone_fuel; }
};

Operator read_operator(watt::Client& c, const std::string& id, const json& statements) {
  const auto status = call_json(c, id, "status");
  Operator o{id, status.at("record"), status.at("states")};
  o.day_ahead = statements.at(id).at("day_ahead").get<double>() * cents_per_money;
  o.real_time = statements.at(id).at("real_time").get<double>() * cents_per_money;
  for (const auto& r : o.record) {
    o.fuel += r.at("fuel_cost").get<double>();
    o.alone += r.at("alone_cost").get<double>();
    o.alone_fuel += r.at("alone_fuel_cost").get<double>();
    o.imbalance_kwh += std::abs(r.at("drawn_kwh").get<double>() - r.at("contract_kwh").get<double>());
    o.traded_kwh += std::abs(r.at("contract_kwh").get<double>());
    o.safe_epochs += r.at("safe_epochs").get<int>();
  }
  return o;
}

void write_series(const std::filesystem::path& file, const json& status, const std::vector<Operator>& ops) {
  std::ofstream out(file);
  out << "# interval hour day_ahead_cents real_time_cents";
  for (const auto& o : ops) out << " " << o.id << ".contract_kwh " << o.id << ".drawn_kwh " << o.id << ".alone_kwh";
  out << "\n";
  const auto& da = status.at("day_ahead_price");
  const auto& rt = status.at("real_time_price");
  for (std::size_t t = 0; t < da.size(); ++t) {
    out << t << " " << static_cast<double>(t) * 0.5 << " " << da[t].get<double>() / 100 << " "
        << (rt[t].is_null() ? "nan" : fmt::format("{}", rt[t].get<double>() / 100));
    for (const auto& o : ops)
      out << " " << o.record[t].at("contract_kwh") << " " << o.record[t].at("drawn_kwh") << " "
          << o.record[t].at("alone_kwh");
    out << "\n";
  }
}

int report(const std::string& market, const std::string& out, const std::string& address) {
  watt::ClientOptions opts;
  opts.identity = "watt-microgrids";
  opts.address = address;
  watt::Client c(opts);
  wait_done(c, market);
  const auto statements = call_json(c, market, "statements");
  const auto status = call_json(c, market, "status");
  std::vector<Operator> ops;
  for (const auto& [id, s] : statements.items())
    if (id != "balance") ops.push_back(read_operator(c, id, statements));
  std::cout << fmt::format("\n{:<16}{:>12}{:>12}{:>8}{:>14}{:>14}{:>10}{:>12}\n", "operator", "day-ahead", "real-time",
                           "fuel", "with market", "on its own", "saving", "imbalance");
  std::cout << fmt::format("{:<16}{:>12}{:>12}{:>8}{:>14}{:>14}{:>10}{:>12}\n", "", "", "", "", "", "", "", "(kWh)");
  std::cout << "(dollars; the saving is the cost on its own less the cost with the market)\n";
  double with = 0, alone = 0;
  json rows = json::object();
  for (const auto& o : ops) {
    std::cout << fmt::format("{:<16}{:>12.2f}{:>12.2f}{:>8.2f}{:>14.2f}{:>14.2f}{:>10.2f}{:>12.1f}\n", o.id,
                             o.day_ahead / 100, o.real_time / 100, o.fuel / 100, o.with_market() / 100,
                             o.on_its_own() / 100, (o.on_its_own() - o.with_market()) / 100, o.imbalance_kwh);
    with += o.with_market();
    alone += o.on_its_own();
    rows[o.id] = {{"day_ahead_cents", o.day_ahead}, {"real_time_cents", o.real_time},
                  {"fuel_cents", o.fuel},           {"with_market_cents", o.with_market()},
                  {"alone_cents", o.on_its_own()},  {"imbalance_kwh", o.imbalance_kwh},
                  {"safe_epochs", o.safe_epochs},   {"states", o.states},
                  {"intervals", o.record}};
  }
  std::cout << fmt::format("{:<16}{:>12}{:>12}{:>8}{:>14.2f}{:>14.2f}{:>10.2f}\n", "all", "", "", "", with / 100,
                           alone / 100, (alone - with) / 100);
  const auto& balance = statements.at("balance");
  const bool balanced = balance.at("day_ahead") == 0 && balance.at("real_time") == 0;
  std::cout << fmt::format("settlements balance to the unit (1e-5 cent), the DSO's lines among them: {}\n",
                           balanced ? "yes" : "NO: " + balance.dump());
  std::cout << "seed 001 publishes no figures for the day; its claim is that the market raises the welfare: "
            << (with < alone ? "it does here" : "NOT here (docs/der.md, The microgrids' day, says why)") << "\n";
  const json result{{"operators", rows},
                    {"total", {{"with_market_cents", with}, {"alone_cents", alone}}},
                    {"balance", balance},
                    {"day_ahead_price", status.at("day_ahead_price")},
                    {"real_time_price", status.at("real_time_price")}};
  std::filesystem::create_directories(out);
  std::ofstream(std::filesystem::path(out) / "result.json") << result.dump(1) << "\n";
  write_series(std::filesystem::path(out) / "series.csv", status, ops);
  std::cout << "wrote " << (std::filesystem::path(out) / "result.json").string() << " and series.csv\n";
  return balanced ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-microgrids: seed 001's microgrid market, its settlements and each operator's cost"};
  app.require_subcommand(1);
  std::string out, address, market = "market-operator";
  auto* cmd = app.add_subcommand("report", "wait for the settled day, print each operator's cost with and without");
  cmd->add_option("--out", out, "where result.json and series.csv go")->required();
  cmd->add_option("--market", market, "the market operator's identity");
  cmd->add_option("--connect", address, "the platform's address (default: $WATT_HOME's)");
  CLI11_PARSE(app, argc, argv);
  try {
    return report(market, out, address);
  } catch (const std::exception& e) {
    std::cerr << "watt-microgrids: " << e.what() << "\n";
    return 1;
  }
}
