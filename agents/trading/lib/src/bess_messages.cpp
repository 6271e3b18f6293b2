#include <watt/trading/bess_messages.hpp>

namespace watt::trading {

using std::chrono::milliseconds;

const std::array<MsgSpec, msg_types>& msg_specs() {
  static const std::array<MsgSpec, msg_types> specs{{
      {MsgType::register_participant, "Register", "register", 80, milliseconds(5000), 122, 60, true},
      {MsgType::query, "Query", "query", 70, milliseconds(3000), 122, 10, true},
      {MsgType::response, "Response", "response", 15, milliseconds(500), 124, 0, false},
      {MsgType::bid, "Bid", "bid", 10, milliseconds(500), 122, 0, false},
      {MsgType::accept_bid, "Accept Bid", "accept_bid", 5, milliseconds(500), 125, 0, false},
      {MsgType::bid_confirmation, "Bid Confirmation", "bid_confirmation", 5, milliseconds(500), 125, 0, false},
      {MsgType::reject_bid, "Reject Bid", "reject_bid", 50, milliseconds(1000), 123, 0, false},
      {MsgType::terminate, "Terminate", "terminate", 10, milliseconds(400), 123, 0, false},
      {MsgType::device_failure, "Device Failure", "device_failure", 0, milliseconds(200), 122, 0, false},
      {MsgType::bess_status, "BESS Status", "bess_status", 60, milliseconds(2000), 128, 5, false},
  }};
  return specs;
}

const MsgSpec& spec(MsgType t) { return msg_specs()[static_cast<std::size_t>(t)]; }

std::optional<MsgType> msg_type_named(std::string_view topic_level) {
  for (const auto& s : msg_specs())
    if (s.topic == topic_level) return s.type;
  return std::nullopt;
}

std::string group_topic(std::string_view market, MsgType t) {
  return "trading/" + std::string(market) + "/group/" + std::string(spec(t).topic);
}

std::optional<MsgType> type_of_topic(std::string_view market, std::string_view topic) {
  const std::string prefix = "trading/" + std::string(market) + "/";
  if (topic.substr(0, prefix.size()) != prefix) return std::nullopt;
  return msg_type_named(topic.substr(topic.rfind('/') + 1));
}

std::string unicast_topic(std::string_view market, std::string_view to, MsgType t) {
  std::string topic = "trading/";
  topic += market;
  topic += "/to/";
  topic += to;
  topic += '/';
  topic += spec(t).topic;
  return topic;
}

std::string_view to_string(RejectReason r) noexcept {
  switch (r) {
    case RejectReason::below_reserve: return "below_reserve";
    case RejectReason::outbid: return "outbid";
    case RejectReason::sold_out: return "sold_out";
    case RejectReason::closed: return "closed";
    case RejectReason::not_enough_energy: return "not_enough_energy";
    case RejectReason::invalid: return "invalid";
  }
  return "closed";
}

}  // namespace watt::trading
