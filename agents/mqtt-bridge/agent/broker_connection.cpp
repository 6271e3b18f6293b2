#include "broker_connection.hpp"

#include <chrono>
#include <utility>

namespace watt::mqtt {

using namespace std::chrono_literals;

BrokerConnection::BrokerConnection(Endpoint& bus, Backoff backoff, std::string who)
    : bus_(bus), backoff_(backoff), who_(std::move(who)) {}

BrokerConnection::~BrokerConnection() { close(); }

void BrokerConnection::open(const BrokerSettings& broker, LinkEvents events) {
  retry_.reset();
  // Only the current client's events count: a retired one may still tell of
  // messages it can no longer deliver, or of a loss already dealt with.
  const auto generation = ++generation_;
  link_ = std::make_unique<Link>(broker, std::move(events),
                                 [this, alive = std::weak_ptr<int>(alive_), generation](auto fn) {
                                   bus_.post([this, alive, generation, fn = std::move(fn)] {
                                     if (!alive.expired() && generation == generation_) fn();
                                   });
                                 });
  link_->connect();
}

std::string BrokerConnection::down(bool was_up, const std::string& url, const std::string& why,
                                   std::function<void()> again) {
  ++generation_;
  retired_.push_back(std::move(link_));
  bus_.after(2s, [this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired() && !retired_.empty()) retired_.pop_front();
  });
  const auto wait = backoff_.delay(attempts_++, std::uniform_real_distribution<double>(0, 1)(random_));
  const auto said =
      (was_up ? "lost " : "cannot reach ") + url + ": " + why + "; again in " + std::to_string(wait.count()) + " ms";
  if (was_up || attempts_ == 1 || limiter_.count("down")) bus_.log().warn("{}{}", who_, said);
  retry_ = bus_.after(wait, [this, alive = std::weak_ptr<int>(alive_), again = std::move(again)] {
    if (alive.expired()) return;
    retry_.reset();
    again();
  });
  return said;
}

void BrokerConnection::close() {
  ++generation_;
  if (retry_) bus_.cancel(*retry_);
  retry_.reset();
  link_.reset();
  retired_.clear();
  attempts_ = 0;
}

}  // namespace watt::mqtt
