// The methods the broker itself answers, as the peer "broker": `stats` for
// anyone, and `reload_auth` and `reload_orgs` for trusted local peers (the
// control service calls them after `watt auth …` changed the allow-list file,
// and `watt org …` the organizations).
#pragma once

#include "allow_list.hpp"
#include "broker_config.hpp"
#include "peer_table.hpp"
#include "subscription_index.hpp"

#include <watt/platform/broker_stats.hpp>
#include <watt/platform/org_access.hpp>
#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <functional>
#include <string>

namespace watt::broker {

class OwnMethods {
public:
  struct Answer {
    proto::Kind kind = proto::Kind::response;  // or error
    std::uint64_t id = 0;
    std::string code, message;  // of an error
    std::string body;
    // Its header: views into this answer.
    proto::Header header() const {
      proto::Header h;
      h.id = id;
      h.code = code;
      h.message = message;
      return h;
    }
  };

  OwnMethods(const BrokerConfig& config, AllowList& allow, platform::OrgAccess& orgs, PeerTable& peers,
             SubscriptionIndex& subscriptions, BrokerStats& stats)
      : config_(config), allow_(allow), orgs_(orgs), peers_(peers), subscriptions_(subscriptions), stats_(stats) {}

  Answer serve(const Peer& caller, const proto::Header& request);
  // Runs once the allow-list was reread.
  void on_reload(std::function<void()> handler) { on_reload_ = std::move(handler); }

private:
  Answer reload_auth(const proto::Header& request);
  Answer reload_orgs(const proto::Header& request);
  Answer stats(const proto::Header& request);

  const BrokerConfig& config_;
  AllowList& allow_;
  platform::OrgAccess& orgs_;
  PeerTable& peers_;
  SubscriptionIndex& subscriptions_;
  BrokerStats& stats_;
  std::function<void()> on_reload_;
};

}  // namespace watt::broker
