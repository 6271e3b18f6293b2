// watt ledger verify [AGENT...]: checks a trading ledger end to end
// (docs/trading.md, The ledger): every entry's hash, its link to the one
// before, its signature and its signer's place on the whitelist. The ledger
// is the agent's (a market or a participant's ledger-copy), read through its
// `verify` method, which answers (verified, entries or the first bad entry,
// what is wrong with it).
#include "cli_context.hpp"

#include <algorithm>
#include <iostream>
#include <tuple>

namespace watt::cli {

namespace {

// Several copies of one ledger: each must be as long as the longest, with
// the same last hash (a copy whose tail was cut off is a valid chain).
bool same_heads(Client& c, const std::vector<std::string>& agents) {
  std::vector<std::tuple<std::string, std::int64_t, std::string>> heads;
  for (const auto& id : agents) {
    auto r = c.call(id, "head").get_as<std::tuple<std::int64_t, std::string>>();
    if (!r) throw Failure{id + ": " + r.error().what()};
    heads.emplace_back(id, std::get<0>(r.value()), std::get<1>(r.value()));
  }
  const auto longest = *std::max_element(heads.begin(), heads.end(),
                                         [](const auto& a, const auto& b) { return std::get<1>(a) < std::get<1>(b); });
  bool same = true;
  for (const auto& [id, n, hash] : heads) {
    if (n < std::get<1>(longest)) {
      std::cout << id << ": " << std::get<1>(longest) - n << " entries fewer than " << std::get<0>(longest)
                << ": its last entries are missing\n";
      same = false;
    } else if (hash != std::get<2>(longest)) {
      std::cout << id << ": its last entry differs from " << std::get<0>(longest) << "'s\n";
      same = false;
    }
  }
  return same;
}

}  // namespace

void add_ledger_commands(CLI::App& app, Context& ctx) {
  auto* ledger = app.add_subcommand("ledger", "trading ledgers: verify a market's or a participant's copy");
  ledger->require_subcommand(1);
  auto agents = std::make_shared<std::vector<std::string>>();
  auto* verify = ledger->add_subcommand(
      "verify",
      "check every entry's hash, chain, signature and signer; name the first that is altered, missing, "
      "reordered or forged (exit 1)");
  verify->add_option("agents", *agents, "the market or ledger-copy agents whose ledgers to check (default: market)");
  verify->callback(guarded([&ctx, agents] {
    if (agents->empty()) agents->push_back("market");
    auto c = ctx.connect();
    bool all_good = true;
    for (const auto& id : *agents) {
      CallOptions o;
      o.timeout = std::chrono::seconds(120);  // a ledger of millions of entries takes a while
      auto r = c->call_with(o, id, "verify").get_as<std::tuple<bool, std::int64_t, std::string>>();
      if (!r) throw Failure{id + ": " + r.error().what()};
      const auto& [good, n, what] = r.value();
      if (good) {
        std::cout << id << ": " << n << " entries, verified\n";
      } else {
        std::cout << id << ": entry " << n << ": " << what << "\n";
        all_good = false;
      }
    }
    if (agents->size() > 1 && !same_heads(*c, *agents)) all_good = false;
    if (!all_good) throw Failure{"a ledger does not verify", 1};
  }));
}

}  // namespace watt::cli
