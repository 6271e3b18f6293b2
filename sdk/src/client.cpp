// Client: an Endpoint for programs that are not agents.
#include "runtime.hpp"

#include <watt/client.hpp>
#include <watt/paths.hpp>

namespace watt {
namespace {
std::unique_ptr<detail::Runtime> connect_runtime(const ClientOptions& o) {
  if (o.identity.empty()) throw Error("Client: an identity is required");
  auto rt = std::make_unique<detail::Runtime>(o.identity, o.address.empty() ? default_address() : o.address);
  if (!o.server_key.empty()) rt->set_curve(detail::curve_keys(o.server_key, o.key_file));
  rt->connect(o.connect_timeout);
  return rt;
}
}  // namespace

Client::Client(ClientOptions options) : Endpoint(nullptr), owned_(connect_runtime(options)) { rt_ = owned_.get(); }

Client::~Client() {
  try {
    owned_->leave();
  } catch (const std::exception& e) {
    owned_->log().warn(std::string("leaving the bus failed: ") + e.what());
  }
}

void Client::spin_for(std::chrono::nanoseconds duration) { owned_->spin_until({}, detail::Clock::now() + duration); }

bool Client::spin_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout) {
  return owned_->spin_until(done, detail::Clock::now() + timeout);
}

}  // namespace watt
