// The receiver's sequence check.
#include "framing/sequence.hpp"

namespace watt::serial {

SeqStatus SequenceTracker::observe(std::uint8_t seq) {
  if (!have_last_) {
    have_last_ = true;
    last_ = seq;
    return SeqStatus::first;
  }
  if (seq == last_) {
    ++duplicates_;
    return SeqStatus::duplicate;
  }
  const auto expected = static_cast<std::uint8_t>(last_ + 1);
  last_ = seq;
  if (seq == expected) return SeqStatus::in_order;
  gaps_ += static_cast<std::uint8_t>(seq - expected);  // mod 256
  return SeqStatus::gap;
}

}  // namespace watt::serial
