// The fake driver's optional waveforms: constant, sine(period_s, amplitude,
// offset), ramp(period_s, low, high) — a value as a function of time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace watt::driver {

struct Waveform {
  enum class Kind { constant, sine, ramp } kind = Kind::constant;
  double period_s = 0;
  double a = 0;  // sine: amplitude; ramp: low; constant: the value
  double b = 0;  // sine: offset;   ramp: high

  double at(double t_s) const;
};

// Empty text → nullopt (the point holds its starting value). Anything that is
// not one of the forms above → an error message in `error`.
std::optional<Waveform> parse_waveform(std::string_view text, std::string& error);

}  // namespace watt::driver
