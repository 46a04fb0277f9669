#include "adapters/store/command_codec.h"

#include <array>
#include <bit>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

namespace baiying::store {
namespace {

static_assert(std::variant_size_v<Command> == 13,
              "a new Command alternative needs a CommandTag, a name, an encoder and a decoder");

constexpr std::size_t kChecksumBytes = 4;

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = MakeCrcTable();

// Moves a read value into `out`, or returns the read's error.
template <typename T, typename U>
Status Get(Result<T> result, U& out) {
  if (!result.ok()) return result.status();
  out = U(std::move(result).value());
  return Status::Ok();
}

// An enum stored as its numeric value, at most `last`.
template <typename E>
Status GetEnum(FieldReader& r, std::string_view field, E last, E& out) {
  const std::size_t at = r.position();
  Result<std::uint8_t> value = r.Byte(field);
  if (!value.ok()) return value.status();
  if (*value > static_cast<std::uint8_t>(last)) {
    return Status::InvalidArgument("byte " + std::to_string(at) + ", field '" + std::string(field) +
                                   "': unknown value " + std::to_string(*value));
  }
  out = static_cast<E>(*value);
  return Status::Ok();
}

template <typename T>
Status GetOptional(FieldReader& r, const std::string& field, std::optional<T>& out,
                   Result<T> (FieldReader::*read)(std::string_view)) {
  bool present = false;
  BAIYING_RETURN_IF_ERROR(Get(r.Bool(field + ".present"), present));
  out.reset();
  if (!present) return Status::Ok();
  T value{};
  BAIYING_RETURN_IF_ERROR(Get((r.*read)(field), value));
  out = value;
  return Status::Ok();
}

Status GetPlace(FieldReader& r, std::string_view field, PlaceId& out) {
  std::uint32_t value = 0;
  BAIYING_RETURN_IF_ERROR(Get(r.Uint32(field), value));
  out = PlaceId(value);
  return Status::Ok();
}

// --- Encoders, one per alternative, fields in declaration order ---

void Write(FieldWriter& w, const SubmitRequest& c) {
  w.String(c.request_id);
  w.String(c.unit);
  w.Bool(c.place.has_value());
  if (c.place) w.Uint(c.place->value());
  w.Bool(c.lat.has_value());
  if (c.lat) w.Double(*c.lat);
  w.Bool(c.lon.has_value());
  if (c.lon) w.Double(*c.lon);
  w.Byte(static_cast<std::uint8_t>(c.priority));
  w.Byte(static_cast<std::uint8_t>(c.mode));
  w.At(c.deadline);
  w.Uint(c.lines.size());
  for (const RequestLine& line : c.lines) {
    w.String(line.specialty);
    w.Uint(line.quantity);
  }
}
void Write(FieldWriter& w, const SubmitBatch& c) {
  w.Uint(c.requests.size());
  for (const SubmitRequest& request : c.requests)
    Write(w, request);
}
void Write(FieldWriter& w, const CancelRequest& c) {
  w.String(c.request_id);
  w.String(c.reason);
}
void Write(FieldWriter& w, const AcknowledgeAssignment& c) {
  w.String(c.request_id);
  w.String(c.team);
}
void Write(FieldWriter& w, const DeclineAssignment& c) {
  w.String(c.request_id);
  w.String(c.team);
  w.String(c.reason);
}
void Write(FieldWriter& w, const ReportEnRoute& c) {
  w.String(c.team);
}
void Write(FieldWriter& w, const ReportOnScene& c) {
  w.String(c.team);
}
void Write(FieldWriter& w, const ReleaseTeam& c) {
  w.String(c.team);
  w.Bool(c.return_home);
}
void Write(FieldWriter& w, const SetTeamOnDuty& c) {
  w.String(c.team);
  w.Bool(c.on_duty);
}
void Write(FieldWriter& w, const SetTeamSuspended& c) {
  w.String(c.team);
  w.Bool(c.suspended);
  w.String(c.reason);
}
void Write(FieldWriter& w, const CloseRoad& c) {
  w.Uint(c.from.value());
  w.Uint(c.to.value());
  w.String(c.reason);
}
void Write(FieldWriter& w, const ReopenRoad& c) {
  w.Uint(c.from.value());
  w.Uint(c.to.value());
}
void Write(FieldWriter&, const AdvanceTime&) {}

// --- Decoders, version 1 ---

Status Read(FieldReader& r, const std::string& prefix, SubmitRequest& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String(prefix + "request_id"), c.request_id));
  BAIYING_RETURN_IF_ERROR(Get(r.String(prefix + "unit"), c.unit));
  bool has_place = false;
  BAIYING_RETURN_IF_ERROR(Get(r.Bool(prefix + "place.present"), has_place));
  if (has_place) {
    PlaceId place;
    BAIYING_RETURN_IF_ERROR(GetPlace(r, prefix + "place", place));
    c.place = place;
  }
  BAIYING_RETURN_IF_ERROR(GetOptional(r, prefix + "lat", c.lat, &FieldReader::Double));
  BAIYING_RETURN_IF_ERROR(GetOptional(r, prefix + "lon", c.lon, &FieldReader::Double));
  BAIYING_RETURN_IF_ERROR(GetEnum(r, prefix + "priority", Priority::kFlash, c.priority));
  BAIYING_RETURN_IF_ERROR(GetEnum(r, prefix + "mode", Mode::kWartime, c.mode));
  BAIYING_RETURN_IF_ERROR(Get(r.At(prefix + "deadline"), c.deadline));
  std::size_t lines = 0;
  BAIYING_RETURN_IF_ERROR(Get(r.Count(prefix + "lines"), lines));
  c.lines.resize(lines);
  for (std::size_t i = 0; i < lines; ++i) {
    const std::string line = prefix + "lines[" + std::to_string(i) + "].";
    BAIYING_RETURN_IF_ERROR(Get(r.String(line + "specialty"), c.lines[i].specialty));
    BAIYING_RETURN_IF_ERROR(Get(r.Uint32(line + "quantity"), c.lines[i].quantity));
  }
  return Status::Ok();
}
Status Read(FieldReader& r, const std::string&, SubmitBatch& c) {
  std::size_t count = 0;
  BAIYING_RETURN_IF_ERROR(Get(r.Count("requests"), count));
  c.requests.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    BAIYING_RETURN_IF_ERROR(Read(r, "requests[" + std::to_string(i) + "].", c.requests[i]));
  }
  return Status::Ok();
}
Status Read(FieldReader& r, const std::string&, CancelRequest& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("request_id"), c.request_id));
  return Get(r.String("reason"), c.reason);
}
Status Read(FieldReader& r, const std::string&, AcknowledgeAssignment& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("request_id"), c.request_id));
  return Get(r.String("team"), c.team);
}
Status Read(FieldReader& r, const std::string&, DeclineAssignment& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("request_id"), c.request_id));
  BAIYING_RETURN_IF_ERROR(Get(r.String("team"), c.team));
  return Get(r.String("reason"), c.reason);
}
Status Read(FieldReader& r, const std::string&, ReportEnRoute& c) {
  return Get(r.String("team"), c.team);
}
Status Read(FieldReader& r, const std::string&, ReportOnScene& c) {
  return Get(r.String("team"), c.team);
}
Status Read(FieldReader& r, const std::string&, ReleaseTeam& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("team"), c.team));
  return Get(r.Bool("return_home"), c.return_home);
}
Status Read(FieldReader& r, const std::string&, SetTeamOnDuty& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("team"), c.team));
  return Get(r.Bool("on_duty"), c.on_duty);
}
Status Read(FieldReader& r, const std::string&, SetTeamSuspended& c) {
  BAIYING_RETURN_IF_ERROR(Get(r.String("team"), c.team));
  BAIYING_RETURN_IF_ERROR(Get(r.Bool("suspended"), c.suspended));
  return Get(r.String("reason"), c.reason);
}
Status Read(FieldReader& r, const std::string&, CloseRoad& c) {
  BAIYING_RETURN_IF_ERROR(GetPlace(r, "from", c.from));
  BAIYING_RETURN_IF_ERROR(GetPlace(r, "to", c.to));
  return Get(r.String("reason"), c.reason);
}
Status Read(FieldReader& r, const std::string&, ReopenRoad& c) {
  BAIYING_RETURN_IF_ERROR(GetPlace(r, "from", c.from));
  return GetPlace(r, "to", c.to);
}
Status Read(FieldReader&, const std::string&, AdvanceTime&) {
  return Status::Ok();
}

// The alternative of Command with `tag`, default-constructed; nullopt for an unknown tag.
std::optional<Command> EmptyCommand(std::uint8_t tag) {
  switch (static_cast<CommandTag>(tag)) {
    case CommandTag::kSubmitRequest:
      return SubmitRequest{};
    case CommandTag::kSubmitBatch:
      return SubmitBatch{};
    case CommandTag::kCancelRequest:
      return CancelRequest{};
    case CommandTag::kAcknowledgeAssignment:
      return AcknowledgeAssignment{};
    case CommandTag::kDeclineAssignment:
      return DeclineAssignment{};
    case CommandTag::kReportEnRoute:
      return ReportEnRoute{};
    case CommandTag::kReportOnScene:
      return ReportOnScene{};
    case CommandTag::kReleaseTeam:
      return ReleaseTeam{};
    case CommandTag::kSetTeamOnDuty:
      return SetTeamOnDuty{};
    case CommandTag::kSetTeamSuspended:
      return SetTeamSuspended{};
    case CommandTag::kCloseRoad:
      return CloseRoad{};
    case CommandTag::kReopenRoad:
      return ReopenRoad{};
    case CommandTag::kAdvanceTime:
      return AdvanceTime{};
  }
  return std::nullopt;
}

template <typename T>
constexpr CommandTag kTagOf = [] {
  if constexpr (std::is_same_v<T, SubmitRequest>) return CommandTag::kSubmitRequest;
  if constexpr (std::is_same_v<T, SubmitBatch>) return CommandTag::kSubmitBatch;
  if constexpr (std::is_same_v<T, CancelRequest>) return CommandTag::kCancelRequest;
  if constexpr (std::is_same_v<T, AcknowledgeAssignment>) return CommandTag::kAcknowledgeAssignment;
  if constexpr (std::is_same_v<T, DeclineAssignment>) return CommandTag::kDeclineAssignment;
  if constexpr (std::is_same_v<T, ReportEnRoute>) return CommandTag::kReportEnRoute;
  if constexpr (std::is_same_v<T, ReportOnScene>) return CommandTag::kReportOnScene;
  if constexpr (std::is_same_v<T, ReleaseTeam>) return CommandTag::kReleaseTeam;
  if constexpr (std::is_same_v<T, SetTeamOnDuty>) return CommandTag::kSetTeamOnDuty;
  if constexpr (std::is_same_v<T, SetTeamSuspended>) return CommandTag::kSetTeamSuspended;
  if constexpr (std::is_same_v<T, CloseRoad>) return CommandTag::kCloseRoad;
  if constexpr (std::is_same_v<T, ReopenRoad>) return CommandTag::kReopenRoad;
  if constexpr (std::is_same_v<T, AdvanceTime>) return CommandTag::kAdvanceTime;
}();

}  // namespace

CommandTag TagOf(const Command& command) {
  return std::visit([](const auto& c) { return kTagOf<std::decay_t<decltype(c)>>; }, command);
}

std::string_view CommandKind(CommandTag tag) {
  switch (tag) {
    case CommandTag::kSubmitRequest:
      return "submit";
    case CommandTag::kSubmitBatch:
      return "submit_batch";
    case CommandTag::kCancelRequest:
      return "cancel";
    case CommandTag::kAcknowledgeAssignment:
      return "acknowledge";
    case CommandTag::kDeclineAssignment:
      return "decline";
    case CommandTag::kReportEnRoute:
      return "en_route";
    case CommandTag::kReportOnScene:
      return "on_scene";
    case CommandTag::kReleaseTeam:
      return "release";
    case CommandTag::kSetTeamOnDuty:
      return "set_on_duty";
    case CommandTag::kSetTeamSuspended:
      return "set_suspended";
    case CommandTag::kCloseRoad:
      return "close_road";
    case CommandTag::kReopenRoad:
      return "reopen_road";
    case CommandTag::kAdvanceTime:
      return "advance_time";
  }
  return "unknown";
}

std::string_view CommandKind(const Command& command) {
  return CommandKind(TagOf(command));
}

std::uint32_t Crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFU;
  for (char ch : bytes)
    c = kCrcTable[(c ^ static_cast<std::uint8_t>(ch)) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

// --- FieldWriter ---

void FieldWriter::Uint(std::uint64_t value) {
  while (value >= 0x80) {
    bytes_.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<char>(value));
}

void FieldWriter::Int(std::int64_t value) {
  const auto u = static_cast<std::uint64_t>(value);
  Uint((u << 1) ^ (value < 0 ? ~std::uint64_t{0} : std::uint64_t{0}));
}

void FieldWriter::Byte(std::uint8_t value) {
  bytes_.push_back(static_cast<char>(value));
}

void FieldWriter::Double(double value) {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(value);
  for (int i = 0; i < 8; ++i) {
    bytes_.push_back(static_cast<char>(bits & 0xFF));
    bits >>= 8;
  }
}

void FieldWriter::String(std::string_view value) {
  Uint(value.size());
  bytes_.append(value);
}

std::string FieldWriter::Finish() {
  std::uint32_t crc = Crc32(bytes_);
  for (std::size_t i = 0; i < kChecksumBytes; ++i) {
    bytes_.push_back(static_cast<char>(crc & 0xFF));
    crc >>= 8;
  }
  return std::exchange(bytes_, std::string());
}

// --- FieldReader ---

Result<FieldReader> FieldReader::Open(std::string_view bytes) {
  if (bytes.size() < kChecksumBytes) {
    return Status::InvalidArgument(std::to_string(bytes.size()) +
                                   " bytes, too short to hold a checksum");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  std::uint32_t stored = 0;
  for (std::size_t i = 0; i < kChecksumBytes; ++i) {
    stored |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[body.size() + i]))
              << (8 * i);
  }
  const std::uint32_t computed = Crc32(body);
  if (stored != computed) {
    return Status::InvalidArgument("checksum mismatch over " + std::to_string(body.size()) +
                                   " bytes (stored " + std::to_string(stored) + ", computed " +
                                   std::to_string(computed) + "): the bytes are damaged");
  }
  return FieldReader(body);
}

Status FieldReader::Error(std::string_view field, std::string_view what) const {
  return Status::InvalidArgument("byte " + std::to_string(position_) + ", field '" +
                                 std::string(field) + "': " + std::string(what));
}

Result<std::uint64_t> FieldReader::Uint(std::string_view field) {
  std::uint64_t value = 0;
  for (std::size_t i = position_, shift = 0; i < bytes_.size(); ++i, shift += 7) {
    const auto b = static_cast<std::uint8_t>(bytes_[i]);
    // The tenth byte may carry only the top bit of 64.
    if (shift == 63 && b > 1) return Error(field, "varint overflows 64 bits");
    value |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      // One value, one encoding: a zero high byte (other than for 0 itself) is refused.
      if (b == 0 && i > position_) return Error(field, "varint is not in its shortest form");
      position_ = i + 1;
      return value;
    }
    if (shift == 63) return Error(field, "varint overflows 64 bits");
  }
  return Error(field, "varint runs past the end");
}

Result<std::uint32_t> FieldReader::Uint32(std::string_view field) {
  const std::size_t at = position_;
  Result<std::uint64_t> value = Uint(field);
  if (!value.ok()) return value.status();
  if (*value > std::numeric_limits<std::uint32_t>::max()) {
    position_ = at;
    return Error(field, std::to_string(*value) + " does not fit in 32 bits");
  }
  return static_cast<std::uint32_t>(*value);
}

Result<std::int64_t> FieldReader::Int(std::string_view field) {
  Result<std::uint64_t> value = Uint(field);
  if (!value.ok()) return value.status();
  const std::uint64_t u = *value;
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

Result<std::uint8_t> FieldReader::Byte(std::string_view field) {
  if (position_ >= bytes_.size()) return Error(field, "missing: the bytes end here");
  return static_cast<std::uint8_t>(bytes_[position_++]);
}

Result<bool> FieldReader::Bool(std::string_view field) {
  Result<std::uint8_t> value = Byte(field);
  if (!value.ok()) return value.status();
  if (*value > 1) {
    --position_;
    return Error(field, "a flag must be 0 or 1, not " + std::to_string(*value));
  }
  return *value == 1;
}

Result<double> FieldReader::Double(std::string_view field) {
  if (bytes_.size() - position_ < 8) return Error(field, "8 bytes of a number run past the end");
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes_[position_ + i])) << (8 * i);
  }
  position_ += 8;
  return std::bit_cast<double>(bits);
}

Result<std::string> FieldReader::String(std::string_view field) {
  const std::size_t at = position_;
  Result<std::uint64_t> length = Uint(field);
  if (!length.ok()) return length.status();
  if (*length > bytes_.size() - position_) {
    const std::size_t left = bytes_.size() - position_;
    position_ = at;
    return Error(field, "length " + std::to_string(*length) + " runs past the end (" +
                            std::to_string(left) + " bytes left)");
  }
  std::string value(bytes_.substr(position_, static_cast<std::size_t>(*length)));
  position_ += static_cast<std::size_t>(*length);
  return value;
}

Result<Instant> FieldReader::At(std::string_view field) {
  Result<std::int64_t> ms = Int(field);
  if (!ms.ok()) return ms.status();
  return Instant(Duration(*ms));
}

Result<std::size_t> FieldReader::Count(std::string_view field) {
  const std::size_t at = position_;
  Result<std::uint64_t> count = Uint(field);
  if (!count.ok()) return count.status();
  // Every element takes at least one byte: a larger count is damage, not a reason to allocate.
  if (*count > bytes_.size() - position_) {
    const std::size_t left = bytes_.size() - position_;
    position_ = at;
    return Error(field, "count " + std::to_string(*count) + " exceeds the " + std::to_string(left) +
                            " bytes left");
  }
  return static_cast<std::size_t>(*count);
}

Status FieldReader::Done() const {
  if (position_ == bytes_.size()) return Status::Ok();
  return Status::InvalidArgument("byte " + std::to_string(position_) + ": " +
                                 std::to_string(bytes_.size() - position_) +
                                 " bytes left over after the last field");
}

// --- Commands ---

std::string EncodeCommand(const TimedCommand& command) {
  FieldWriter w;
  w.Byte(kCommandCodecVersion);
  w.Byte(static_cast<std::uint8_t>(TagOf(command.command)));
  w.At(command.at);
  std::visit([&w](const auto& c) { Write(w, c); }, command.command);
  return w.Finish();
}

Result<TimedCommand> DecodeCommand(std::string_view bytes) {
  Result<FieldReader> reader = FieldReader::Open(bytes);
  if (!reader.ok()) return reader.status();
  FieldReader& r = *reader;
  std::uint8_t version = 0;
  BAIYING_RETURN_IF_ERROR(Get(r.Byte("version"), version));
  if (version != kCommandCodecVersion) {
    return Status::InvalidArgument("byte 0: codec version " + std::to_string(version) +
                                   " is not one this build reads (it reads " +
                                   std::to_string(kCommandCodecVersion) + ")");
  }
  std::uint8_t tag = 0;
  BAIYING_RETURN_IF_ERROR(Get(r.Byte("tag"), tag));
  std::optional<Command> command = EmptyCommand(tag);
  if (!command) {
    return Status::InvalidArgument("byte 1: unknown command tag " + std::to_string(tag));
  }
  TimedCommand out;
  BAIYING_RETURN_IF_ERROR(Get(r.At("at"), out.at));
  const std::string no_prefix;
  BAIYING_RETURN_IF_ERROR(std::visit([&](auto& c) { return Read(r, no_prefix, c); }, *command));
  BAIYING_RETURN_IF_ERROR(r.Done());
  out.command = std::move(*command);
  return out;
}

}  // namespace baiying::store
