// Why a TLS connection to the broker fails, in OpenSSL's words ("certificate
// verify failed: unable to get local issuer certificate"). Paho reports only
// "TCP/TLS connect failure", and its own error callback is unusable in the
// version Debian 12 ships (it is handed a pointer that no longer exists), so
// after a failed TLS connect the bridge makes the same handshake once more
// here, with the same files, to say what went wrong.
#pragma once

#include <watt/mqtt/settings.hpp>

#include <chrono>
#include <string>

namespace watt::mqtt {

// Empty when the handshake succeeds (the failure was then not TLS's).
std::string tls_diagnosis(const std::string& url, const Tls& tls, std::chrono::milliseconds timeout);

}  // namespace watt::mqtt
