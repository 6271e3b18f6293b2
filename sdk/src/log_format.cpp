#include <watt/log_format.hpp>

#include <spdlog/pattern_formatter.h>

#include <memory>

namespace watt {
namespace {

template <class Out>
void append_escaped(std::string_view text, Out&& append) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      append(&c, 1);
      continue;
    }
    char esc[4] = {'\\', 'x', hex[u >> 4], hex[u & 0xf]};
    std::size_t n = 4;
    if (c == '\n' || c == '\r' || c == '\t') {
      esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
      n = 2;
    }
    append(esc, n);
  }
}

// %* : the message, escaped.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    append_escaped({msg.payload.data(), msg.payload.size()},
                   [&dest](const char* p, std::size_t n) { dest.append(p, p + n); });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

}  // namespace

void set_log_format(spdlog::logger& logger) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedMessage>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %*");
  logger.set_formatter(std::move(formatter));
}

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(text, [&out](const char* p, std::size_t n) { out.append(p, n); });
  return out;
}

}  // namespace watt
