// The organizations of a platform and the rules that keep them a hierarchy:
// every parent exists and is of a kind above its child's (a DisCo above
// aggregators, aggregators above end-users), no cycles, an organization under
// one parent only, and one information provider per organization, which
// represents no other. Stored in $WATT_HOME/orgs.yml by the control service
// and read by the broker, which enforces the privacy they imply
// (org_access.hpp).
#pragma once

#include <watt/platform/org_types.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace watt::platform {

class OrgTree {
public:
  // Parses an organization file (docs/organizations.md). Throws watt::Error
  // naming `source`, the organization and the field at fault. With
  // `require_ip`, each organization must name its information provider.
  static OrgTree parse(const std::string& yaml, const std::string& source, bool require_ip = true);
  // A missing file is an empty tree.
  static OrgTree load(const std::filesystem::path& file);
  // Written atomically (temp, fsync, rename).
  void save(const std::filesystem::path& file) const;
  std::string to_yaml() const;

  // Each throws watt::Error naming the organization and what is wrong, and
  // changes nothing then.
  void create(const std::string& name, const std::string& kind, const std::string& parent);
  // A role of ip, pe or dms replaces that role's previous holder.
  void add(const std::string& name, const std::string& id, const std::string& role);
  // Refused while other organizations are under it.
  void remove(const std::string& name);
  void remove_member(const std::string& name, const std::string& id);
  // Each organization of `other` is created, or replaces the one of that
  // name; the result must hold together.
  void apply(const OrgTree& other);

  const OrgInfo* find(const std::string& name) const;
  const std::map<std::string, OrgInfo>& orgs() const noexcept { return orgs_; }
  std::vector<std::string> children(const std::string& name) const;
  // Why the tree does not hold together, or empty.
  std::string error() const;

private:
  OrgInfo& get(const std::string& name);
  void insert(OrgInfo org);  // checked alone

  std::map<std::string, OrgInfo> orgs_;
};

// Why a name or kind or role is refused, or empty.
std::string org_name_error(const std::string& name);
std::string org_kind_error(const std::string& kind);
std::string org_role_error(const std::string& role);

}  // namespace watt::platform
