#include "time_spec.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace watt::historian {
namespace {

constexpr std::int64_t second = 1'000'000'000;

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  throw std::invalid_argument(std::string(what) + ": '" + std::string(text) + "'");
}

// A non-negative decimal ("1", "1.5"); false when the text is not one.
bool parse_decimal(std::string_view s, double& out) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

std::int64_t to_ns(double value, double unit, std::string_view text) {
  const double ns = value * unit;
  if (ns >= 9.2e18 || ns <= -9.2e18) bad("out of range", text);
  return static_cast<std::int64_t>(std::llround(ns));
}

// Reads exactly n digits at s[pos]; advances pos.
int digits(std::string_view s, std::size_t& pos, std::size_t n, std::string_view text) {
  if (pos + n > s.size()) bad("not an ISO 8601 time", text);
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') bad("not an ISO 8601 time", text);
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

void expect(std::string_view s, std::size_t& pos, char c, std::string_view text) {
  if (pos >= s.size() || s[pos] != c) bad("not an ISO 8601 time", text);
  ++pos;
}

std::int64_t parse_iso(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const int y = digits(s, pos, 4, s);
  expect(s, pos, '-', s);
  const int mo = digits(s, pos, 2, s);
  expect(s, pos, '-', s);
  const int d = digits(s, pos, 2, s);
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) bad("no such date", s);
  std::int64_t ns = duration_cast<nanoseconds>(sys_days(date).time_since_epoch()).count();
  if (pos == s.size()) return ns;
  if (s[pos] != 'T' && s[pos] != ' ') bad("not an ISO 8601 time", s);
  ++pos;
  const int h = digits(s, pos, 2, s);
  expect(s, pos, ':', s);
  const int mi = digits(s, pos, 2, s);
  int sec = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    sec = digits(s, pos, 2, s);
  }
  if (h > 23 || mi > 59 || sec > 60) bad("no such time of day", s);
  ns += (static_cast<std::int64_t>(h) * 3600 + mi * 60 + sec) * second;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::int64_t scale = second / 10;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) bad("not an ISO 8601 time", s);
  }
  if (pos == s.size() || s.substr(pos) == "Z" || s.substr(pos) == "z") return ns;
  const char sign = s[pos];
  if (sign != '+' && sign != '-') bad("not an ISO 8601 time", s);
  ++pos;
  const int oh = digits(s, pos, 2, s);
  if (pos < s.size() && s[pos] == ':') ++pos;
  const int om = digits(s, pos, 2, s);
  if (pos != s.size()) bad("not an ISO 8601 time", s);
  const std::int64_t offset = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * second;
  return sign == '+' ? ns - offset : ns + offset;  // 10:00+01:00 is 09:00Z
}

}  // namespace

std::int64_t parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double ns;
  };
  // Longer suffixes first, so "ms" is not read as "m" + "s".
  static constexpr Unit units[] = {{"ns", 1},   {"us", 1e3},   {"ms", 1e6},    {"s", 1e9},
                                   {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}, {"w", 604800e9}};
  double unit = 1e9;
  std::string_view number = text;
  for (const auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      const char before = text[text.size() - u.suffix.size() - 1];
      if ((before >= '0' && before <= '9') || before == '.') {
        unit = u.ns;
        number = text.substr(0, text.size() - u.suffix.size());
        break;
      }
    }
  }
  double value = 0;
  if (!parse_decimal(number, value)) bad("not a duration (like 30s, 5m, 1h, 2d)", text);
  return to_ns(value, unit, text);
}

std::int64_t seconds_to_ns(double seconds) {
  if (!std::isfinite(seconds)) throw std::invalid_argument("not a finite number of seconds");
  return to_ns(seconds, 1e9, std::to_string(seconds));
}

std::int64_t parse_time(std::string_view text, std::int64_t now_ns) {
  if (text.empty()) bad("not a time", text);
  if (text.starts_with("now")) {
    const auto rest = text.substr(3);
    if (rest.empty()) return now_ns;
    if (rest.front() != '-' && rest.front() != '+') bad("not a time (like now-1h)", text);
    const std::int64_t d = parse_duration(rest.substr(1));
    return rest.front() == '-' ? now_ns - d : now_ns + d;
  }
  double seconds = 0;
  if (parse_decimal(text, seconds)) return to_ns(seconds, 1e9, text);
  return parse_iso(text);
}

std::string format_time(std::int64_t ns) {
  using namespace std::chrono;
  std::int64_t secs = ns / second;
  std::int64_t frac = ns % second;
  if (frac < 0) {
    frac += second;
    --secs;
  }
  const sys_seconds tp{seconds{secs}};
  const auto days = floor<std::chrono::days>(tp);
  const year_month_day ymd{days};
  const hh_mm_ss hms{tp - days};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (frac != 0) {
    n = std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string f(buf, static_cast<std::size_t>(n));
    while (f.size() > 4 && f.ends_with("000")) f.resize(f.size() - 3);
    out += f;
  }
  out += 'Z';
  return out;
}

}  // namespace watt::historian
