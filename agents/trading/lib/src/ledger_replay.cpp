// Replaying a ledger into the market it records.
#include <watt/trading/ledger.hpp>

#include <nlohmann/json.hpp>

namespace watt::trading {
namespace {

void apply(Market& m, const std::string& kind, const nlohmann::json& b) {
  if (kind == "open")
    m.open_account(b.at("name"), b.at("balance"), b.at("energy"));
  else if (kind == "line")
    m.set_line_limit(b.at("buyer"), b.at("seller"), b.at("limit"));
  else if (kind == "post")
    (void)m.post(b.at("seller"), b.at("amount"), b.at("price"));
  else if (kind == "update")
    m.update_post(b.at("id"), b.at("amount"), b.at("price"));
  else if (kind == "delete")
    m.delete_post(b.at("id"));
  else if (kind == "transfer")
    m.transfer(b.at("from"), b.at("to"), b.at("amount"));
  else if (kind == "buy")
    (void)m.buy(b.at("buyer"), b.at("amount"), b.at("max_price"));
  else
    throw LedgerError("unknown kind '" + kind + "'");
}

}  // namespace

Market replay(const std::vector<LedgerEntry>& entries, MarketRules rules) {
  Market m(rules);
  for (const auto& e : entries) {
    try {
      apply(m, e.kind, nlohmann::json::parse(e.body));
    } catch (const std::exception& x) {
      throw LedgerError("entry " + std::to_string(e.seq) + " (" + e.kind + ") does not apply: " + x.what());
    }
  }
  return m;
}

}  // namespace watt::trading
