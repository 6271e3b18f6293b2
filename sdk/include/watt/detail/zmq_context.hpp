// The process-wide ZeroMQ context, for the platform's in-process services
// (inproc:// only connects sockets of one context). Not agent API.
#pragma once

#include <watt/export.hpp>

#include <zmq.hpp>

namespace watt::detail {
WATT_EXPORT zmq::context_t& zmq_context();
}
