// What the trading agents read from outside: the first byte picks the reader
// (h an aggregator's trading history, JSON; m a message body, msgpack, as
// the type the second byte picks; a a BESS's auction driven by a stream of
// bids, ticks and confirmations). The readers accept or throw their own
// errors; the auction keeps its rules whatever it is sent: nothing below
// the reserve is accepted, one winner at a time, and no more sold than was
// for sale.
#include "fuzz.hpp"

#include <watt/trading/aggregator_plan.hpp>
#include <watt/trading/auction.hpp>

#include <watt/value.hpp>

#include <cmath>
#include <cstring>
#include <string>

namespace {

using namespace watt::trading;

void history(const std::string& text) {
  try {
    const auto h = TradingHistory::parse(text);
    const auto again = TradingHistory::parse(h.dump());
    WATT_FUZZ_CHECK(again.trades().size() == h.trades().size());
  } catch (const HistoryError& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
}

// As the Link reads a body: through the SDK's Value, whose unpacking is
// bounded (depth, elements, bytes); whatever does not fit is watt::Error.
template <class M>
void decode(const std::string& bytes) {
  try {
    const auto m = watt::Value::from_msgpack(bytes).template as<M>();
    (void)watt::Value::of(m).template as<M>();
  } catch (const watt::Error& e) {
    WATT_FUZZ_CHECK(*e.what() != '\0');
  }
}

void message(std::uint8_t type, const std::string& bytes) {
  switch (type % msg_types) {
    case 0: return decode<RegisterMsg>(bytes);
    case 1: return decode<QueryMsg>(bytes);
    case 2: return decode<ResponseMsg>(bytes);
    case 3: return decode<BidMsg>(bytes);
    case 4: return decode<AcceptBidMsg>(bytes);
    case 5: return decode<BidConfirmationMsg>(bytes);
    case 6: return decode<RejectBidMsg>(bytes);
    case 7: return decode<TerminateMsg>(bytes);
    case 8: return decode<DeviceFailureMsg>(bytes);
    default: return decode<BessStatusMsg>(bytes);
  }
}

// Three bytes an event: what (bid, tick, confirm, or a bid of any two
// doubles taken from the next 16 bytes: NaN, infinities, negatives), who
// (one of four bidders), and a price (0-25.5 c/kWh) or a time step
// (0-2,550 ms).
void auction(const std::uint8_t* data, std::size_t size) {
  const BessSettings s{"b", 13.5, 50, 12.5, 230, Ms{1000}, Ms{2000}};
  BessAuction a(s);
  Ms now{0};
  std::optional<AcceptBidMsg> pending;
  std::string winner;
  std::uint64_t sales = 0;
  const auto check = [&](const BessAuction::Out& out) {
    for (const auto& [to, r] : out.rejects) WATT_FUZZ_CHECK(!r.reason.empty());
    if (out.accept) {
      WATT_FUZZ_CHECK(std::isfinite(out.accept->second.price_cents) &&
                      out.accept->second.price_cents >= s.reserve_cents);
      WATT_FUZZ_CHECK(out.accept->second.energy_kwh > 0 &&
                      out.accept->second.energy_kwh <= a.energy_for_sale_kwh() + 1e-9);
      pending = out.accept->second;
      winner = out.accept->first;
    }
    if (!out.terminates.empty()) pending.reset();
  };
  for (std::size_t i = 0; i + 2 < size; i += 3) {
    const std::string who(1, static_cast<char>('w' + data[i + 1] % 4));
    switch (data[i] % 4) {
      case 0: check(a.bid({who, 0, static_cast<double>(1 + data[i + 1] % 8), data[i + 2] / 10.0, 0}, now)); break;
      case 3: {
        if (i + 3 + 16 > size) break;
        double energy = 0, price = 0;
        std::memcpy(&energy, data + i + 3, 8);
        std::memcpy(&price, data + i + 11, 8);
        check(a.bid({who, 0, energy, price, 0}, now));
        i += 16;
        break;
      }
      case 1:
        now += Ms{data[i + 2] * 10};
        check(a.tick(now));
        break;
      default: {
        const bool sold = a.confirm({who, pending ? pending->auction : data[i + 2]});
        WATT_FUZZ_CHECK(!sold || (pending && who == winner));
        if (sold) {
          ++sales;
          pending.reset();
        }
      }
    }
    WATT_FUZZ_CHECK(a.percent_left() >= 0 && a.percent_left() <= s.percent_for_sale);
  }
  WATT_FUZZ_CHECK(sales == 0 || a.sold_to().has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const char reader = static_cast<char>(data[0]);
  if (reader == 'm') {
    message(data[1], std::string(watt::fuzz::text(data + 2, size - 2)));
  } else if (reader == 'a') {
    auction(data + 1, size - 1);
  } else {
    history(std::string(watt::fuzz::text(data + 1, size - 1)));
  }
  return 0;
}
