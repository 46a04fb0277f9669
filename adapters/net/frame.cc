#include "adapters/net/frame.h"

#include <cassert>
#include <limits>

namespace baiying {
namespace {

[[maybe_unused]] constexpr std::size_t kLargestDeclarable =
    std::numeric_limits<std::uint32_t>::max();

// Compact the buffer once the consumed prefix is both large and most of it, so that a long
// stream of small frames costs amortized O(1) per byte.
constexpr std::size_t kCompactAfterBytes = 64 * 1024;

}  // namespace

FrameParser::FrameParser(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
  assert(max_frame_bytes > 0 && max_frame_bytes <= kLargestDeclarable);
}

void FrameParser::Feed(std::span<const std::byte> bytes) {
  Feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void FrameParser::Feed(std::string_view bytes) {
  if (bad()) return;
  if (consumed_ > 0 && (consumed_ == buffer_.size() ||
                        (consumed_ >= kCompactAfterBytes && consumed_ * 2 >= buffer_.size()))) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

FrameParser::Outcome FrameParser::Next(std::string* payload, std::string* error) {
  if (bad()) {
    if (error != nullptr) *error = error_;
    return Outcome::kBad;
  }
  if (buffered_bytes() < kFrameHeaderBytes) return Outcome::kNeedMore;

  const auto* header = reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
  const std::uint32_t declared = (std::uint32_t{header[0]} << 24) |
                                 (std::uint32_t{header[1]} << 16) |
                                 (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
  if (declared == 0) {
    error_ = "bad frame: declared length 0 (a frame carries at least 1 byte, at most " +
             std::to_string(max_frame_bytes_) + ")";
  } else if (declared > max_frame_bytes_) {
    error_ = "bad frame: declared length " + std::to_string(declared) +
             " bytes exceeds the limit of " + std::to_string(max_frame_bytes_) + " bytes";
  }
  if (bad()) {
    buffer_.clear();
    consumed_ = 0;
    if (error != nullptr) *error = error_;
    return Outcome::kBad;
  }

  if (buffered_bytes() - kFrameHeaderBytes < declared) return Outcome::kNeedMore;
  payload->assign(buffer_, consumed_ + kFrameHeaderBytes, declared);
  consumed_ += kFrameHeaderBytes + declared;
  return Outcome::kFrame;
}

std::string EncodeFrame(std::string_view payload) {
  assert(payload.size() <= kLargestDeclarable);
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  frame.push_back(static_cast<char>((n >> 24) & 0xFF));
  frame.push_back(static_cast<char>((n >> 16) & 0xFF));
  frame.push_back(static_cast<char>((n >> 8) & 0xFF));
  frame.push_back(static_cast<char>(n & 0xFF));
  frame.append(payload);
  return frame;
}

}  // namespace baiying
