// Seed 000's messages between battery storage systems (BESS) and aggregators
// (its Tables I-III; docs/trading.md, BESS auctions): each type with its
// priority (0 most urgent, as Watt's envelope counts), its maximum delay
// (sent as the envelope's deadline), its size and its rate, and the body each
// carries as a msgpack map.
//
// Topics, for a market named M (the last level is always the type):
//   trading/M/group/<type>                multicast: Register, Query
//   trading/M/to/<participant>/<type>     unicast: everything else
#pragma once

#include <msgpack.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace watt::trading {

enum class MsgType : std::uint8_t {
  register_participant,
  query,
  response,
  bid,
  accept_bid,
  bid_confirmation,
  reject_bid,
  terminate,
  device_failure,
  bess_status,
};
inline constexpr std::size_t msg_types = 10;

struct MsgSpec {
  MsgType type;
  std::string_view name;                // as Table I names it: "Accept Bid"
  std::string_view topic;               // its last topic level: "accept_bid"
  std::uint8_t priority;                // Table II: 0 (most urgent) .. 100
  std::chrono::milliseconds max_delay;  // Table II
  std::uint16_t size_bytes;             // Table III
  double period_s;                      // Table III; 0: sent when needed
  bool multicast;                       // on the group topic (Table I)
};

// Tables I-III, in Table I's order (examples/bess-auction/trading_messages.json
// holds the same, and the tests compare them).
const std::array<MsgSpec, msg_types>& msg_specs();
const MsgSpec& spec(MsgType t);
std::optional<MsgType> msg_type_named(std::string_view topic_level);

std::string group_topic(std::string_view market, MsgType t);
std::string unicast_topic(std::string_view market, std::string_view to, MsgType t);
// The type a topic of market M carries; nullopt for any other topic.
std::optional<MsgType> type_of_topic(std::string_view market, std::string_view topic);

// Why a bid was rejected.
// invalid: a price or energy that is not a positive, finite number.
enum class RejectReason : std::uint8_t { below_reserve, outbid, sold_out, closed, not_enough_energy, invalid };
std::string_view to_string(RejectReason r) noexcept;

struct RegisterMsg {
  std::string from, role;  // role: "bess" or "aggregator"
  MSGPACK_DEFINE_MAP(from, role)
};
struct QueryMsg {
  std::string from;
  double required_kwh = 0;
  MSGPACK_DEFINE_MAP(from, required_kwh)
};
struct ResponseMsg {  // Table III: total energy and percentage for sale
  std::string from;
  double total_kwh = 0, percent_for_sale = 0;
  MSGPACK_DEFINE_MAP(from, total_kwh, percent_for_sale)
};
struct BidMsg {
  std::string from;
  std::uint64_t auction = 0;
  double energy_kwh = 0, price_cents = 0;
  std::uint32_t timeout_ms = 0;
  MSGPACK_DEFINE_MAP(from, auction, energy_kwh, price_cents, timeout_ms)
};
struct AcceptBidMsg {
  std::string from;
  std::uint64_t auction = 0;
  double energy_kwh = 0, price_cents = 0;
  MSGPACK_DEFINE_MAP(from, auction, energy_kwh, price_cents)
};
struct BidConfirmationMsg {
  std::string from;
  std::uint64_t auction = 0;
  MSGPACK_DEFINE_MAP(from, auction)
};
struct RejectBidMsg {
  std::string from;
  std::uint64_t auction = 0;
  double price_cents = 0;
  std::string reason;  // to_string(RejectReason)
  MSGPACK_DEFINE_MAP(from, auction, price_cents, reason)
};
struct TerminateMsg {
  std::string from;
  std::uint64_t auction = 0;
  std::string reason;
  MSGPACK_DEFINE_MAP(from, auction, reason)
};
struct DeviceFailureMsg {
  std::string from, fault;
  MSGPACK_DEFINE_MAP(from, fault)
};
struct BessStatusMsg {
  std::string from;
  double total_kwh = 0, percent_for_sale = 0, voltage = 0;
  MSGPACK_DEFINE_MAP(from, total_kwh, percent_for_sale, voltage)
};

}  // namespace watt::trading
