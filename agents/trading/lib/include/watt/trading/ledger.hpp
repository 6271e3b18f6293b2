// The market's tamper-evident ledger (docs/trading.md, The ledger): for the
// thesis's private, whitelisted setting, an append-only chain of entries in
// SQLite, each carrying the previous entry's hash and signed with its
// writer's Ed25519 key (libsodium). Only whitelisted keys may write; every
// participant may keep a copy and verify it; replaying it reproduces every
// balance.
#pragma once

#include <watt/trading/market.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace watt::trading {

struct LedgerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An Ed25519 key pair, as hex. A seed gives the same pair every time (tests,
// examples); none, a random one.
struct SigningKey {
  std::string public_hex;  // 64 hex digits
  std::string secret_hex;  // 128 hex digits
  static SigningKey generate();
  static SigningKey from_seed(const std::string& seed);
};

struct LedgerEntry {
  std::int64_t seq = 0;   // 1, 2, 3, …
  std::string prev;       // the previous entry's hash (hex); 64 zeros for the first
  std::string kind;       // open, post, update, delete, transfer, buy
  std::string body;       // the operation, as JSON
  std::string signer;     // public key (hex)
  std::string signature;  // of the hash, by the signer (hex)
  std::string hash;       // BLAKE2b-256 of seq, prev, kind, body and signer (hex)
};

// The hash an entry must carry.
std::string entry_hash(std::int64_t seq, const std::string& prev, const std::string& kind, const std::string& body,
                       const std::string& signer);

class Ledger {
public:
  // Opens (or creates) the ledger file; `whitelist` holds the public keys
  // (hex) that may write. `durable`: each entry survives a power loss once
  // appended (synchronous FULL); otherwise a crash of the process.
  Ledger(const std::filesystem::path& file, std::set<std::string> whitelist, bool durable = true);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Signs and appends. Throws LedgerError for a key not on the whitelist.
  LedgerEntry append(const SigningKey& key, const std::string& kind, const std::string& body);
  // An entry made elsewhere (another participant's copy): checked, then
  // kept. Throws LedgerError naming what is wrong with it.
  void accept(const LedgerEntry& e);

  struct Problem {
    std::int64_t seq = 0;
    std::string what;
  };
  // Walks the whole file: the first entry altered, removed, reordered, forged
  // or signed by a key off the whitelist, or nullopt.
  std::optional<Problem> verify() const;
  std::vector<LedgerEntry> entries() const;
  std::int64_t size() const noexcept { return last_seq_; }
  // Entries appended between begin() and commit() are written in one
  // transaction (many entries for one sync); a failure inside rolls them back
  // with rollback(), and the ledger reads its head again.
  void begin();
  void commit();
  void rollback();
  const std::string& head() const noexcept { return head_; }

private:
  std::string problem_with(const LedgerEntry& e, std::int64_t expected_seq, const std::string& expected_prev) const;
  void store(const LedgerEntry& e);
  void read_head();

  struct Db;
  std::unique_ptr<Db> db_;
  std::set<std::string> whitelist_;
  std::int64_t last_seq_ = 0;
  std::string head_;
};

// The market the entries make, replayed from the first: each entry applied
// as it was when it was written. Throws LedgerError naming an entry that does
// not apply.
Market replay(const std::vector<LedgerEntry>& entries, MarketRules rules);

}  // namespace watt::trading
