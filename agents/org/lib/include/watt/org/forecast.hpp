// The prediction engine's forecasts (docs/organizations.md, Prediction
// engine): persistence, seasonal naive by day or by week, and additive
// Holt-Winters exponential smoothing, each with its backtest error so that
// methods can be compared on the same history. Gaps and short histories are
// handled and said: a forecast carries notes of what it did about them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace watt::org {

enum class Method { persistence, seasonal_day, seasonal_week, holt_winters };
const char* to_string(Method m) noexcept;
// "persistence", "seasonal-day", "seasonal-week", "holt-winters".
std::optional<Method> method_named(const std::string& name);

// A regular series: values[i] is at start_s + i * step_s; NaN is a gap.
struct History {
  std::int64_t start_s = 0;
  std::int64_t step_s = 3600;
  std::vector<double> values;
};

struct ForecastOptions {
  std::size_t horizon = 24;   // values forecast
  std::size_t backtests = 3;  // origins of the rolling backtest, one horizon apart
};

struct Forecast {
  Method method = Method::persistence;  // the method used (after any fallback)
  std::int64_t start_s = 0;             // the first forecast value's time
  std::vector<double> values;
  double mae = 0, mape = 0;  // backtest: mean absolute (percentage) error; NaN without one
  std::size_t backtest_points = 0;
  std::vector<std::string> notes;  // gaps filled, fallbacks taken, backtest skipped
};

// Throws std::invalid_argument for an empty history or one of gaps alone.
Forecast forecast(const History& h, Method m, const ForecastOptions& o = {});
// The method with the lowest backtest MAE among those the history can carry.
Forecast best_forecast(const History& h, const ForecastOptions& o = {});

// Gaps filled: inside one, linearly between its neighbours when shorter than
// `short_gap` steps, else by the value a day (24 steps) before where there is
// one; at the ends, by the nearest value. Returns how many were filled.
std::size_t fill_gaps(std::vector<double>& v, std::size_t short_gap = 3);

}  // namespace watt::org
