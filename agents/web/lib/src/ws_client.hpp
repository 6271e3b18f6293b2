// A page's one WebSocket: it subscribes and unsubscribes to patterns (each at
// its own rate) and follows agents' logs, all over this one connection, with
// JSON text messages (docs/web.md, The stream). What goes out waits in a
// bounded queue: a page that stops reading loses frames, counted and told,
// and holds up nothing else.
#pragma once

#include "auth.hpp"
#include "context.hpp"

#include <watt/web/frame_queue.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace watt::web {

class WsClient : public Connection, public StreamClient, public std::enable_shared_from_this<WsClient> {
public:
  WsClient(boost::beast::tcp_stream stream, std::shared_ptr<Context> ctx, Caller caller);
  ~WsClient() override;
  void start(Request req);
  void deliver(std::string frame) override;
  void close() override;
  void recheck() override;

private:
  void read();
  void handle(const std::string& text);
  void write_next();
  void error(const std::string& op, const std::string& message);
  void leave();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<Context> ctx_;
  Caller caller_;
  FrameQueue queue_;
  std::string writing_;
  bool busy_ = false;
  bool open_ = false;
  bool left_ = false;
};

}  // namespace watt::web
