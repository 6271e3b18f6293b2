// The container's own port, for the runtime of its own identity on the I/O
// thread: it reads the shared connection, keeps what is for the container,
// and hands the rest to the mux (batches taken apart first, since one frame
// may hold messages for several agents). When the container joins or loses
// the platform, its agents hear it through the mux.
#pragma once

#include "../port.hpp"
#include "mux.hpp"
#include "shared_connection.hpp"

#include <deque>
#include <memory>

namespace watt::detail {

class ContainerPort final : public Port {
public:
  explicit ContainerPort(Mux& mux) : mux_(mux) {}

  void open(const std::string& address, const std::string& identity, const CurveKeys* curve) override;
  void close(int linger_ms) override;
  bool is_open() const noexcept override { return connection_ != nullptr; }
  bool hosted() const noexcept override { return false; }
  void send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) override;
  bool try_receive(Incoming& out, std::string& error) override;
  LinkEvent next_event() override;
  void wait(Clock::time_point deadline) override;
  void wake() noexcept override;

  // For the hosted agents' ports; null until open().
  SharedConnection* connection() noexcept { return connection_.get(); }

private:
  // Routes one message (a batch's items one by one); what is the
  // container's own is kept for try_receive. Returns an error text.
  std::string take(Incoming& in);

  Mux& mux_;
  std::string identity_;
  std::unique_ptr<SharedConnection> connection_;
  std::deque<Incoming> own_;
};

}  // namespace watt::detail
