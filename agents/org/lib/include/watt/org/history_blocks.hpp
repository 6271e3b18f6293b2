// The prediction engine's history from the historian: the blocks a member
// measured (SeriesBlock, stored as JSON maps) laid on one regular grid, with
// gaps where no block says anything.
#pragma once

#include <watt/org/forecast.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace watt::org {

// `reply` is the historian's query answer ({topic, values: [[time, block],
// …]}), newest first. Blocks that are not blocks (a start or step not an
// integer, a step of more than a week, more than 100,000 values), that start
// after `latest_start_s` (the future: they would move the window off what was
// measured) or of another step than the newest one's are skipped and counted
// in `skipped`; at most `max_points` of the latest values are kept. Throws
// std::invalid_argument for a reply without values.
History history_from_blocks(const nlohmann::json& reply, std::size_t max_points, std::int64_t latest_start_s,
                            std::size_t* skipped = nullptr);

}  // namespace watt::org
