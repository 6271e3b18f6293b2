// Who may read an organization's records back (docs/organizations.md,
// Privacy): the historian keeps org/<name>/... only for organizations it is
// a member of, and answers queries on them only to their members, as the
// broker would deliver them. Membership comes from the control service's
// `org_list`, read again after it announces a change (platform/orgs/changed).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace watt::historian {

class OrgGuard {
public:
  // From `org_list`'s answer: [{name, members: [{id, role}, …]}, …].
  void set(const nlohmann::json& orgs);
  bool known() const noexcept { return known_; }
  void forget() noexcept { known_ = false; }
  // Why `caller` may not read `topic` (or what a pattern names within one
  // organization), or empty. Topics outside org/ are anyone's.
  std::string refusal(const std::string& caller, std::string_view topic) const;
  static bool guarded(std::string_view topic) { return topic.starts_with("org/"); }

private:
  bool known_ = false;
  std::map<std::string, std::set<std::string>, std::less<>> members_;
};

}  // namespace watt::historian
