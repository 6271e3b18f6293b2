// The web view's users: each a name, a role and an Argon2id hash of the
// password (libsodium's crypto_pwhash_str), kept in a YAML file of mode 0600.
// No password is ever stored, logged or shown.
#pragma once

#include <watt/web/role.hpp>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace watt::web {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct User {
  std::string name;
  Role role = Role::viewer;
  std::string hash;  // crypto_pwhash_str's text: algorithm, parameters, salt and hash
};

// $WATT_HOME/web/users.yml
std::filesystem::path users_file(const std::filesystem::path& home);

class Users {
public:
  // A missing file is no users yet; a damaged one throws UserError naming it.
  static Users load(const std::filesystem::path& file);
  // Replaces the file atomically, mode 0600, its folder made if missing.
  void save(const std::filesystem::path& file) const;

  // Each throws UserError naming what is wrong: a bad or taken name, an
  // unknown user, a password shorter than 8 characters.
  void add(const std::string& name, Role role, std::string_view password);
  void remove(const std::string& name);
  void set_password(const std::string& name, std::string_view password);
  void set_role(const std::string& name, Role role);

  const User* find(std::string_view name) const;
  std::vector<User> all() const;
  bool empty() const { return users_.empty(); }

  // Whether `password` is this user's. Takes as long as hashing it (Argon2id
  // at libsodium's interactive limits: tens of milliseconds and 64 MiB).
  static bool verify(const User& user, std::string_view password);

private:
  std::map<std::string, User, std::less<>> users_;
};

}  // namespace watt::web
