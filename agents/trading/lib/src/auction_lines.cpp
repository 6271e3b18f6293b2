#include <watt/trading/auction_lines.hpp>

#include <sstream>

namespace watt::trading::lines {

std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

std::string bess(const BessSettings& s) {
  return "BESS ID: " + s.id + " Total Energy: " + number(s.total_kwh) + " kWh " + number(s.percent_for_sale) +
         " % is for sale, reserve price: " + number(s.reserve_cents) + " cents/kWh";
}

std::string query(std::string_view from) { return "received QUERY message from " + std::string(from); }

std::string bid(const BidMsg& b) {
  return "received BID message from " + b.from + ": " + number(b.price_cents) + " cents/kWh";
}

std::string rejected(std::string_view to, const RejectBidMsg& r) {
  // The paper's wording is for a bid below the reserve; other reasons say theirs.
  const char* head = r.reason == "below_reserve" ? "Bid too low, REJECTED: " : "Bid REJECTED: ";
  return head + number(r.price_cents) + " cents/kWh (" + r.reason + ", " + std::string(to) + ")";
}

std::string accepted(std::string_view to, const AcceptBidMsg& a) {
  return "Bid ACCEPTED: " + number(a.price_cents) + " cents/kWh. Highest bidder ID: " + std::string(to);
}

std::string confirmed(std::string_view from) { return "received BID CONFIRMED message from " + std::string(from); }

std::string left(double percent) { return "Percentage for sale left = " + number(percent); }

std::string bows_out(std::string_view who) { return "aggregator " + std::string(who) + " bows out"; }

}  // namespace watt::trading::lines
