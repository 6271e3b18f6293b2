// Sequence numbers, one counter per direction: the sender stamps, the
// receiver notices frames it never got (gaps) and frames it got twice.
#pragma once

#include <cstdint>

namespace watt::serial {

// The sender's side: 0, 1, ..., 255, 0, ...
class SequenceCounter {
public:
  std::uint8_t next() { return next_++; }

private:
  std::uint8_t next_ = 0;
};

enum class SeqStatus : std::uint8_t {
  first,      // the first frame seen, or a hello: nothing to compare with
  in_order,   // exactly one more than the previous frame
  gap,        // frames were missed in between (counted in gaps)
  duplicate,  // the same number as the previous frame (counted in duplicates)
};

// The receiver's side. A serial line never reorders, so any number other
// than the previous one and the next expected one means frames were lost;
// the count of lost frames is exact while fewer than 256 are lost in a row.
class SequenceTracker {
public:
  SeqStatus observe(std::uint8_t seq);
  // Forget the previous number: the next frame counts as first. A hello does
  // this, because the other side may have restarted its counter.
  void restart() { have_last_ = false; }

  std::uint64_t gaps() const { return gaps_; }
  std::uint64_t duplicates() const { return duplicates_; }

private:
  bool have_last_ = false;
  std::uint8_t last_ = 0;
  std::uint64_t gaps_ = 0;
  std::uint64_t duplicates_ = 0;
};

}  // namespace watt::serial
