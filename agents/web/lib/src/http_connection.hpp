// One accepted TCP connection while it speaks HTTP: reads a request (its
// header and body bounded, a slow sender timed out), answers it, and reads
// the next; or hands the socket on to a WebSocket or an event stream.
#pragma once

#include "context.hpp"
#include "http_util.hpp"

#include <boost/beast/core.hpp>

#include <memory>
#include <optional>

namespace watt::web {

class HttpConnection : public Connection, public std::enable_shared_from_this<HttpConnection> {
public:
  HttpConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<Context> ctx);
  ~HttpConnection() override;
  void start();
  void close() override;

private:
  void read();
  void on_read(boost::beast::error_code ec);
  void answer(Response res);
  void upgrade(Request req);
  void stream_events(Request req);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Context> ctx_;
  std::string remote_;
};

}  // namespace watt::web
