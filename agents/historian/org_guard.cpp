#include "org_guard.hpp"

namespace watt::historian {

void OrgGuard::set(const nlohmann::json& orgs) {
  members_.clear();
  for (const auto& o : orgs) {
    auto& ids = members_[o.value("name", std::string())];
    for (const auto& m : o.value("members", nlohmann::json::array())) ids.insert(m.value("id", std::string()));
  }
  known_ = true;
}

std::string OrgGuard::refusal(const std::string& caller, std::string_view topic) const {
  if (!guarded(topic)) return {};
  auto org = topic.substr(4);
  org = org.substr(0, org.find('/'));
  if (org == "+" || org == "#") return {};  // a pattern spanning organizations: filtered, not refused
  const auto it = members_.find(org);
  if (it == members_.end() || !it->second.contains(caller))
    return "'" + caller + "' is not a member of organization '" + std::string(org) + "', whose records these are";
  return {};
}

}  // namespace watt::historian
