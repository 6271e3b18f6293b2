// Who may connect over TCP, and what each may do: entries keyed by a client's
// CURVE public key, each with the identities it may claim, the topics it may
// publish to and the methods it may call. Kept in $WATT_HOME/auth.yml.
#pragma once

#include <msgpack.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watt::broker {

struct AuthEntry {
  std::string name;                     // what the key is called (also the ZAP user id)
  std::string key;                      // the client's public key, Z85 (40 characters); empty if local
  bool local = false;                   // an agent installed on this machine (ipc, no key)
  std::vector<std::string> identities;  // identities it may claim; "*" = any
  std::vector<std::string> publish;     // topic patterns it may publish to
  std::vector<std::string> call;        // "peer/method" patterns it may call ("meter1/#": any method)
  MSGPACK_DEFINE_MAP(name, key, local, identities, publish, call)

  bool may_claim(const std::string& identity) const;
  bool may_publish(std::string_view topic) const;
  bool may_call(std::string_view peer, std::string_view method) const;
};

class AllowList {
public:
  // A missing file is an empty list. Throws watt::Error naming the file and
  // the entry at fault.
  static AllowList load(const std::filesystem::path& file);
  // Written atomically (temp, fsync, rename), mode 0600.
  void save(const std::filesystem::path& file) const;

  const AuthEntry* by_key(const std::string& z85) const;
  // The local entry an installed agent of this identity runs under, if any.
  const AuthEntry* local_for(const std::string& identity) const;
  const AuthEntry* by_name(const std::string& name) const;
  const std::vector<AuthEntry>& entries() const noexcept { return entries_; }

  // Adds, or replaces the entry of the same name. Throws watt::Error when the
  // entry is malformed or its key belongs to another entry.
  void put(const AuthEntry& entry);
  bool remove(const std::string& name);

private:
  std::vector<AuthEntry> entries_;
};

// Why an entry is refused, or empty.
std::string auth_entry_error(const AuthEntry& e);

}  // namespace watt::broker
