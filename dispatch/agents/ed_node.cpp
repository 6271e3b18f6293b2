// The ed-node agent library: EdNodeAgent (ed_node_agent.hpp) as a plugin.
#include "ed_node_agent.hpp"

WATT_AGENT(watt::ed::EdNodeAgent)
