// The stream as Server-Sent Events (GET /api/events): each frame one
// `data:` line, with the same bounded queue as a WebSocket's.
#pragma once

#include "auth.hpp"
#include "context.hpp"

#include <watt/web/frame_queue.hpp>

#include <boost/beast/core.hpp>

#include <vector>

namespace watt::web {

class SseClient : public Connection, public StreamClient, public std::enable_shared_from_this<SseClient> {
public:
  SseClient(boost::beast::tcp_stream stream, std::shared_ptr<Context> ctx, Caller caller);
  ~SseClient() override;
  void start(const Request& req, const std::vector<std::string>& patterns, double rate);
  void deliver(std::string frame) override;
  void close() override;
  void recheck() override;

private:
  void watch();
  void write_next();
  void leave();

  boost::beast::tcp_stream stream_;
  std::shared_ptr<Context> ctx_;
  Caller caller_;
  FrameQueue queue_;
  std::string writing_;
  char sink_[512];
  bool busy_ = false;
  bool left_ = false;
};

}  // namespace watt::web
