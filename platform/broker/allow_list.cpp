// AllowList: auth.yml, read and written; capability checks.
#include "allow_list.hpp"

#include <watt/error.hpp>
#include <watt/identity.hpp>
#include <watt/paths.hpp>
#include <watt/proto/topic.hpp>

#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace watt::broker {

bool may_claim(const AuthEntry& e, const std::string& identity) {
  return std::any_of(e.identities.begin(), e.identities.end(), [&](const std::string& i) {
    return i.ends_with('*') ? identity.starts_with(std::string_view(i).substr(0, i.size() - 1)) : i == identity;
  });
}

bool may_publish(const AuthEntry& e, std::string_view topic) {
  return std::any_of(e.publish.begin(), e.publish.end(), [&](const auto& p) { return proto::topic_matches(p, topic); });
}

bool may_call(const AuthEntry& e, std::string_view peer, std::string_view method) {
  // Method names may hold '/', so the check is peer first, then the rest.
  const std::string target = std::string(peer) + "/" + std::string(method);
  return std::any_of(e.call.begin(), e.call.end(), [&](const auto& p) { return proto::topic_matches(p, target); });
}

bool may_subscribe(const AuthEntry& e, std::string_view pattern) {
  return std::any_of(e.subscribe.begin(), e.subscribe.end(),
                     [&](const auto& g) { return proto::pattern_covers(g, pattern); });
}

std::string auth_entry_error(const AuthEntry& e) {
  if (auto err = identity_error(e.name); !err.empty()) return "name: " + err;
  if (e.local ? !e.key.empty() : e.key.size() != 40)
    return e.local ? "a local entry has no key" : "key must be a 40-character Z85 CURVE public key";
  for (const auto& i : e.identities) {
    if (i == "*") continue;
    const auto star = i.find('*');
    if (star != std::string::npos && star + 1 != i.size())
      return "identities: '" + i + "' may hold '*' only at its end";
    // A prefix pattern ("watt-cli-*") is checked by its prefix.
    if (auto err = identity_error(i.substr(0, star)); !err.empty()) return "identities: " + err;
  }
  for (const auto& p : e.publish)
    if (auto err = proto::pattern_error(p); !err.empty()) return "publish: " + err;
  for (const auto& p : e.call)
    if (auto err = proto::pattern_error(p); !err.empty()) return "call: " + err;
  for (const auto& p : e.subscribe)
    if (auto err = proto::pattern_error(p); !err.empty()) return "subscribe: " + err;
  return {};
}

AllowList AllowList::load(const std::filesystem::path& file) {
  AllowList list;
  if (!std::filesystem::exists(file)) return list;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    for (const auto& n : root["entries"]) {
      AuthEntry e;
      e.name = n["name"].as<std::string>("");
      e.key = n["key"].as<std::string>("");
      e.local = n["local"].as<bool>(false);
      e.identities = n["identities"].as<std::vector<std::string>>(std::vector<std::string>{});
      e.publish = n["publish"].as<std::vector<std::string>>(std::vector<std::string>{});
      e.call = n["call"].as<std::vector<std::string>>(std::vector<std::string>{});
      // Written before subscribe grants existed: an installed agent kept
      // what it had (everything); a TCP key gets nothing until granted.
      e.subscribe = n["subscribe"].as<std::vector<std::string>>(e.local ? std::vector<std::string>{"#"}
                                                                        : std::vector<std::string>{});
      list.put(e);
    }
  } catch (const YAML::Exception& e) {
    throw Error(file.string() + ": " + e.what());
  } catch (const Error& e) {
    throw Error(file.string() + ": " + e.what());
  }
  return list;
}

void AllowList::save(const std::filesystem::path& file) const {
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "entries" << YAML::Value << YAML::BeginSeq;
  for (const auto& e : entries_) {
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << e.name << YAML::Key << "key" << YAML::Value << e.key
      << YAML::Key << "local" << YAML::Value << e.local << YAML::Key << "identities" << YAML::Value << YAML::Flow
      << e.identities << YAML::Key << "publish" << YAML::Value << YAML::Flow << e.publish << YAML::Key << "call"
      << YAML::Value << YAML::Flow << e.call << YAML::Key << "subscribe" << YAML::Value << YAML::Flow << e.subscribe
      << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  write_file_atomically(file, std::string(y.c_str()) + "\n");
}

const AuthEntry* AllowList::by_key(const std::string& z85) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return !e.local && e.key == z85; });
  return it == entries_.end() ? nullptr : &*it;
}

const AuthEntry* AllowList::local_for(const std::string& identity) const {
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.local && may_claim(e, identity); });
  return it == entries_.end() ? nullptr : &*it;
}

const AuthEntry* AllowList::by_name(const std::string& name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.name == name; });
  return it == entries_.end() ? nullptr : &*it;
}

void AllowList::put(const AuthEntry& entry) {
  if (auto err = auth_entry_error(entry); !err.empty()) throw Error("entry '" + entry.name + "': " + err);
  if (const auto* other = entry.local ? nullptr : by_key(entry.key); other != nullptr && other->name != entry.name)
    throw Error("entry '" + entry.name + "': that key already belongs to '" + other->name + "'");
  if (auto* same = const_cast<AuthEntry*>(by_name(entry.name))) {
    *same = entry;
    return;
  }
  entries_.push_back(entry);
}

bool AllowList::remove(const std::string& name) {
  return std::erase_if(entries_, [&](const auto& e) { return e.name == name; }) > 0;
}

}  // namespace watt::broker
