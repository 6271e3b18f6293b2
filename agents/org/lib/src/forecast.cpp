#include <watt/org/forecast.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace watt::org {
namespace {

constexpr std::size_t day = 24, week = 168;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::size_t period_of(Method m) { return m == Method::seasonal_week ? week : day; }

// The shortest history each method can forecast from.
std::size_t needs(Method m) {
  switch (m) {
    case Method::persistence: return 1;
    case Method::seasonal_day: return day;
    case Method::seasonal_week: return week;
    case Method::holt_winters: return 2 * day;
  }
  return 1;
}

// One-step squared error of additive Holt-Winters with these smoothing
// factors; `out`, when given, receives the forecast after the last value.
double holt_winters(const std::vector<double>& x, double a, double b, double g, std::size_t horizon,
                    std::vector<double>* out) {
  const std::size_t m = day;
  double level = 0, next = 0;
  for (std::size_t i = 0; i < m; ++i) level += x[i] / static_cast<double>(m);
  for (std::size_t i = m; i < 2 * m; ++i) next += x[i] / static_cast<double>(m);
  double trend = (next - level) / static_cast<double>(m);
  std::vector<double> season(m);
  for (std::size_t i = 0; i < m; ++i) season[i] = x[i] - level;
  double sse = 0;
  for (std::size_t i = m; i < x.size(); ++i) {
    const double predicted = level + trend + season[i % m];
    sse += (x[i] - predicted) * (x[i] - predicted);
    const double last = level;
    level = a * (x[i] - season[i % m]) + (1 - a) * (level + trend);
    trend = b * (level - last) + (1 - b) * trend;
    season[i % m] = g * (x[i] - level) + (1 - g) * season[i % m];
  }
  if (out != nullptr)
    for (std::size_t h = 1; h <= horizon; ++h)
      out->push_back(level + static_cast<double>(h) * trend + season[(x.size() + h - 1) % m]);
  return sse;
}

// Forecast of a gap-free series by a method it is long enough for.
std::vector<double> predict(const std::vector<double>& x, Method m, std::size_t horizon) {
  std::vector<double> out;
  if (m == Method::persistence) {
    out.assign(horizon, x.back());
  } else if (m == Method::holt_winters) {
    // Smoothing factors by least one-step error over a coarse grid.
    double best = std::numeric_limits<double>::infinity(), ba = 0.5, bb = 0, bg = 0.1;
    for (double a : {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9})
      for (double b : {0.0, 0.01, 0.05, 0.1})
        for (double g : {0.05, 0.1, 0.2, 0.3, 0.5})
          if (const double e = holt_winters(x, a, b, g, 0, nullptr); e < best) {
            best = e;
            ba = a, bb = b, bg = g;
          }
    holt_winters(x, ba, bb, bg, horizon, &out);
  } else {
    const std::size_t p = period_of(m);
    for (std::size_t h = 0; h < horizon; ++h) out.push_back(x[x.size() - p + h % p]);
  }
  return out;
}

}  // namespace

const char* to_string(Method m) noexcept {
  switch (m) {
    case Method::persistence: return "persistence";
    case Method::seasonal_day: return "seasonal-day";
    case Method::seasonal_week: return "seasonal-week";
    case Method::holt_winters: return "holt-winters";
  }
  return "persistence";
}

std::optional<Method> method_named(const std::string& name) {
  for (Method m : {Method::persistence, Method::seasonal_day, Method::seasonal_week, Method::holt_winters})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

std::size_t fill_gaps(std::vector<double>& v, std::size_t short_gap) {
  std::size_t filled = 0;
  for (std::size_t i = 0; i < v.size();) {
    if (!std::isnan(v[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < v.size() && std::isnan(v[end])) ++end;
    const bool inside = i > 0 && end < v.size();
    for (std::size_t k = i; k < end; ++k) {
      if (inside && end - i < short_gap)
        v[k] = v[i - 1] + (v[end] - v[i - 1]) * static_cast<double>(k - i + 1) / static_cast<double>(end - i + 1);
      else if (k >= day && !std::isnan(v[k - day]))
        v[k] = v[k - day];
      else
        v[k] = i > 0 ? v[i - 1] : v[end];
    }
    filled += end - i;
    i = end;
  }
  return filled;
}

Forecast forecast(const History& h, Method m, const ForecastOptions& o) {
  if (std::all_of(h.values.begin(), h.values.end(), [](double v) { return std::isnan(v); }))
    throw std::invalid_argument("no values to forecast from (the history is empty or all gaps)");
  Forecast f;
  std::vector<double> x = h.values;
  if (const auto n = fill_gaps(x); n > 0)
    f.notes.push_back("filled " + std::to_string(n) + " of " + std::to_string(x.size()) + " values missing");
  f.method = m;
  for (Method fallback : {Method::holt_winters, Method::seasonal_week, Method::seasonal_day})
    if (f.method == fallback && x.size() < needs(fallback)) {
      f.method = x.size() >= day ? Method::seasonal_day : Method::persistence;
      f.notes.push_back(std::string(to_string(m)) + " needs " + std::to_string(needs(m)) + " values, the history has " +
                        std::to_string(x.size()) + ": " + to_string(f.method) + " instead");
    }
  f.values = predict(x, f.method, o.horizon);
  f.start_s = h.start_s + static_cast<std::int64_t>(x.size()) * h.step_s;
  // Rolling origin: forecast each of the last `backtests` horizons from what
  // came before it, against the values actually seen (not the filled ones).
  double abs_err = 0, pct_err = 0;
  std::size_t pct_points = 0;
  for (std::size_t b = 1; b <= o.backtests; ++b) {
    if (x.size() < b * o.horizon + needs(f.method)) break;
    const std::size_t cut = x.size() - b * o.horizon;
    const auto past = predict({x.begin(), x.begin() + static_cast<std::ptrdiff_t>(cut)}, f.method, o.horizon);
    for (std::size_t k = 0; k < o.horizon; ++k) {
      const double actual = h.values[cut + k];
      if (std::isnan(actual)) continue;
      abs_err += std::abs(past[k] - actual);
      ++f.backtest_points;
      if (std::abs(actual) > 1e-9) {
        pct_err += std::abs((past[k] - actual) / actual);
        ++pct_points;
      }
    }
  }
  f.mae = f.backtest_points > 0 ? abs_err / static_cast<double>(f.backtest_points) : nan;
  f.mape = pct_points > 0 ? 100.0 * pct_err / static_cast<double>(pct_points) : nan;
  if (f.backtest_points == 0) f.notes.push_back("too short a history to backtest");
  return f;
}

Forecast best_forecast(const History& h, const ForecastOptions& o) {
  std::optional<Forecast> best;
  for (Method m : {Method::persistence, Method::seasonal_day, Method::seasonal_week, Method::holt_winters}) {
    if (h.values.size() < needs(m) && m != Method::persistence) continue;
    auto f = forecast(h, m, o);
    if (f.method != m) continue;
    if (!best || (!std::isnan(f.mae) && (std::isnan(best->mae) || f.mae < best->mae))) best = std::move(f);
  }
  best->notes.push_back(std::string("chosen by backtest MAE: ") + to_string(best->method));
  return *best;
}

}  // namespace watt::org
