// The market's ledger: signed, chained, whitelisted; every kind of tampering
// with its file named; a replay reproducing the balances.
#include "temp_dir.hpp"

#include <watt/sqlite/database.hpp>
#include <watt/trading/ledger.hpp>

#include <doctest/doctest.h>

using namespace watt::trading;

namespace {

// Seed 002's Case III, written to a ledger by the market's key.
void write_case3(Ledger& l, const SigningKey& k) {
  for (const char* n : {"C1", "P1", "P2", "P3"})
    l.append(k, "open", std::string(R"({"name": ")") + n + R"(", "balance": 100000000, "energy": 50000})");
  l.append(k, "line", R"({"buyer": "C1", "seller": "P1", "limit": 5000})");
  l.append(k, "line", R"({"buyer": "C1", "seller": "P2", "limit": 10000})");
  l.append(k, "line", R"({"buyer": "C1", "seller": "P3", "limit": 5000})");
  l.append(k, "post", R"({"seller": "P1", "amount": 6000, "price": 982})");
  l.append(k, "post", R"({"seller": "P2", "amount": 7000, "price": 990})");
  l.append(k, "post", R"({"seller": "P3", "amount": 8000, "price": 997})");
  l.append(k, "buy", R"({"buyer": "C1", "amount": 15000, "max_price": 1000})");
}

void tamper(const std::filesystem::path& file, const std::string& sql) {
  watt::sqlite::Database db(file.string(), watt::sqlite::Options{});
  db.exec(sql);
}

}  // namespace

TEST_CASE("ledger: a replay of its entries reproduces Table 4, and it verifies") {
  watt::test::TempDir dir("ledger");
  const auto key = SigningKey::from_seed("market");
  Ledger l(dir.path() / "ledger.db", {key.public_hex});
  write_case3(l, key);
  CHECK(l.size() == 11);
  CHECK_FALSE(l.verify());
  const auto m = replay(l.entries(), {LineMode::penalty, 10});
  CHECK(m.account("C1").balance == 85'174'000);
  CHECK(m.account("P1").balance == 105'902'000);
  CHECK(m.account("P3").energy == 48'000);
  // Another participant keeps a copy, entry by entry, checked as it comes.
  Ledger copy(dir.path() / "copy.db", {key.public_hex});
  for (const auto& e : l.entries()) copy.accept(e);
  CHECK(copy.head() == l.head());
  // Reopened, it goes on from its head.
  Ledger again(dir.path() / "ledger.db", {key.public_hex});
  CHECK(again.size() == 11);
  CHECK(again.append(key, "transfer", R"({"from": "C1", "to": "P1", "amount": 1})").prev == l.head());
  // A batch rolled back leaves nothing, and the head where it was.
  const auto head = again.head();
  again.begin();
  again.append(key, "transfer", R"({"from": "C1", "to": "P1", "amount": 2})");
  again.rollback();
  CHECK(again.size() == 12);
  CHECK(again.head() == head);
  CHECK_FALSE(again.verify());
}

TEST_CASE("ledger: altered, removed, reordered and forged entries are each named") {
  watt::test::TempDir dir("ledger-tamper");
  const auto key = SigningKey::from_seed("market");
  const auto make = [&](const std::string& name) {
    const auto file = dir.path() / name;
    Ledger l(file, {key.public_hex});
    write_case3(l, key);
    return file;
  };
  const auto problem = [&](const std::filesystem::path& file) {
    return Ledger(file, {key.public_hex}).verify().value_or(Ledger::Problem{0, "none"});
  };
  auto f = make("altered.db");
  tamper(f, R"(UPDATE entries SET body = '{"buyer": "C1", "amount": 1000, "max_price": 1000}' WHERE seq = 11)");
  CHECK(problem(f).seq == 11);
  CHECK(problem(f).what.starts_with("altered"));
  f = make("removed.db");
  tamper(f, "DELETE FROM entries WHERE seq = 5");
  CHECK(problem(f).seq == 6);
  CHECK(problem(f).what == "entries 5 to 5 are missing");
  f = make("truncated.db");
  tamper(f, "DELETE FROM entries WHERE seq = 1");
  CHECK(problem(f).what == "entries 1 to 1 are missing");
  f = make("reordered.db");
  tamper(f,
         "UPDATE entries SET seq = -1 WHERE seq = 8; UPDATE entries SET seq = 8 WHERE seq = 9; "
         "UPDATE entries SET seq = 9 WHERE seq = -1");
  CHECK(problem(f).seq == 8);
  CHECK(problem(f).what.find("does not follow") != std::string::npos);
  // Re-signed by an outsider: the hash is right, the signature is not the signer's.
  f = make("forged.db");
  const auto outsider = SigningKey::from_seed("outsider");
  {
    Ledger other(dir.path() / "other.db", {outsider.public_hex});
    write_case3(other, outsider);
    const auto e = other.entries().at(0);
    tamper(f, "UPDATE entries SET signature = '" + e.signature + "' WHERE seq = 1");
  }
  CHECK(problem(f).seq == 1);
  CHECK(problem(f).what.starts_with("forged"));
}

TEST_CASE("ledger: a key off the whitelist may neither write nor be accepted") {
  watt::test::TempDir dir("ledger-whitelist");
  const auto market = SigningKey::from_seed("market");
  const auto stranger = SigningKey::from_seed("stranger");
  Ledger l(dir.path() / "ledger.db", {market.public_hex});
  CHECK_THROWS_WITH_AS(l.append(stranger, "open", "{}"), doctest::Contains("not on the ledger's whitelist"),
                       LedgerError);
  Ledger theirs(dir.path() / "theirs.db", {stranger.public_hex});
  const auto e = theirs.append(stranger, "open", R"({"name": "X", "balance": 0, "energy": 0})");
  CHECK_THROWS_WITH_AS(l.accept(e), doctest::Contains("not on the whitelist"), LedgerError);
  CHECK(l.size() == 0);
  CHECK_THROWS_WITH_AS(replay({e, e}, {}), doctest::Contains("entry 1 (open) does not apply"), LedgerError);
}
