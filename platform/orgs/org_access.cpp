#include <watt/platform/org_access.hpp>

#include <algorithm>
#include <array>

namespace watt::platform {
namespace {

// The first `n` levels of a topic or pattern; missing ones are empty.
template <std::size_t N>
std::array<std::string_view, N> levels(std::string_view topic) {
  std::array<std::string_view, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    const auto slash = topic.find('/');
    out[i] = topic.substr(0, slash);
    if (slash == std::string_view::npos) break;
    topic.remove_prefix(slash + 1);
  }
  return out;
}

bool wildcard(std::string_view level) { return level == "+" || level == "#"; }

}  // namespace

OrgAccess::OrgAccess(const OrgTree& tree) {
  for (const auto& [name, o] : tree.orgs()) {
    auto& org = orgs_[name];
    for (const auto& m : o.members) {
      org.members.push_back(m.id);
      if (m.role != "ip") continue;
      org.ip.push_back(m.id);
      ip_of_[m.id] = name;
    }
  }
}

const OrgAccess::Org* OrgAccess::find(std::string_view org) const {
  const auto it = orgs_.find(std::string(org));
  return it == orgs_.end() ? nullptr : &it->second;
}

bool OrgAccess::member(std::string_view identity, std::string_view org) const {
  const auto* o = find(org);
  return o != nullptr && std::find(o->members.begin(), o->members.end(), identity) != o->members.end();
}

std::string_view OrgAccess::represents(std::string_view identity) const {
  const auto it = ip_of_.find(std::string(identity));
  return it == ip_of_.end() ? std::string_view() : std::string_view(it->second);
}

const std::vector<std::string>& OrgAccess::readers(std::string_view topic) const {
  static const std::vector<std::string> nobody;
  const auto [root, org, area] = levels<3>(topic);
  const auto* o = find(org);
  return o == nullptr ? nobody : area == "inbox" ? o->ip : o->members;
}

bool OrgAccess::may_read(std::string_view identity, std::string_view topic) const {
  if (!private_topic(topic)) return true;
  const auto& r = readers(topic);
  return std::find(r.begin(), r.end(), identity) != r.end();
}

std::string OrgAccess::publish_error(std::string_view identity, std::string_view topic) const {
  if (!private_topic(topic)) return {};
  const auto [root, org, area, from] = levels<4>(topic);
  if (find(org) == nullptr) return "no organization '" + std::string(org) + "'";
  // What came in from other organizations, and the records for the
  // historian, are the IP's word alone.
  if (area == "in" || area == "record")
    return represents(identity) == org
               ? std::string()
               : "only the information provider of '" + std::string(org) + "' writes its " + std::string(area) + "/";
  if (area != "inbox")
    return member(identity, org) ? std::string() : "it is not a member of organization '" + std::string(org) + "'";
  const auto own = represents(identity);
  if (own.empty()) return "only an organization's information provider may write to another's inbox";
  if (from != own)
    return "it writes for '" + std::string(own) + "', so under org/" + std::string(org) + "/inbox/" + std::string(own) +
           "/";
  return {};
}

std::string OrgAccess::subscribe_error(std::string_view identity, std::string_view pattern) const {
  if (pattern != "org" && !private_topic(pattern)) return {};
  const auto [root, org, area] = levels<3>(pattern);
  if (org.empty() || wildcard(org)) return {};
  if (area == "inbox" && represents(identity) != org)
    return "only the information provider of '" + std::string(org) + "' reads its inbox";
  if (area != "inbox" && !member(identity, org)) return "it is not a member of organization '" + std::string(org) + "'";
  return {};
}

}  // namespace watt::platform
