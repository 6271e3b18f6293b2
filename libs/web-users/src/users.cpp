#include <watt/paths.hpp>
#include <watt/web/users.hpp>

#include <sodium.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace watt::web {
namespace {

constexpr std::size_t min_password = 8;

void start_sodium() {
  if (sodium_init() < 0) throw UserError("libsodium cannot start");
}

void check_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '@';
  });
  if (!ok) throw UserError("bad user name '" + name + "': 1 to 64 letters, digits, '_', '-', '.' or '@'");
}

std::string hash_of(std::string_view password) {
  if (password.size() < min_password)
    throw UserError("the password is too short: at least " + std::to_string(min_password) + " characters");
  start_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw UserError("cannot hash the password: out of memory");
  return out;
}

}  // namespace

std::filesystem::path users_file(const std::filesystem::path& home) { return home / "web" / "users.yml"; }

Users Users::load(const std::filesystem::path& file) {
  Users users;
  std::ifstream in(file);
  if (!in) return users;
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto root = YAML::Load(text.str());
    if (!root || root.IsNull()) return users;
    if (!root.IsMap()) throw UserError(file.string() + ": expected a map of users");
    for (const auto& entry : root) {
      User u;
      u.name = entry.first.as<std::string>();
      check_name(u.name);
      if (!entry.second.IsMap() || !entry.second["role"] || !entry.second["hash"])
        throw UserError(file.string() + ": user '" + u.name + "' needs a role and a hash");
      u.role = role_from_string(entry.second["role"].as<std::string>());
      u.hash = entry.second["hash"].as<std::string>();
      users.users_.emplace(u.name, std::move(u));
    }
  } catch (const YAML::Exception& e) {
    throw UserError(file.string() + ": " + e.what());
  }
  return users;
}

void Users::save(const std::filesystem::path& file) const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& [name, u] : users_)
    out << YAML::Key << name << YAML::Value << YAML::BeginMap << YAML::Key << "role" << YAML::Value << to_string(u.role)
        << YAML::Key << "hash" << YAML::Value << u.hash << YAML::EndMap;
  out << YAML::EndMap;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) throw UserError("cannot make " + file.parent_path().string() + ": " + ec.message());
  write_file_atomically(file, std::string(out.c_str()) + "\n", 0600);
}

void Users::add(const std::string& name, Role role, std::string_view password) {
  check_name(name);
  if (users_.count(name) != 0) throw UserError("user '" + name + "' exists already");
  users_.emplace(name, User{name, role, hash_of(password)});
}

void Users::remove(const std::string& name) {
  if (users_.erase(name) == 0) throw UserError("no user '" + name + "'");
}

void Users::set_password(const std::string& name, std::string_view password) {
  auto it = users_.find(name);
  if (it == users_.end()) throw UserError("no user '" + name + "'");
  it->second.hash = hash_of(password);
}

void Users::set_role(const std::string& name, Role role) {
  auto it = users_.find(name);
  if (it == users_.end()) throw UserError("no user '" + name + "'");
  it->second.role = role;
}

const User* Users::find(std::string_view name) const {
  const auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

std::vector<User> Users::all() const {
  std::vector<User> out;
  for (const auto& [name, u] : users_) out.push_back(u);
  return out;
}

bool Users::verify(const User& user, std::string_view password) {
  start_sodium();
  return crypto_pwhash_str_verify(user.hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace watt::web
