// Waveform parsing and evaluation (see waveform.hpp).
#include "waveform.hpp"

#include "registry.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace watt::driver {

double Waveform::at(double t_s) const {
  switch (kind) {
    case Kind::constant: return a;
    case Kind::sine: return b + a * std::sin(2 * std::numbers::pi * t_s / period_s);
    case Kind::ramp: {
      const double phase = std::fmod(t_s, period_s) / period_s;
      return a + (b - a) * (phase < 0 ? phase + 1 : phase);
    }
  }
  return a;
}

std::optional<Waveform> parse_waveform(std::string_view text, std::string& error) {
  const auto t = lower(trim(text));
  if (t.empty()) return std::nullopt;
  const auto open = t.find('(');
  if (open == std::string::npos || t.back() != ')') {
    error = "Waveform '" + std::string(text) +
            "' must look like sine(period_s, amplitude, offset), "
            "ramp(period_s, low, high) or constant(value)";
    return std::nullopt;
  }
  const auto name = trim(t.substr(0, open));
  std::vector<double> args;
  std::string inner = t.substr(open + 1, t.size() - open - 2);
  std::size_t start = 0;
  while (start <= inner.size() && !trim(inner).empty()) {
    const auto comma = inner.find(',', start);
    const auto piece = inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto v = parse_number(piece);
    if (!v) {
      error = "Waveform '" + std::string(text) + "': '" + trim(piece) + "' is not a number";
      return std::nullopt;
    }
    args.push_back(*v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  Waveform w;
  const auto want = [&](std::size_t n) {
    if (args.size() == n) return true;
    error = "Waveform '" + std::string(text) + "': " + name + " takes " + std::to_string(n) + " numbers";
    return false;
  };
  if (name == "constant") {
    if (!want(1)) return std::nullopt;
    w.a = args[0];
    return w;
  }
  if (name == "sine" || name == "ramp") {
    if (!want(3)) return std::nullopt;
    if (args[0] <= 0) {
      error = "Waveform '" + std::string(text) + "': the period must be above zero";
      return std::nullopt;
    }
    w.kind = name == "sine" ? Waveform::Kind::sine : Waveform::Kind::ramp;
    w.period_s = args[0];
    w.a = args[1];
    w.b = args[2];
    return w;
  }
  error = "Waveform '" + std::string(text) + "': unknown waveform '" + name + "' (sine, ramp, constant)";
  return std::nullopt;
}

}  // namespace watt::driver
