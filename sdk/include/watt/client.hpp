// A connection to the bus for programs that are not agents: the command line,
// tests, benchmarks, bridges. Callbacks run inside spin_for/spin_until.
#pragma once

#include <watt/endpoint.hpp>
#include <watt/export.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace watt {

struct ClientOptions {
  std::string identity;  // must be unique on the bus
  std::string address;   // empty = default_address()
  std::chrono::milliseconds connect_timeout{5000};
  // For a platform on TCP (always CURVE): the platform's public key (`watt
  // keys` on its machine shows it) and this client's key file.
  std::string server_key;
  std::string key_file;
};

class WATT_EXPORT Client : public Endpoint {
public:
  // Connects and says hello; throws watt::Error if the broker refuses the
  // identity or does not answer within the timeout.
  explicit Client(ClientOptions options);
  // Makes sure the broker took everything sent, then leaves.
  ~Client();

  void spin_for(std::chrono::nanoseconds duration);
  // Runs callbacks until done() or the timeout; returns done().
  bool spin_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout);

private:
  std::unique_ptr<detail::Runtime> owned_;
};

}  // namespace watt
