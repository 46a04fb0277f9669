#pragma once
// The journal's encoding of a TimedCommand: compact, versioned, deterministic bytes (the same
// command always gives the same bytes), and a decoder that checks everything it reads.
//
// Layout, version 1 (all integers little-endian or LEB128 varints):
//
//   byte 0        codec version (kCommandCodecVersion)
//   byte 1        command tag: a stable number per Command alternative (CommandTag below)
//   varint        `at`, milliseconds since 1970-01-01 UTC, zigzag-signed
//   ...           the command's fields, in declaration order (commands.h):
//                   string   varint length, then the bytes (UTF-8 as given; not checked)
//                   uint     varint (uint32 fields refuse larger values)
//                   instant  zigzag varint of milliseconds
//                   bool     one byte, 0 or 1
//                   enum     one byte, its numeric value, checked against the enum's range
//                   double   8 bytes, the IEEE-754 bits (exact, NaN and -0 included)
//                   optional one byte 0 (absent) or 1 (present), then the value
//                   list     varint count, then each element
//   4 bytes       CRC-32 (IEEE) of every byte before it
//
// A new field or command is a new version: the decoder keeps reading every older version.
// Tags never change meaning. Not protobuf on purpose: the journal must not change when the
// wire schema does, and this needs no generated code.
//
// Thread safety: free functions without shared state; FieldWriter and FieldReader are values.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"

namespace baiying::store {

inline constexpr std::uint8_t kCommandCodecVersion = 1;

// Stable numbers of the Command alternatives. Append only; never renumber.
enum class CommandTag : std::uint8_t {
  kSubmitRequest = 1,
  kSubmitBatch = 2,
  kCancelRequest = 3,
  kAcknowledgeAssignment = 4,
  kDeclineAssignment = 5,
  kReportEnRoute = 6,
  kReportOnScene = 7,
  kReleaseTeam = 8,
  kSetTeamOnDuty = 9,
  kSetTeamSuspended = 10,
  kCloseRoad = 11,
  kReopenRoad = 12,
  kAdvanceTime = 13,
};

// The tag and the short name ("submit", "close_road", ...) of a command; the journal stores
// the name in its `kind` column so that people can query the file with sqlite3.
CommandTag TagOf(const Command& command);
std::string_view CommandKind(const Command& command);
std::string_view CommandKind(CommandTag tag);

// Writes fields into a growing byte string. Deterministic: no padding, no maps.
class FieldWriter {
 public:
  void Uint(std::uint64_t value);  // varint
  void Int(std::int64_t value);    // zigzag varint
  void Byte(std::uint8_t value);
  void Bool(bool value) { Byte(value ? 1 : 0); }
  void Double(double value);  // 8 bytes, exact bits
  void String(std::string_view value);
  void At(Instant value) { Int(value.time_since_epoch().count()); }

  // The bytes written, followed by their CRC-32; the writer is left empty.
  std::string Finish();

 private:
  std::string bytes_;
};

// Reads what a FieldWriter wrote. Every read names its field, so a failure reads
// "byte 14, field 'lines[1].quantity': 5000000000 does not fit in 32 bits".
// Does not own the bytes: they must outlive the reader.
class FieldReader {
 public:
  // Checks and strips the trailing CRC-32; InvalidArgument when it is missing or wrong.
  static Result<FieldReader> Open(std::string_view bytes);

  Result<std::uint64_t> Uint(std::string_view field);
  Result<std::uint32_t> Uint32(std::string_view field);
  Result<std::int64_t> Int(std::string_view field);
  Result<std::uint8_t> Byte(std::string_view field);
  Result<bool> Bool(std::string_view field);
  Result<double> Double(std::string_view field);
  Result<std::string> String(std::string_view field);
  Result<Instant> At(std::string_view field);
  // A list's length, refused when the bytes left could not hold that many elements.
  Result<std::size_t> Count(std::string_view field);

  // OK when every byte has been read; InvalidArgument naming the bytes left over otherwise.
  Status Done() const;

  std::size_t position() const { return position_; }

 private:
  explicit FieldReader(std::string_view bytes) : bytes_(bytes) {}
  Status Error(std::string_view field, std::string_view what) const;

  std::string_view bytes_;  // without the checksum
  std::size_t position_ = 0;
};

// The bytes of `command` (layout above).
std::string EncodeCommand(const TimedCommand& command);

// The command in `bytes`, of any version this build knows. InvalidArgument, with the byte
// and field, for a wrong checksum, an unknown version or tag, a value out of range, bytes
// missing or left over.
Result<TimedCommand> DecodeCommand(std::string_view bytes);

// CRC-32 (IEEE 802.3, as zlib's crc32) of `bytes`.
std::uint32_t Crc32(std::string_view bytes);

}  // namespace baiying::store
