#include "owed_answers.hpp"

namespace watt::broker {

std::size_t OwedAnswers::expire(std::int64_t now_ns) {
  return std::erase_if(until_, [now_ns](const auto& kv) { return kv.second < now_ns; });
}

}  // namespace watt::broker
