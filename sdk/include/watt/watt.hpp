// Everything an agent author needs: #include <watt/watt.hpp>.
#pragma once

#include <watt/agent.hpp>
#include <watt/call.hpp>
#include <watt/client.hpp>
#include <watt/clock.hpp>
#include <watt/endpoint.hpp>
#include <watt/envelope.hpp>
#include <watt/error.hpp>
#include <watt/paths.hpp>
#include <watt/plugin.hpp>
#include <watt/reply.hpp>
#include <watt/topic.hpp>
#include <watt/value.hpp>
