// RPCs on devices, answered when the device has answered: inline for a driver
// that does not block, else from the device's worker, the agent's thread
// serving everything else meanwhile. A call waits here (with its Reply) until
// the worker's answer is posted back or its timeout passes, whichever is first.
#pragma once

#include "device.hpp"
#include "device_rpc.hpp"

#include <watt/endpoint.hpp>
#include <watt/reply.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace watt::driver {

class DeviceCalls {
public:
  // Told the answer (on the agent's thread) just before the caller is.
  using Done = std::function<void(const Result<Value>&)>;

  explicit DeviceCalls(Endpoint& endpoint) : endpoint_(endpoint) {}
  DeviceCalls(const DeviceCalls&) = delete;
  DeviceCalls& operator=(const DeviceCalls&) = delete;

  void run(Device& d, Reply reply, DeviceJob job, double timeout_s, Done done = {});
  // Answers every call still waiting on `device` with `why` (it is stopping).
  void abandon(const std::string& device, const std::string& why);
  std::size_t waiting() const noexcept { return waiting_.size(); }

private:
  struct Waiting {
    std::string device;
    Reply reply;
    TimerId timer = 0;
    Done done;
  };
  void answer(std::uint64_t ticket, Result<Value> result);

  Endpoint& endpoint_;
  std::map<std::uint64_t, Waiting> waiting_;
  std::uint64_t next_ticket_ = 0;
};

}  // namespace watt::driver
