// watt-market: seed 002's Bit-Energy case study (examples/p2p-market) on
// market agents of a running platform, as their operator: each case's
// accounts, line limits and posts, then the buy; the accounts and posts after
// it printed beside the thesis's table and compared to the cent; each
// market's ledger verified; examples/p2p-market/out/result.json written.
//   watt-market tables --cases cases.yml --out DIR [--connect ADDRESS]
#include <watt/client.hpp>
#include <watt/error.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace {

using Accounts = std::map<std::string, std::pair<double, double>>;                  // cents, kWh
using Posts = std::vector<std::tuple<std::uint64_t, std::string, double, double>>;  // id, seller, kWh, c/kWh

bool cent_equal(double a, double b) { return std::llround(a * 100) == std::llround(b * 100); }

template <class T>
T call(watt::Client& c, const std::string& peer, const std::string& method, const auto&... args) {
  auto r = c.call(peer, method, args...).template get_as<T>();
  if (!r) throw watt::Error(peer + "/" + method + ": " + r.error().what());
  return r.value();
}

void call_void(watt::Client& c, const std::string& peer, const std::string& method, const auto&... args) {
  auto r = c.call(peer, method, args...).get();
  if (!r) throw watt::Error(peer + "/" + method + ": " + r.error().what());
}

// Sets a case up on its market, buys, and compares; true when it matches.
bool run_case(watt::Client& c, const YAML::Node& all, const std::string& name, nlohmann::json& result) {
  const std::string market = "market-" + name;
  const auto& k = all["cases"][name];
  for (const auto& a : all["accounts"])
    call_void(c, market, "open", a.first.as<std::string>(), a.second[0].as<double>(), a.second[1].as<double>());
  for (const auto& l : all["lines"])
    call_void(c, market, "line", std::string("C1"), l.first.as<std::string>(), l.second.as<double>());
  for (const auto& p : all["posts"])
    (void)call<std::uint64_t>(c, market, "post", p[0].as<std::string>(), p[1].as<double>(), p[2].as<double>());
  const auto b = k["buy"];
  (void)call<std::vector<std::tuple<std::string, double, double>>>(c, market, "buy", b[0].as<std::string>(),
                                                                   b[1].as<double>(), b[2].as<double>());
  const auto accounts = call<Accounts>(c, market, "accounts");
  const auto posts = call<Posts>(c, market, "posts");
  bool same = true;
  std::cout << fmt::format("\n{} ({}):\n{:<6}{:>14}{:>14}{:>12}{:>12}\n", name, k["market"]["lines"].as<std::string>(),
                           "", "balance (c)", "thesis", "power (kWh)", "thesis");
  for (const auto& [who, ap] : accounts) {
    const auto pub = k["published"]["accounts"][who];
    const bool ok = cent_equal(ap.first, pub[0].as<double>()) && cent_equal(ap.second, pub[1].as<double>());
    same = same && ok;
    std::cout << fmt::format("{:<6}{:>14.2f}{:>14.2f}{:>12.1f}{:>12.1f}{}\n", who, ap.first, pub[0].as<double>(),
                             ap.second, pub[1].as<double>(), ok ? "" : "   DIFFERS");
    result[name]["accounts"][who] = {{"balance_cents", ap.first}, {"power_kwh", ap.second}};
  }
  const auto pub_posts = k["published"]["posts"];
  same = same && posts.size() == pub_posts.size();
  result[name]["posts"] = nlohmann::json::array();
  for (std::size_t i = 0; i < posts.size(); ++i) {
    const auto& [id, seller, kwh, price] = posts[i];
    if (i < pub_posts.size())
      same = same && seller == pub_posts[i][0].as<std::string>() && cent_equal(kwh, pub_posts[i][1].as<double>()) &&
             cent_equal(price, pub_posts[i][2].as<double>());
    std::cout << fmt::format("post  {} {:.1f} kWh at {:.2f} c/kWh\n", seller, kwh, price);
    result[name]["posts"].push_back({{"seller", seller}, {"amount_kwh", kwh}, {"price_cents", price}});
  }
  const auto [verified, entries, what] = call<std::tuple<bool, std::int64_t, std::string>>(c, market, "verify");
  std::cout << fmt::format("ledger: {} entries, {}\n", entries, verified ? "verified" : "FAILS: " + what);
  result[name]["ledger_entries"] = entries;
  std::cout << (same ? "matches the thesis's table to the cent\n" : "DIFFERS from the thesis's table\n");
  return same && verified;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-market: seed 002's Bit-Energy case study on market agents"};
  app.require_subcommand(1);
  std::string cases, out, address;
  auto* tables = app.add_subcommand("tables", "run Cases I-III and compare with Tables 2-4");
  tables->add_option("--cases", cases, "examples/p2p-market/cases.yml")->required();
  tables->add_option("--out", out, "where result.json goes")->required();
  tables->add_option("--connect", address, "the platform's address (default: $WATT_HOME's)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto all = YAML::LoadFile(cases);
    watt::ClientOptions o;
    o.identity = "watt-market-operator";
    o.address = address;
    watt::Client c(o);
    nlohmann::json result;
    bool all_same = true;
    for (const auto& k : all["cases"]) all_same = run_case(c, all, k.first.as<std::string>(), result) && all_same;
    std::filesystem::create_directories(out);
    std::ofstream(std::filesystem::path(out) / "result.json") << result.dump(2) << "\n";
    std::cout << "\nwrote " << (std::filesystem::path(out) / "result.json").string() << "\n";
    return all_same ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "watt-market: " << e.what() << "\n";
    return 1;
  }
}
