// DeviceCalls: RPCs answered when the device (or its timeout) says so.
#include "device_calls.hpp"

#include <chrono>

namespace watt::driver {

void DeviceCalls::run(Device& d, Reply reply, DeviceJob job, double timeout_s, Done done) {
  if (!d.worker) {
    auto r = job(*d.driver);
    if (done) done(r);
    reply.complete(std::move(r));
    return;
  }
  const auto ticket = ++next_ticket_;
  const auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(timeout_s));
  const auto timer = endpoint_.after(timeout, [this, ticket, name = d.config.name, timeout_s] {
    answer(ticket, RpcError{ErrorCode::handler_threw, name + ": no answer within " + std::to_string(timeout_s) + " s"});
  });
  waiting_.emplace(ticket, Waiting{d.config.name, std::move(reply), timer, std::move(done)});
  d.worker->submit([this, ticket, job = std::move(job), driver = d.driver] {
    auto r = job(*driver);
    endpoint_.post([this, ticket, r = std::move(r)]() mutable { answer(ticket, std::move(r)); });
  });
}

void DeviceCalls::answer(std::uint64_t ticket, Result<Value> result) {
  auto node = waiting_.extract(ticket);
  if (node.empty()) return;  // answered already: by its timeout, or abandoned
  auto& w = node.mapped();
  endpoint_.cancel(w.timer);
  if (w.done) w.done(result);
  w.reply.complete(std::move(result));
}

void DeviceCalls::abandon(const std::string& device, const std::string& why) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.device != device) {
      ++it;
      continue;
    }
    endpoint_.cancel(it->second.timer);
    it->second.reply.fail(ErrorCode::handler_threw, device + ": " + why);
    it = waiting_.erase(it);
  }
}

}  // namespace watt::driver
