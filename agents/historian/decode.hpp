// From a bus message to the records the historian stores:
//  - devices/<path>/all with a body {point: value, …}, or [{point: value, …},
//    {point: {metadata…}, …}] (VOLTTRON's shape), becomes one record per
//    point on devices/<path>/<point>;
//  - devices/<path>/<point> with VOLTTRON's depth-first body [value,
//    {metadata…}] is skipped: the same point comes in its device's `all`;
//  - a scalar body (number, boolean, string, nil) is stored as it is;
//  - any other body (a map, an array) is stored as its JSON text.
// What cannot be stored (a NaN, an over-long value, a point name that is no
// topic segment, a body that does not decode) is refused one value at a time
// with a reason; everything else in the same message is still stored.
#pragma once

#include "record.hpp"

#include <watt/envelope.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace watt::historian {

struct Rejection {
  std::string topic;
  std::string reason;
};

struct DecodeLimits {
  std::size_t max_value_bytes = 64 * 1024;  // of one value's JSON text
};

// Appends to `records` and `rejected`; never throws for bad input.
void decode(const Envelope& message, const DecodeLimits& limits, std::vector<Record>& records,
            std::vector<Rejection>& rejected);

// True for devices/…/all: the topics whose map body is split into points.
bool is_all_topic(std::string_view topic) noexcept;

}  // namespace watt::historian
