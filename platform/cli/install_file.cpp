#include "install_file.hpp"

#include "agent_source.hpp"

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace watt::cli {
namespace {

const std::set<std::string> known_fields = {"identity", "library", "container", "restart",
                                            "config",   "publish", "call",      "subscribe"};

std::string text_of(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A field of the entry, else of the defaults, else none.
std::optional<YAML::Node> field(const YAML::Node& entry, const YAML::Node& defaults, const std::string& name) {
  if (entry[name]) return entry[name];
  if (defaults && defaults[name]) return defaults[name];
  return std::nullopt;
}

std::vector<std::string> patterns(const YAML::Node& n, const std::string& name) {
  if (n.IsScalar()) return {n.as<std::string>()};
  if (!n.IsSequence()) throw Error(name + " must be a pattern or a list of them");
  return n.as<std::vector<std::string>>();
}

platform::InstallRequest request_of(const YAML::Node& entry, const YAML::Node& defaults, const fs::path& folder) {
  if (!entry.IsMap()) throw Error("must be a map with at least an identity");
  for (const auto& kv : entry)
    if (!known_fields.contains(kv.first.as<std::string>()))
      throw Error("unknown field '" + kv.first.as<std::string>() + "'");
  platform::InstallRequest r;
  if (!entry["identity"]) throw Error("identity is missing");
  r.identity = entry["identity"].as<std::string>();
  const auto library = field(entry, defaults, "library");
  if (!library) throw Error("library is missing (give it here or under defaults)");
  r.source = agent_source(library->as<std::string>(), folder).string();
  if (const auto n = field(entry, defaults, "container")) r.container = n->as<std::string>();
  if (const auto n = field(entry, defaults, "restart")) r.restart = n->as<std::string>();
  if (const auto n = field(entry, defaults, "config")) {
    try {
      // A file, or the configuration itself as a map.
      r.config = n->IsMap() ? YAML::Dump(*n) + "\n" : text_of(folder / n->as<std::string>());
    } catch (const Error& e) {
      throw Error(std::string("config: ") + e.what());
    }
  }
  if (const auto n = field(entry, defaults, "publish")) r.publish = patterns(*n, "publish");
  if (const auto n = field(entry, defaults, "call")) r.call = patterns(*n, "call");
  if (const auto n = field(entry, defaults, "subscribe")) r.subscribe = patterns(*n, "subscribe");
  return r;
}

}  // namespace

std::vector<platform::InstallRequest> read_install_file(const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw Error(file.string() + ": " + e.what());
  }
  const fs::path folder = fs::absolute(file).parent_path();
  const YAML::Node defaults = root["defaults"];
  if (defaults) {
    if (!defaults.IsMap()) throw Error(file.string() + ": defaults must be a map");
    for (const auto& kv : defaults)
      if (kv.first.as<std::string>() == "identity" || !known_fields.contains(kv.first.as<std::string>()))
        throw Error(file.string() + ": defaults: unknown or per-agent field '" + kv.first.as<std::string>() + "'");
  }
  const YAML::Node agents = root["agents"];
  if (!agents || !agents.IsSequence() || agents.size() == 0)
    throw Error(file.string() + ": 'agents' must be a list of at least one agent");
  std::vector<platform::InstallRequest> out;
  out.reserve(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto& entry = agents[i];
    std::string which = "agent " + std::to_string(i + 1);
    if (entry.IsMap() && entry["identity"]) which += " ('" + entry["identity"].as<std::string>() + "')";
    try {
      out.push_back(request_of(entry, defaults, folder));
    } catch (const std::exception& e) {
      throw Error(file.string() + ": " + which + ": " + e.what());
    }
  }
  return out;
}

}  // namespace watt::cli
