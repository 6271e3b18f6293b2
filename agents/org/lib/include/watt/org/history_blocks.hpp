// The prediction engine's history from the historian: the blocks a member
// measured (SeriesBlock, stored as JSON maps) laid on one regular grid, with
// gaps where no block says anything.
#pragma once

#include <watt/org/forecast.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace watt::org {

// `reply` is the historian's query answer ({topic, values: [[time, block],
// …]}), newest first. Blocks of another step than the first's are skipped and counted in
// `skipped`; at most `max_points` of the latest values are kept. Throws
// std::invalid_argument for a reply without values.
History history_from_blocks(const nlohmann::json& reply, std::size_t max_points, std::size_t* skipped = nullptr);

}  // namespace watt::org
