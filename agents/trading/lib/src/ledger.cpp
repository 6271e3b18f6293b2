#include <watt/trading/ledger.hpp>

#include <watt/sqlite/database.hpp>

#include <sodium.h>

namespace watt::trading {
namespace {

const std::string genesis(64, '0');

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

// Exactly `n` bytes from hex, or nullopt.
std::optional<std::vector<unsigned char>> unhex(const std::string& h, std::size_t n) {
  std::vector<unsigned char> out(n);
  std::size_t len = 0;
  if (h.size() != n * 2 || sodium_hex2bin(out.data(), n, h.data(), h.size(), nullptr, &len, nullptr) != 0 || len != n)
    return std::nullopt;
  return out;
}

void ready() {
  if (sodium_init() < 0) throw LedgerError("libsodium cannot start");
}

void field(crypto_generichash_state& st, const std::string& s) {
  const std::uint64_t n = s.size();  // length-prefixed: no two field lists hash alike
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

}  // namespace

SigningKey SigningKey::generate() {
  ready();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  return {hex(pk, sizeof pk), hex(sk, sizeof sk)};
}

SigningKey SigningKey::from_seed(const std::string& seed) {
  ready();
  unsigned char s[crypto_sign_SEEDBYTES];
  crypto_generichash(s, sizeof s, reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), nullptr, 0);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, s);
  return {hex(pk, sizeof pk), hex(sk, sizeof sk)};
}

std::string entry_hash(std::int64_t seq, const std::string& prev, const std::string& kind, const std::string& body,
                       const std::string& signer) {
  ready();
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  field(st, std::to_string(seq));
  field(st, prev);
  field(st, kind);
  field(st, body);
  field(st, signer);
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return hex(out, sizeof out);
}

struct Ledger::Db {
  sqlite::Database db;
  Db(const std::filesystem::path& file, bool durable) : db(file.string(), options(durable)) {}
  static sqlite::Options options(bool durable) {
    sqlite::Options o;
    o.synchronous = durable ? "FULL" : "NORMAL";
    return o;
  }
};

Ledger::Ledger(const std::filesystem::path& file, std::set<std::string> whitelist, bool durable)
    : db_(std::make_unique<Db>(file, durable)), whitelist_(std::move(whitelist)) {
  ready();
  db_->db.exec(
      "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, prev TEXT NOT NULL, kind TEXT NOT NULL, "
      "body TEXT NOT NULL, signer TEXT NOT NULL, signature TEXT NOT NULL, hash TEXT NOT NULL)");
  read_head();
}

void Ledger::read_head() {
  last_seq_ = 0;
  head_ = genesis;
  sqlite::Statement last(db_->db, "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1");
  if (last.step()) {
    last_seq_ = last.integer(0);
    head_ = last.text(1);
  }
}

void Ledger::begin() { db_->db.exec("BEGIN IMMEDIATE"); }
void Ledger::commit() { db_->db.exec("COMMIT"); }
void Ledger::rollback() {
  db_->db.exec("ROLLBACK");
  read_head();
}

Ledger::~Ledger() = default;

LedgerEntry Ledger::append(const SigningKey& key, const std::string& kind, const std::string& body) {
  if (!whitelist_.contains(key.public_hex))
    throw LedgerError("the key " + key.public_hex.substr(0, 16) + "… is not on the ledger's whitelist");
  const auto sk = unhex(key.secret_hex, crypto_sign_SECRETKEYBYTES);
  if (!sk) throw LedgerError("the secret key is not 128 hex digits");
  LedgerEntry e{last_seq_ + 1, head_, kind, body, key.public_hex, {}, {}};
  e.hash = entry_hash(e.seq, e.prev, e.kind, e.body, e.signer);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(e.hash.data()), e.hash.size(), sk->data());
  e.signature = hex(sig, sizeof sig);
  store(e);
  return e;
}

void Ledger::accept(const LedgerEntry& e) {
  if (auto why = problem_with(e, last_seq_ + 1, head_); !why.empty())
    throw LedgerError("entry " + std::to_string(e.seq) + ": " + why);
  store(e);
}

void Ledger::store(const LedgerEntry& e) {
  sqlite::Statement ins(db_->db, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, e.seq).bind(2, e.prev).bind(3, e.kind).bind(4, e.body).bind(5, e.signer).bind(6, e.signature);
  ins.bind(7, e.hash).run();
  last_seq_ = e.seq;
  head_ = e.hash;
}

std::string Ledger::problem_with(const LedgerEntry& e, std::int64_t expected_seq,
                                 const std::string& expected_prev) const {
  if (e.seq > expected_seq)
    return "entries " + std::to_string(expected_seq) + " to " + std::to_string(e.seq - 1) + " are missing";
  if (e.seq < expected_seq) return "out of order: expected entry " + std::to_string(expected_seq);
  if (e.prev != expected_prev) return "does not follow the entry before it (removed, reordered or altered)";
  if (entry_hash(e.seq, e.prev, e.kind, e.body, e.signer) != e.hash)
    return "altered: its hash does not match its content";
  const auto pk = unhex(e.signer, crypto_sign_PUBLICKEYBYTES);
  const auto sig = unhex(e.signature, crypto_sign_BYTES);
  if (!pk || !sig ||
      crypto_sign_verify_detached(sig->data(), reinterpret_cast<const unsigned char*>(e.hash.data()), e.hash.size(),
                                  pk->data()) != 0)
    return "forged: its signature is not its signer's";
  if (!whitelist_.contains(e.signer)) return "signed by " + e.signer.substr(0, 16) + "…, a key not on the whitelist";
  return {};
}

std::optional<Ledger::Problem> Ledger::verify() const {
  std::int64_t expected = 1;
  std::string prev = genesis;
  for (const auto& e : entries()) {
    if (auto why = problem_with(e, expected, prev); !why.empty()) return Problem{e.seq, why};
    ++expected;
    prev = e.hash;
  }
  return std::nullopt;
}

std::vector<LedgerEntry> Ledger::entries() const {
  // In the file's own order (its rowid), so that rows swapped are seen.
  sqlite::Statement q(db_->db, "SELECT seq, prev, kind, body, signer, signature, hash FROM entries ORDER BY rowid");
  std::vector<LedgerEntry> out;
  while (q.step()) out.push_back({q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
  return out;
}

}  // namespace watt::trading
