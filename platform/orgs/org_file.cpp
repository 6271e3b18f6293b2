// The organization file: what `watt org apply` reads, and what the platform
// keeps in $WATT_HOME/orgs.yml (docs/organizations.md, The file).
#include <watt/platform/org_tree.hpp>

#include <watt/error.hpp>
#include <watt/paths.hpp>
#include <watt/yaml_keys.hpp>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <sstream>

namespace watt::platform {
namespace {

const char* const single_roles[] = {"ip", "pe", "dms"};

std::string scalar(const YAML::Node& n, const std::string& at, const std::string& field) {
  if (!n.IsScalar() || n.Scalar().empty()) throw Error(at + field + ": must be a name");
  return n.Scalar();
}

std::vector<std::string> names(const YAML::Node& n, const std::string& at, const std::string& field) {
  if (!n) return {};
  if (!n.IsSequence()) throw Error(at + field + ": must be a list of names");
  std::vector<std::string> out;
  for (const auto& x : n) out.push_back(scalar(x, at, field));
  return out;
}

OrgInfo parse_org(const YAML::Node& y, std::size_t index, bool require_ip) {
  std::string at = "organization " + std::to_string(index + 1) + ": ";
  if (!y.IsMap()) throw Error(at + "must be a map of name, kind, parent, ip, pe, dms, members, children");
  OrgInfo o;
  if (!y["name"]) throw Error(at + "name: missing");
  o.name = scalar(y["name"], at, "name");
  at = "organization '" + o.name + "': ";
  if (auto err = watt::yaml::key_error(y, {"name", "kind", "parent", "ip", "pe", "dms", "members", "children"});
      !err.empty())
    throw Error(at + err);
  if (!y["kind"]) throw Error(at + "kind: missing (one of disco, aggregator, end-user)");
  o.kind = scalar(y["kind"], at, "kind");
  if (auto err = org_kind_error(o.kind); !err.empty()) throw Error(at + "kind: " + err);
  if (y["parent"]) o.parent = scalar(y["parent"], at, "parent");
  for (const char* role : single_roles)
    if (y[role]) o.members.push_back({scalar(y[role], at, role), role});
  if (require_ip && o.holder("ip").empty())
    throw Error(at + "ip: missing (every organization speaks to others through its information provider)");
  for (auto& id : names(y["members"], at, "members")) o.members.push_back({std::move(id), "member"});
  return o;
}

// `children:` lists say the same as each child's `parent:`; they must agree,
// and no organization may be listed under two.
void adopt_children(const YAML::Node& list, std::map<std::string, OrgInfo>& orgs, const std::string& source) {
  std::map<std::string, std::string> listed_under;
  for (const auto& y : list) {
    const std::string parent = y["name"].Scalar();
    for (const auto& child : names(y["children"], "organization '" + parent + "': ", "children")) {
      const std::string at = source + ": organization '" + child + "': ";
      const auto it = orgs.find(child);
      if (it == orgs.end())
        throw Error(source + ": organization '" + parent + "': children: no organization '" + child + "' in this file");
      if (auto [prev, fresh] = listed_under.emplace(child, parent); !fresh)
        throw Error(at + "listed under both '" + prev->second + "' and '" + parent + "' (" + it->second.kind +
                    "s belong to one parent)");
      if (!it->second.parent.empty() && it->second.parent != parent)
        throw Error(at + "parent is '" + it->second.parent + "' but '" + parent + "' lists it among its children");
      it->second.parent = parent;
    }
  }
}

YAML::Node load_yaml(const std::string& yaml, const std::string& source) {
  try {
    return YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw Error(source + ": not YAML: " + e.what());
  }
}

}  // namespace

// Parents outside the text, and the tree as a whole, are checked where it is
// applied.
OrgTree OrgTree::parse(const std::string& yaml, const std::string& source, bool require_ip) {
  const YAML::Node root = load_yaml(yaml, source);
  if (!root || root.IsNull()) return {};
  if (!root.IsMap() || !root["organizations"] || !root["organizations"].IsSequence())
    throw Error(source + ": must be a map with 'organizations', a list");
  if (auto err = watt::yaml::key_error(root, {"organizations"}); !err.empty()) throw Error(source + ": " + err);
  OrgTree tree;
  const auto list = root["organizations"];
  try {
    for (std::size_t i = 0; i < list.size(); ++i) {
      OrgInfo o = parse_org(list[i], i, require_ip);
      if (tree.orgs_.contains(o.name)) throw Error("organization '" + o.name + "': defined twice");
      tree.insert(std::move(o));
    }
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  adopt_children(list, tree.orgs_, source);
  return tree;
}

std::string OrgTree::to_yaml() const {
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "organizations" << YAML::Value << YAML::BeginSeq;
  for (const auto& [name, o] : orgs_) {
    y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "kind" << YAML::Value << o.kind;
    if (!o.parent.empty()) y << YAML::Key << "parent" << YAML::Value << o.parent;
    std::vector<std::string> members;
    for (const auto& m : o.members)
      if (m.role == "member") members.push_back(m.id);
    for (const char* role : single_roles)
      if (auto id = o.holder(role); !id.empty()) y << YAML::Key << role << YAML::Value << id;
    if (!members.empty()) y << YAML::Key << "members" << YAML::Value << YAML::Flow << members;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

OrgTree OrgTree::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  // The platform's own file may hold organizations still being built (no
  // information provider yet).
  OrgTree tree = parse(text.str(), file.string(), false);
  if (auto err = tree.error(); !err.empty()) throw Error(file.string() + ": " + err);
  return tree;
}

void OrgTree::save(const std::filesystem::path& file) const { write_file_atomically(file, to_yaml()); }

}  // namespace watt::platform
