#pragma once
// Frames on the wire: a 4-byte big-endian length, then that many bytes of payload (one
// serialized baiying.v1 message). The parser is pure: bytes in, frames out, no sockets, so
// that it is tested and fuzzed on its own.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace baiying {

inline constexpr std::size_t kFrameHeaderBytes = 4;

// Splits a byte stream into frames. Feed() whatever arrived, then call Next() until it says
// kNeedMore. A declared length of zero or above the limit makes the stream bad for good: the
// length prefix cannot be trusted any more, so nothing after it can be read (the connection
// should get an error reply and be closed).
//
// Not thread-safe: one parser per connection, used by one coroutine.
class FrameParser {
 public:
  // Precondition: 0 < max_frame_bytes <= 0xFFFFFFFF (the largest length the prefix can say).
  explicit FrameParser(std::size_t max_frame_bytes);

  // Appends bytes to what is waiting to be parsed. Bytes fed after the stream went bad are
  // dropped.
  void Feed(std::span<const std::byte> bytes);
  void Feed(std::string_view bytes);

  enum class Outcome : std::uint8_t {
    kFrame,     // *payload holds the next frame's payload
    kNeedMore,  // no whole frame yet
    kBad,       // *error says why (declared size and limit); every later call says kBad again
  };
  Outcome Next(std::string* payload, std::string* error);

  // Bytes fed and not yet returned in a frame (including a partial header).
  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }
  std::size_t max_frame_bytes() const { return max_frame_bytes_; }
  bool bad() const { return !error_.empty(); }

 private:
  std::size_t max_frame_bytes_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes at the front of buffer_ already returned
  std::string error_;         // set once the stream is bad
};

// The frame carrying `payload`: its 4-byte big-endian length, then the payload.
// Precondition: payload.size() <= 0xFFFFFFFF.
std::string EncodeFrame(std::string_view payload);

}  // namespace baiying
