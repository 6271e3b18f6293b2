// Who may connect over TCP, and what each may do: entries keyed by a client's
// CURVE public key, each with the identities it may claim, the topics it may
// publish to and the methods it may call. Kept in $WATT_HOME/auth.yml.
#pragma once

#include <watt/platform/auth_entry.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watt::broker {

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

// What an entry allows.
bool may_claim(const AuthEntry& e, const std::string& identity);
bool may_publish(const AuthEntry& e, std::string_view topic);
bool may_call(const AuthEntry& e, std::string_view peer, std::string_view method);
// Whether every topic the pattern matches is within one of the entry's
// subscribe patterns ("devices/lab/+/power" is within "devices/lab").
bool may_subscribe(const AuthEntry& e, std::string_view pattern);

// Why an entry is refused, or empty.
std::string auth_entry_error(const AuthEntry& e);

}  // namespace watt::broker
