// What organizations mean on the bus (docs/organizations.md, Privacy), as the
// broker enforces it for every peer, trusted local ones included:
//   org/<name>/inbox/<from>/...  an exchange topic: published only by the
//                                information provider of <from>, read only by
//                                that of <name>;
//   org/<name>/in/..., record/...  published by the IP of <name> alone (what
//                                came from outside, and the records), read by
//                                its members;
//   org/<name>/...               anything else: members of <name> alone.
// Topics under org/ that name no organization are refused.
#pragma once

#include <watt/platform/org_tree.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace watt::platform {

class OrgAccess {
public:
  OrgAccess() = default;
  explicit OrgAccess(const OrgTree& tree);

  // Why `identity` may not publish to `topic`, or empty.
  std::string publish_error(std::string_view identity, std::string_view topic) const;
  // Why it may not subscribe to `pattern`, or empty. A pattern that spans
  // organizations (org/+/..., #) is allowed: what it matches is filtered as
  // it is delivered, by may_read.
  std::string subscribe_error(std::string_view identity, std::string_view pattern) const;
  bool may_read(std::string_view identity, std::string_view topic) const;
  // Who may read a private topic (its organization's members, or its IP for
  // the inbox); empty for a topic of no organization. Looked up once per
  // message by the broker, which delivers to a connection when it carries
  // one of them: a container's agents share one connection, and what reaches
  // it is theirs to share (one trust domain, as their shared memory makes
  // them anyway).
  const std::vector<std::string>& readers(std::string_view topic) const;

  static bool private_topic(std::string_view topic) { return topic.starts_with("org/"); }

private:
  struct Org {
    std::vector<std::string> members;  // every role
    std::vector<std::string> ip;       // the one who reads its inbox (none while it has no IP)
  };
  const Org* find(std::string_view org) const;
  bool member(std::string_view identity, std::string_view org) const;
  std::string_view represents(std::string_view identity) const;  // the organization it is the IP of

  std::unordered_map<std::string, Org> orgs_;
  std::unordered_map<std::string, std::string> ip_of_;  // identity -> organization
};

}  // namespace watt::platform
