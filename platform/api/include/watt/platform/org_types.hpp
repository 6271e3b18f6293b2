// An organization of agents as the control RPC carries it (docs/organizations.md):
// its name, kind, parent and members with their roles. Shared by the service,
// the broker and the `watt` command line.
#pragma once

#include <msgpack.hpp>

#include <string>
#include <vector>

namespace watt::platform {

// The roles an agent holds in an organization. The information provider is
// its only gateway to other organizations; the prediction engine and the
// decision-making system are its private members, like any `member`.
inline constexpr const char* org_roles[] = {"ip", "pe", "dms", "member"};
// The kinds, from the top of a hierarchy down: a parent is always of a kind
// above its children's.
inline constexpr const char* org_kinds[] = {"disco", "aggregator", "end-user"};

struct OrgMember {
  std::string id;    // the agent's identity on the bus
  std::string role;  // ip | pe | dms | member
  MSGPACK_DEFINE_MAP(id, role)
};

struct OrgInfo {
  std::string name;
  std::string kind;    // disco | aggregator | end-user
  std::string parent;  // empty at the top
  std::vector<OrgMember> members;
  MSGPACK_DEFINE_MAP(name, kind, parent, members)

  // The identity holding a single role (ip, pe, dms), or empty.
  std::string holder(const std::string& role) const {
    for (const auto& m : members)
      if (m.role == role) return m.id;
    return {};
  }
};

}  // namespace watt::platform
