// One stored point: what the historian keeps for each value it hears, in the
// cache and in every back end alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace watt::historian {

struct Record {
  std::int64_t ts_ns = 0;  // the publisher's envelope timestamp
  std::string topic;       // one series: devices/campus/b1/ahu1/temp
  // The value's numeric view, for aggregation: numbers and booleans (1/0).
  std::optional<double> number;
  // The value's exact JSON text; absent for a float, which `number` already
  // holds exactly. So ints, booleans and strings come back as what they were.
  std::optional<std::string> json;
  // A JSON object describing the series (units, type…), when the message
  // carried one; the back end keeps the latest per topic.
  std::optional<std::string> metadata;
};

}  // namespace watt::historian
