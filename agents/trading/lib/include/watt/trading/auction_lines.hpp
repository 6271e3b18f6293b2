// An auction's log lines, worded as the paper's Figs. 6-8 print them: the
// scenarios played in time of their own and the bess agent on the bus write
// the same lines.
#pragma once

#include <watt/trading/auction.hpp>

#include <string>
#include <string_view>

namespace watt::trading::lines {

std::string number(double v);  // 12.5, 15, 0
std::string bess(const BessSettings& s);
std::string query(std::string_view from);
std::string bid(const BidMsg& b);
std::string rejected(std::string_view to, const RejectBidMsg& r);
std::string accepted(std::string_view to, const AcceptBidMsg& a);
std::string confirmed(std::string_view from);
std::string left(double percent);
std::string bows_out(std::string_view who);

}  // namespace watt::trading::lines
