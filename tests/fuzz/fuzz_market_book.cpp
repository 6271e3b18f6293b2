// Seed 001's market book (docs/der.md, The book) driven by any sequence of
// offers, bilateral contracts, clearings, readings and settlements: each
// is taken or refused with a MarketError saying why, nothing else escapes,
// and after every step both settlements still balance to the unit.
#include "fuzz.hpp"

#include <watt/der/market_book.hpp>

#include <string>

namespace {

using namespace watt::der;

// Reads the input a few bytes at a time; past its end, zeros.
struct Reader {
  const std::uint8_t* data;
  std::size_t size, at = 0;
  std::uint32_t next(int bytes) {
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | (at < size ? data[at++] : 0U);
    return v;
  }
  bool done() const { return at >= size; }
};

const std::string names[] = {"A", "B", "C", "dso", "Z"};  // the DSO and a stranger too

Offers offers(Reader& r, const std::string& who) {
  Offers o;
  for (auto n = r.next(1) % 4; n > 0; --n) {
    // Energy may be 0 and the name another's: the book must refuse them.
    const auto& name = r.next(1) % 8 == 0 ? names[r.next(1) % 5] : who;
    Offer x{name, static_cast<Wh>(r.next(2)), static_cast<PriceCc>(r.next(2)) - 100};
    (r.next(1) % 2 ? o.bids : o.asks).push_back(x);
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r{data, size};
  MarketBook book({{3000, 2800, 3400, 2600}, {800, 800, 900, 700}, 100, 0.25}, {"A", "B", "C"});
  while (!r.done()) {
    const auto op = r.next(1) % 7;
    const auto& who = names[r.next(1) % 5];
    const int interval = static_cast<int>(r.next(1) % 6) - 1;  // -1 and 4, 5: not in the day
    try {
      switch (op) {
        case 0: {
          std::vector<Offers> day;
          for (auto n = r.next(1) % 6; n > 0; --n) day.push_back(offers(r, who));
          book.offer_day_ahead(who, day);
          break;
        }
        case 1:
          book.report_bilateral(who, {names[r.next(1) % 5], names[r.next(1) % 5], interval, static_cast<Wh>(r.next(2)),
                                      static_cast<PriceCc>(r.next(2))});
          break;
        case 2: book.clear_day_ahead(); break;
        case 3: book.offer_real_time(who, interval, offers(r, who)); break;
        case 4: book.clear_real_time(interval); break;
        case 5: book.meter(who, interval, static_cast<Wh>(r.next(2)) - 32768); break;
        default: book.settle(interval); break;
      }
    } catch (const MarketError& e) {
      WATT_FUZZ_CHECK(*e.what() != '\0');
    } catch (const ClearingError& e) {
      WATT_FUZZ_CHECK(*e.what() != '\0');
    }
    WATT_FUZZ_CHECK(book.balance(Settlement::day_ahead) == 0);
    WATT_FUZZ_CHECK(book.balance(Settlement::real_time) == 0);
  }
  return 0;
}
