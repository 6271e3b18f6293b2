#include <watt/platform/org_tree.hpp>

#include <watt/error.hpp>
#include <watt/identity.hpp>

#include <algorithm>
#include <set>

namespace watt::platform {
namespace {

template <std::size_t N>
bool listed(const char* const (&list)[N], const std::string& s) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* x) { return s == x; });
}

template <std::size_t N>
std::string joined(const char* const (&list)[N]) {
  std::string out;
  for (const char* x : list) out += (out.empty() ? "" : ", ") + std::string(x);
  return out;
}

int rank(const std::string& kind) {
  for (int i = 0; i < 3; ++i)
    if (kind == org_kinds[i]) return i;
  return -1;
}

bool single_role(const std::string& role) { return role != "member"; }

// A cycle among parents, or where a parent is missing or not above its child.
std::string parent_error(const std::map<std::string, OrgInfo>& orgs, const OrgInfo& o) {
  if (o.parent.empty()) return {};
  const auto p = orgs.find(o.parent);
  if (p == orgs.end()) return "organization '" + o.name + "': parent '" + o.parent + "' does not exist";
  std::set<std::string> seen{o.name};
  for (auto q = p; q != orgs.end() && !q->second.parent.empty(); q = orgs.find(q->second.parent))
    if (!seen.insert(q->first).second)
      return "organization '" + o.name + "': parent: a cycle through '" + q->first + "'";
  if (rank(p->second.kind) >= rank(o.kind))
    return "organization '" + o.name + "': parent '" + o.parent + "' is " + p->second.kind + ", which cannot hold " +
           (o.kind == "aggregator" ? "an " : "a ") + o.kind + " (a disco holds aggregators, an aggregator end-users)";
  return {};
}

}  // namespace

std::string org_name_error(const std::string& name) {
  if (auto err = identity_error(name); !err.empty()) return err;
  if (name.find(':') != std::string::npos || name.find('@') != std::string::npos)
    return "'" + name + "' has ':' or '@', which an organization's name may not";
  return {};
}

std::string org_kind_error(const std::string& kind) {
  return listed(org_kinds, kind) ? std::string() : "unknown kind '" + kind + "' (known: " + joined(org_kinds) + ")";
}

std::string org_role_error(const std::string& role) {
  return listed(org_roles, role) ? std::string() : "unknown role '" + role + "' (known: " + joined(org_roles) + ")";
}

const OrgInfo* OrgTree::find(const std::string& name) const {
  const auto it = orgs_.find(name);
  return it == orgs_.end() ? nullptr : &it->second;
}

OrgInfo& OrgTree::get(const std::string& name) {
  const auto it = orgs_.find(name);
  if (it == orgs_.end()) throw Error("no organization '" + name + "'");
  return it->second;
}

std::vector<std::string> OrgTree::children(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, o] : orgs_)
    if (o.parent == name) out.push_back(n);
  return out;
}

std::string OrgTree::error() const {
  std::map<std::string, std::string> ip_of;  // identity -> the organization it represents
  for (const auto& [name, o] : orgs_) {
    if (auto err = parent_error(orgs_, o); !err.empty()) return err;
    std::set<std::string> roles;
    for (const auto& m : o.members) {
      if (single_role(m.role) && !roles.insert(m.role).second)
        return "organization '" + name + "': more than one " + m.role;
      if (m.role != "ip") continue;
      if (auto [it, fresh] = ip_of.emplace(m.id, name); !fresh)
        return "organization '" + name + "': '" + m.id + "' is already the ip of '" + it->second +
               "' (an information provider speaks for one organization)";
    }
  }
  return {};
}

void OrgTree::insert(OrgInfo org) {
  const std::string at = "organization '" + org.name + "': ";
  if (auto err = org_name_error(org.name); !err.empty()) throw Error(at + "name: " + err);
  if (auto err = org_kind_error(org.kind); !err.empty()) throw Error(at + "kind: " + err);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& m : org.members) {
    if (auto err = identity_error(m.id); !err.empty()) throw Error(at + m.role + ": " + err);
    if (auto err = org_role_error(m.role); !err.empty()) throw Error(at + "role: " + err);
    if (!seen.emplace(m.id, m.role).second) throw Error(at + "'" + m.id + "' is listed twice as " + m.role);
  }
  orgs_[org.name] = std::move(org);
}

void OrgTree::create(const std::string& name, const std::string& kind, const std::string& parent) {
  if (orgs_.contains(name)) throw Error("organization '" + name + "' exists");
  OrgTree next = *this;
  next.insert(OrgInfo{name, kind, parent, {}});
  if (auto err = next.error(); !err.empty()) throw Error(err);
  *this = std::move(next);
}

void OrgTree::add(const std::string& name, const std::string& id, const std::string& role) {
  OrgTree next = *this;
  OrgInfo org = next.get(name);
  for (const auto& [other, o] : orgs_)
    if (role == "ip" && other != name && o.holder("ip") == id)
      throw Error("organization '" + name + "': '" + id + "' is already the ip of '" + other +
                  "' (an information provider speaks for one organization)");
  if (single_role(role)) std::erase_if(org.members, [&](const OrgMember& m) { return m.role == role; });
  std::erase_if(org.members, [&](const OrgMember& m) { return m.id == id && m.role == role; });
  org.members.push_back({id, role});
  next.insert(std::move(org));
  if (auto err = next.error(); !err.empty()) throw Error(err);
  *this = std::move(next);
}

void OrgTree::remove(const std::string& name) {
  get(name);
  if (const auto kids = children(name); !kids.empty())
    throw Error("organization '" + name + "' still holds '" + kids.front() + "'" +
                (kids.size() > 1 ? " and " + std::to_string(kids.size() - 1) + " more" : std::string()) +
                "; remove them first");
  orgs_.erase(name);
}

void OrgTree::remove_member(const std::string& name, const std::string& id) {
  auto& org = get(name);
  if (std::erase_if(org.members, [&](const OrgMember& m) { return m.id == id; }) == 0)
    throw Error("'" + id + "' is not a member of organization '" + name + "'");
}

void OrgTree::apply(const OrgTree& other) {
  OrgTree next = *this;
  for (const auto& [name, o] : other.orgs_) next.orgs_[name] = o;
  if (auto err = next.error(); !err.empty()) throw Error(err);
  *this = std::move(next);
}

}  // namespace watt::platform
