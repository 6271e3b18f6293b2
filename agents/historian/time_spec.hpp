// Times and durations as people write them in queries and on the command
// line. Times: "now", "now-1h", "now+30m", ISO 8601 ("2026-11-21",
// "2026-11-21T10:00:00Z", "2026-11-21T10:00:00.250+01:00"; no zone = UTC), or
// seconds since the epoch ("1763719200.5"). Durations: a number with a unit
// of ns, us, ms, s, m, h, d or w ("500ms", "5m", "1.5h"); a bare number is seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace watt::historian {

// Nanoseconds since the Unix epoch. Throws std::invalid_argument saying what
// is wrong with the text.
std::int64_t parse_time(std::string_view text, std::int64_t now_ns);
std::int64_t parse_duration(std::string_view text);
// Seconds (epoch seconds, or a duration) as nanoseconds; throws
// std::invalid_argument when not finite or out of range.
std::int64_t seconds_to_ns(double seconds);

// ISO 8601 in UTC: "2026-11-21T10:00:00Z", with as many fraction digits
// (3, 6 or 9) as the time needs.
std::string format_time(std::int64_t ns);

}  // namespace watt::historian
