#include "adapters/loaders/ch_index_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baiying::loaders {
namespace {

constexpr std::string_view kMagic("BYCHIDX\n", 8);
constexpr std::size_t kHeaderBytes = 48;
constexpr std::size_t kChecksumBytes = 4;
constexpr std::size_t kArcBytes = 12;  // other, time, middle

std::string ErrnoText(int err) {
  return std::strerror(err);
}

// The checksum of the file's bytes before the trailer: CRC-32 as zlib computes it, fed in
// pieces because crc32's length is a uInt.
std::uint32_t Checksum(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    const std::size_t n = std::min(kPiece, bytes.size() - at);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(n));
  }
  return static_cast<std::uint32_t>(crc);
}

// The file's layout after the header, from its counts. 64-bit arithmetic: no count read from a
// file can overflow it.
std::uint64_t FileBytes(std::uint64_t places, std::uint64_t up, std::uint64_t down,
                        std::uint64_t closed) {
  return kHeaderBytes + 4 * places + 2 * 4 * (places + 1) + kArcBytes * (up + down) + 4 * closed +
         kChecksumBytes;
}

class ByteWriter {
 public:
  explicit ByteWriter(std::size_t size) : bytes_(size, '\0') {}

  void Put32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      bytes_[at_++] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void Put64(std::uint64_t v) {
    Put32(static_cast<std::uint32_t>(v));
    Put32(static_cast<std::uint32_t>(v >> 32));
  }
  void PutBytes(std::string_view b) {
    std::memcpy(bytes_.data() + at_, b.data(), b.size());
    at_ += b.size();
  }
  void PutAll(const std::vector<std::uint32_t>& values) {
    for (std::uint32_t v : values)
      Put32(v);
  }
  void PutAll(const std::vector<ChArc>& arcs) {
    for (const ChArc& arc : arcs) {
      Put32(arc.other);
      Put32(arc.time);
      Put32(arc.middle.value());
    }
  }

  std::size_t size() const { return at_; }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
  std::size_t at_ = 0;
};

// Reads what the caller has checked is there.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::uint32_t Get32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= std::uint32_t{static_cast<unsigned char>(bytes_[at_++])} << (8 * i);
    return v;
  }
  std::uint64_t Get64() {
    const std::uint64_t low = Get32();
    return low | (std::uint64_t{Get32()} << 32);
  }
  std::vector<std::uint32_t> GetAll32(std::size_t n) {
    std::vector<std::uint32_t> values(n);
    for (std::uint32_t& v : values)
      v = Get32();
    return values;
  }
  std::vector<ChArc> GetArcs(std::size_t n) {
    std::vector<ChArc> arcs(n);
    for (ChArc& arc : arcs) {
      arc.other = Get32();
      arc.time = Get32();
      arc.middle = PlaceId(Get32());
    }
    return arcs;
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now; the error of close (a delayed write error on some file systems) is returned.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(name + ": cannot write: " + ErrnoText(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> ReadAll(const std::filesystem::path& path) {
  const std::string name = path.string();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(name + ": no such file");
    return Status::Unavailable(name + ": cannot open: " + ErrnoText(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Status::Unavailable(name + ": cannot read its size: " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::Unavailable(name + ": not a regular file");
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + at, bytes.size() - at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(name + ": cannot read: " + ErrnoText(errno));
    }
    if (n == 0) break;  // shrunk while being read: judged on what is there
    at += static_cast<std::size_t>(n);
  }
  bytes.resize(at);
  return bytes;
}

// Offsets into `arcs` arcs: from 0, never decreasing, to `arcs`.
Status CheckOffsets(const std::vector<std::uint32_t>& first, std::uint32_t arcs,
                    const std::string& which) {
  if (first.front() != 0 || first.back() != arcs) {
    return Status::InvalidArgument(which + " arc offsets run from " +
                                   std::to_string(first.front()) + " to " +
                                   std::to_string(first.back()) + ", not from 0 to " +
                                   std::to_string(arcs));
  }
  for (std::size_t r = 0; r + 1 < first.size(); ++r) {
    if (first[r] > first[r + 1]) {
      return Status::InvalidArgument(which + " arc offsets decrease at rank " + std::to_string(r));
    }
  }
  return Status::Ok();
}

}  // namespace

Status SaveChIndex(const std::filesystem::path& path, const ChIndex& index) {
  const ChIndexParts parts = index.ToParts();
  const std::uint64_t size =
      FileBytes(parts.rank.size(), parts.up.size(), parts.down.size(), parts.closed_arcs.size());
  ByteWriter out(static_cast<std::size_t>(size));
  out.PutBytes(kMagic);
  out.Put32(kChIndexFileVersion);
  out.Put32(0);
  out.Put64(parts.graph_fingerprint);
  out.Put32(static_cast<std::uint32_t>(parts.rank.size()));
  out.Put32(static_cast<std::uint32_t>(parts.up.size()));
  out.Put32(static_cast<std::uint32_t>(parts.down.size()));
  out.Put32(static_cast<std::uint32_t>(parts.closed_arcs.size()));
  out.Put64(0);
  out.PutAll(parts.rank);
  out.PutAll(parts.first_up);
  out.PutAll(parts.up);
  out.PutAll(parts.first_down);
  out.PutAll(parts.down);
  out.PutAll(parts.closed_arcs);
  out.Put32(Checksum(std::string_view(out.bytes()).substr(0, out.size())));

  const std::string name = path.string();
  std::string temporary = name + ".tmp.XXXXXX";
  Fd fd(::mkstemp(temporary.data()));
  if (fd.get() < 0) {
    return Status::Unavailable(name +
                               ": cannot create a temporary file beside it: " + ErrnoText(errno));
  }
  auto fail = [&temporary](Status status) {
    ::unlink(temporary.c_str());
    return status;
  };
  if (Status written = WriteAll(fd.get(), out.bytes(), temporary); !written.ok()) {
    return fail(written);
  }
  if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0 || fd.Close() != 0) {
    return fail(Status::Unavailable(temporary + ": cannot flush to disk: " + ErrnoText(errno)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return fail(Status::Unavailable(name + ": cannot replace: " + ErrnoText(errno)));
  }
  // The rename itself is durable once the folder is flushed.
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return Status::Unavailable(folder.string() + ": cannot flush the folder after writing " + name +
                               ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

Result<ChIndex> LoadChIndex(const std::filesystem::path& path, const RoadGraph& graph) {
  Result<std::string> read = ReadAll(path);
  if (!read.ok()) return read.status();
  const std::string_view bytes = *read;
  const std::string name = path.string();
  auto bad = [&name](const std::string& what) {
    return Status::InvalidArgument(name + ": " + what);
  };
  auto truncated = [&](std::uint64_t expected) {
    return bad("truncated at byte " + std::to_string(bytes.size()) + " (a complete file has " +
               std::to_string(expected) + " bytes)");
  };

  if (bytes.size() < kMagic.size()) {
    if (kMagic.starts_with(bytes)) return truncated(kHeaderBytes);
    return bad("not a baiying road index file (no BYCHIDX magic)");
  }
  if (!bytes.starts_with(kMagic)) return bad("not a baiying road index file (no BYCHIDX magic)");
  if (bytes.size() < 12) return truncated(kHeaderBytes);
  ByteReader header(bytes.substr(kMagic.size()));
  const std::uint32_t version = header.Get32();
  if (version > kChIndexFileVersion) {
    return bad("format version " + std::to_string(version) + " is newer than this program reads (" +
               std::to_string(kChIndexFileVersion) + "); rebuild it with `baiying index build`");
  }
  if (version == 0) return bad("format version 0 does not exist");
  if (bytes.size() < kHeaderBytes) return truncated(kHeaderBytes);
  header.Get32();
  const std::uint64_t fingerprint = header.Get64();
  const std::uint32_t places = header.Get32();
  const std::uint32_t up = header.Get32();
  const std::uint32_t down = header.Get32();
  const std::uint32_t closed = header.Get32();
  const std::uint64_t expected = FileBytes(places, up, down, closed);
  if (bytes.size() < expected) return truncated(expected);
  if (bytes.size() > expected) {
    return bad(std::to_string(bytes.size() - expected) + " bytes after the end of the index (" +
               std::to_string(expected) + " bytes)");
  }
  ByteReader trailer(bytes.substr(bytes.size() - kChecksumBytes));
  const std::uint32_t stored = trailer.Get32();
  const std::uint32_t computed = Checksum(bytes.substr(0, bytes.size() - kChecksumBytes));
  if (stored != computed) {
    return bad("checksum mismatch (stored " + std::to_string(stored) + ", computed " +
               std::to_string(computed) + "): the file is corrupt");
  }
  if (fingerprint != ChIndex::Fingerprint(graph)) {
    const std::string differs =
        places == graph.place_count()
            ? "the same " + std::to_string(places) + " places, other arcs or travel times"
            : "an index of " + std::to_string(places) + " places, this graph has " +
                  std::to_string(graph.place_count());
    return bad("built on another graph or travel model (" + differs +
               "); rebuild it with `baiying index build`");
  }

  ChIndexParts parts;
  parts.graph_fingerprint = fingerprint;
  ByteReader body(bytes.substr(kHeaderBytes));
  parts.rank = body.GetAll32(places);
  parts.first_up = body.GetAll32(std::size_t{places} + 1);
  parts.up = body.GetArcs(up);
  parts.first_down = body.GetAll32(std::size_t{places} + 1);
  parts.down = body.GetArcs(down);
  parts.closed_arcs = body.GetAll32(closed);
  // ChIndex::FromParts reads each rank's arcs after checking only that rank's two offsets, so
  // offsets that rise past the end and fall back later would have it read past the arcs; they
  // are refused here first.
  BAIYING_RETURN_IF_ERROR(CheckOffsets(parts.first_up, up, "upward").WithPrefix(name));
  BAIYING_RETURN_IF_ERROR(CheckOffsets(parts.first_down, down, "downward").WithPrefix(name));
  Result<ChIndex> index = ChIndex::FromParts(std::move(parts), graph);
  if (!index.ok()) return bad(index.status().message());
  return index;
}

}  // namespace baiying::loaders
