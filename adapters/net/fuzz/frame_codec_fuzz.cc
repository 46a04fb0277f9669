// libFuzzer target: arbitrary bytes through the frame parser and, for every frame, the
// request parser and the codec, on a small road network. Nothing may crash, hang or leak, and
// the parser's answers must hold together: once bad it stays bad, a frame never exceeds the
// limit, and a frame encoded again parses back to itself.
//
// Built only with clang (adapters/net/CMakeLists.txt); run by .ci/fuzz.

#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/net/frame.h"
#include "adapters/proto/codec.h"
#include "engine/roads/road_graph.h"
#include "tests/support/codec_graph.h"

namespace baiying {
namespace {

constexpr std::size_t kMaxFrameBytes = 64 * 1024;

// Four places on a line, two of them named the way users type Tibetan county seats: the
// graph of the codec's unit tests.
const RoadGraph& Graph() {
  static const RoadGraph* graph = [] {
    Result<RoadGraph> built = testing::BuildCodecGraph();
    if (!built.ok()) std::abort();
    return new RoadGraph(std::move(*built));
  }();
  return *graph;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace
}  // namespace baiying

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Invalid UTF-8 in a string field is an expected, refused input: keep protobuf's log quiet.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using baiying::FrameParser;
  const baiying::RoadGraph& graph = baiying::Graph();
  const baiying::Instant received_at{std::chrono::milliseconds(1'750'000'000'000)};

  // The first byte picks how the input is cut into feeds, so that splits are explored too.
  const std::size_t chunk = size > 0 ? 1 + data[0] % 17 : 1;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  FrameParser parser(baiying::kMaxFrameBytes);
  std::string payload, error;
  bool was_bad = false;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    parser.Feed(input.substr(at, chunk));
    for (;;) {
      const FrameParser::Outcome outcome = parser.Next(&payload, &error);
      if (outcome == FrameParser::Outcome::kNeedMore) break;
      if (outcome == FrameParser::Outcome::kBad) {
        baiying::Check(!error.empty());
        was_bad = true;
        break;
      }
      baiying::Check(!was_bad);
      baiying::Check(!payload.empty() && payload.size() <= baiying::kMaxFrameBytes);

      FrameParser again(baiying::kMaxFrameBytes);
      again.Feed(baiying::EncodeFrame(payload));
      std::string same;
      baiying::Check(again.Next(&same, nullptr) == FrameParser::Outcome::kFrame && same == payload);

      baiying::Result<baiying::v1::Request> request = baiying::ParseRequest(payload);
      if (!request.ok()) {
        baiying::Check(!request.status().message().empty());
        continue;
      }
      switch (baiying::KindOf(*request)) {
        case baiying::BodyKind::kCommand: {
          auto command = baiying::DecodeCommand(*request, graph, received_at);
          if (!command.ok()) baiying::Check(!command.status().message().empty());
          break;
        }
        case baiying::BodyKind::kQuery:
          (void)baiying::DecodeQuery(*request).ok();
          break;
        case baiying::BodyKind::kSubscribe:
          (void)baiying::DecodeSubscribe(*request).ok();
          break;
        case baiying::BodyKind::kEndDrill:
          (void)baiying::CheckDrillId(*request).ok();
          break;
        case baiying::BodyKind::kMissing:
          baiying::Check(!baiying::DecodeCommand(*request, graph, received_at).ok());
          break;
      }
      baiying::v1::Reply reply =
          baiying::ErrorReply(request->correlation_id(), baiying::Status::InvalidArgument("x"));
      baiying::Check(reply.code() == baiying::v1::INVALID_ARGUMENT);
    }
    if (was_bad) {
      baiying::Check(parser.Next(&payload, &error) == FrameParser::Outcome::kBad);
      break;
    }
  }
  return 0;
}
