// watt-node's log: one line per event on stderr, with the local time and the
// level, like the platform's agents write theirs.
#pragma once

#include <watt/ed/node_runner.hpp>

#include <string>

namespace watt::node {

using Level = ed::NodeRunner::Level;

void log_line(Level level, const std::string& line);

}  // namespace watt::node
