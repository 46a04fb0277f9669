// The frame parser without sockets: whole frames, frames cut at every byte, several frames in
// one feed, and the bad streams (zero length, oversize, garbage) that must stay bad.

#include "adapters/net/frame.h"

#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace baiying {
namespace {

using Outcome = FrameParser::Outcome;

// Every frame the parser gives for `stream` fed in pieces of `chunk` bytes, stopping at the
// first bad outcome (then *bad_error is set).
std::vector<std::string> Frames(std::size_t max_frame, const std::string& stream, std::size_t chunk,
                                std::string* bad_error = nullptr) {
  FrameParser parser(max_frame);
  std::vector<std::string> frames;
  std::string payload, error;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    parser.Feed(std::string_view(stream).substr(at, chunk));
    for (;;) {
      const Outcome outcome = parser.Next(&payload, &error);
      if (outcome == Outcome::kFrame) {
        frames.push_back(payload);
        continue;
      }
      if (outcome == Outcome::kBad) {
        if (bad_error != nullptr) *bad_error = error;
        return frames;
      }
      break;
    }
  }
  return frames;
}

std::string Header(std::uint32_t n) {
  std::string h(4, '\0');
  h[0] = static_cast<char>(n >> 24);
  h[1] = static_cast<char>((n >> 16) & 0xFF);
  h[2] = static_cast<char>((n >> 8) & 0xFF);
  h[3] = static_cast<char>(n & 0xFF);
  return h;
}

TEST_CASE("frame: EncodeFrame writes a big-endian length and the payload") {
  const std::string frame = EncodeFrame("abc");
  CHECK(frame == std::string("\0\0\0\3abc", 7));
  const std::string big = EncodeFrame(std::string(0x010203, 'x'));
  CHECK(big.substr(0, 4) == std::string("\0\x01\x02\x03", 4));
  CHECK(big.size() == 4 + 0x010203);
}

TEST_CASE("frame: a whole frame in one feed, then need more") {
  FrameParser parser(1024);
  std::string payload, error;
  CHECK(parser.Next(&payload, &error) == Outcome::kNeedMore);
  parser.Feed(EncodeFrame("hello"));
  REQUIRE(parser.Next(&payload, &error) == Outcome::kFrame);
  CHECK(payload == "hello");
  CHECK(parser.Next(&payload, &error) == Outcome::kNeedMore);
  CHECK(parser.buffered_bytes() == 0);
  CHECK_FALSE(parser.bad());
}

TEST_CASE("frame: bytes as std::byte span") {
  FrameParser parser(16);
  const std::string frame = EncodeFrame("xy");
  parser.Feed(std::as_bytes(std::span<const char>(frame.data(), frame.size())));
  std::string payload, error;
  REQUIRE(parser.Next(&payload, &error) == Outcome::kFrame);
  CHECK(payload == "xy");
}

TEST_CASE("frame: split at every byte boundary") {
  const std::string a = "first payload", b(300, 'B'), c = std::string("\0\x01\xff", 3);
  const std::string stream = EncodeFrame(a) + EncodeFrame(b) + EncodeFrame(c);
  // Two feeds, cut at every position.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameParser parser(1024);
    std::vector<std::string> frames;
    std::string payload, error;
    for (const std::string& piece : {stream.substr(0, cut), stream.substr(cut)}) {
      parser.Feed(piece);
      while (parser.Next(&payload, &error) == Outcome::kFrame)
        frames.push_back(payload);
    }
    CAPTURE(cut);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0] == a);
    CHECK(frames[1] == b);
    CHECK(frames[2] == c);
    CHECK_FALSE(parser.bad());
  }
  // Every chunk size, including one byte at a time.
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    CAPTURE(chunk);
    CHECK(Frames(1024, stream, chunk) == std::vector<std::string>{a, b, c});
  }
}

TEST_CASE("frame: several frames in one feed, and a partial one kept for later") {
  std::string stream;
  std::vector<std::string> expected;
  for (int i = 1; i <= 50; ++i) {
    expected.push_back(std::string(static_cast<std::size_t>(i), static_cast<char>('a' + i % 26)));
    stream += EncodeFrame(expected.back());
  }
  const std::string tail = EncodeFrame("tail");
  FrameParser parser(64);
  parser.Feed(stream + tail.substr(0, 6));
  std::vector<std::string> got;
  std::string payload, error;
  while (parser.Next(&payload, &error) == Outcome::kFrame)
    got.push_back(payload);
  CHECK(got == expected);
  CHECK(parser.buffered_bytes() == 6);
  parser.Feed(tail.substr(6));
  REQUIRE(parser.Next(&payload, &error) == Outcome::kFrame);
  CHECK(payload == "tail");
}

TEST_CASE("frame: a frame of exactly the limit is good, one byte more is bad") {
  CHECK(Frames(100, EncodeFrame(std::string(100, 'x')), 7).size() == 1);

  std::string error;
  CHECK(Frames(100, EncodeFrame(std::string(101, 'x')), 7, &error).empty());
  CHECK(error.find("101") != std::string::npos);
  CHECK(error.find("100") != std::string::npos);
}

TEST_CASE("frame: oversize is bad as soon as the header is in, and names both sizes") {
  FrameParser parser(1 << 20);
  parser.Feed(Header(0xFFFFFFFFu).substr(0, 3));
  std::string payload, error;
  CHECK(parser.Next(&payload, &error) == Outcome::kNeedMore);
  parser.Feed(Header(0xFFFFFFFFu).substr(3));
  REQUIRE(parser.Next(&payload, &error) == Outcome::kBad);
  CHECK(error.find("4294967295") != std::string::npos);
  CHECK(error.find("1048576") != std::string::npos);
  CHECK(parser.bad());
}

TEST_CASE("frame: zero length is bad and names the declared size and the limit") {
  FrameParser parser(512);
  parser.Feed(EncodeFrame("ok") + Header(0) + EncodeFrame("never read"));
  std::string payload, error;
  REQUIRE(parser.Next(&payload, &error) == Outcome::kFrame);
  CHECK(payload == "ok");
  REQUIRE(parser.Next(&payload, &error) == Outcome::kBad);
  CHECK(error.find("length 0") != std::string::npos);
  CHECK(error.find("512") != std::string::npos);
}

TEST_CASE("frame: after bad, the parser stays bad whatever comes") {
  FrameParser parser(8);
  parser.Feed(Header(9) + "123456789");
  std::string payload, error, again;
  REQUIRE(parser.Next(&payload, &error) == Outcome::kBad);
  parser.Feed(EncodeFrame("fine"));
  CHECK(parser.Next(&payload, &again) == Outcome::kBad);
  CHECK(again == error);
  CHECK(parser.Next(&payload, nullptr) == Outcome::kBad);
  CHECK(parser.buffered_bytes() == 0);
}

TEST_CASE("frame: garbage is bad or incomplete, never a frame beyond the limit") {
  // Text where a header should be: "GET " declares 0x47455420 bytes.
  std::string error;
  CHECK(Frames(1 << 16, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5, &error).empty());
  CHECK(error.find(std::to_string(0x47455420u)) != std::string::npos);

  // Pseudo-random bytes, many seeds and chunk sizes: every frame within the limit, and once bad
  // nothing more comes out.
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int round = 0; round < 200; ++round) {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      // Mostly small header bytes, so that some declared lengths fit the limit.
      const auto r = static_cast<unsigned>(state >> 56);
      bytes.push_back(static_cast<char>(r < 200 ? r % 3 : r));
    }
    for (std::size_t chunk : {1u, 3u, 64u, 300u}) {
      FrameParser parser(64);
      std::string payload;
      bool bad = false;
      for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        parser.Feed(std::string_view(bytes).substr(at, chunk));
        for (;;) {
          const Outcome outcome = parser.Next(&payload, &error);
          if (outcome == Outcome::kNeedMore) break;
          if (outcome == Outcome::kBad) {
            bad = true;
            break;
          }
          REQUIRE_FALSE(bad);
          REQUIRE(!payload.empty());
          REQUIRE(payload.size() <= 64);
        }
      }
      if (bad) CHECK(parser.Next(&payload, &error) == Outcome::kBad);
    }
  }
}

}  // namespace
}  // namespace baiying
