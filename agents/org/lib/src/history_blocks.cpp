#include <watt/org/history_blocks.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace watt::org {

namespace {

constexpr std::size_t most_values = 100'000;  // in one block: a week of minutes is ten thousand

bool integer(const nlohmann::json& b, const char* key) { return !b.contains(key) || b[key].is_number_integer(); }

}  // namespace

History history_from_blocks(const nlohmann::json& reply, std::size_t max_points, std::int64_t latest_start_s,
                            std::size_t* skipped) {
  if (!reply.is_object() || !reply.contains("values") || !reply["values"].is_array())
    throw std::invalid_argument("the historian's answer has no values");
  struct Block {
    std::int64_t start, step;
    std::vector<double> values;
  };
  std::vector<Block> blocks;
  std::size_t bad = 0;
  for (const auto& row : reply["values"]) {
    const auto& b = row.is_array() && row.size() == 2 ? row[1] : nlohmann::json();
    if (!b.is_object() || !b.contains("start_s") || !integer(b, "start_s") || !integer(b, "step_s") ||
        !b.contains("values") || !b["values"].is_array() || b["values"].size() > most_values ||
        b["start_s"].get<std::int64_t>() > latest_start_s || b["start_s"].get<std::int64_t>() < 0) {
      ++bad;
      continue;
    }
    Block k{b["start_s"].get<std::int64_t>(), b.value("step_s", std::int64_t{3600}), {}};
    for (const auto& v : b["values"]) k.values.push_back(v.is_number() ? v.get<double>() : NAN);
    if (k.step <= 0 || k.step > 7 * 86400 || (!blocks.empty() && k.step != blocks.front().step)) {
      ++bad;
      continue;
    }
    blocks.push_back(std::move(k));
  }
  if (skipped != nullptr) *skipped = bad;
  History h;
  if (blocks.empty()) return h;
  h.step_s = blocks.front().step;
  std::int64_t first = std::numeric_limits<std::int64_t>::max(), end = std::numeric_limits<std::int64_t>::min();
  for (const auto& b : blocks) {
    first = std::min(first, b.start);
    end = std::max(end, b.start + static_cast<std::int64_t>(b.values.size()) * b.step);
  }
  // Only the latest max_points count.
  first = std::max(first, end - static_cast<std::int64_t>(max_points) * h.step_s);
  h.start_s = first;
  h.values.assign(static_cast<std::size_t>((end - first) / h.step_s), NAN);
  for (const auto& b : blocks)
    for (std::size_t i = 0; i < b.values.size(); ++i) {
      const std::int64_t at = b.start + static_cast<std::int64_t>(i) * b.step;
      if (at < first || (at - first) % h.step_s != 0) continue;
      // Newest first (the query's order): when blocks say the same hour
      // again, the newest word stands.
      auto& slot = h.values[static_cast<std::size_t>((at - first) / h.step_s)];
      if (std::isnan(slot)) slot = b.values[i];
    }
  return h;
}

}  // namespace watt::org
