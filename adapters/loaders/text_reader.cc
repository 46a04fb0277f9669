#include "adapters/loaders/text_reader.h"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <utility>

namespace baiying::loaders {
namespace {

// Large reads keep zlib's per-call overhead out of the profile of the DIMACS graphs, whose
// lines are about 20 bytes each.
constexpr unsigned kReadBytes = 1u << 18;
constexpr unsigned kZlibBufferBytes = 1u << 17;
// A file without line breaks (a binary file given by mistake) must not grow one line without
// bound.
constexpr std::size_t kMaxLineBytes = std::size_t{1} << 24;

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

struct LineReader::Impl {
  gzFile file = nullptr;
  std::unique_ptr<char[]> buffer = std::make_unique<char[]>(kReadBytes);
  std::size_t begin = 0;  // unread bytes are buffer[begin, end)
  std::size_t end = 0;
  bool at_end = false;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (file != nullptr) gzclose(file);
  }
};

Result<LineReader> LineReader::Open(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Status::Unavailable(name + ": cannot open: " + ec.message());
    }
    return Status::NotFound(name + ": no such file");
  }
  if (std::filesystem::is_directory(st)) {
    return Status::Unavailable(name + ": is a directory, not a file");
  }

  LineReader reader;
  reader.file_name_ = name;
  reader.impl_ = std::make_unique<Impl>();
  // gzopen reads a file without the gzip magic bytes (1f 8b) as plain text, so plain and
  // compressed files share this one path and are told apart by content, not by name.
  errno = 0;
  reader.impl_->file = gzopen(path.c_str(), "rb");
  if (reader.impl_->file == nullptr) {
    const int err = errno;
    return Status::Unavailable(
        name + ": cannot open: " + (err != 0 ? std::strerror(err) : "out of memory"));
  }
  gzbuffer(reader.impl_->file, kZlibBufferBytes);
  return reader;
}

LineReader::LineReader(LineReader&&) noexcept = default;
LineReader& LineReader::operator=(LineReader&&) noexcept = default;
LineReader::~LineReader() = default;

bool LineReader::Next(std::string& line) {
  line.clear();
  if (impl_ == nullptr || !status_.ok()) return false;
  Impl& in = *impl_;
  bool have_bytes = false;
  while (true) {
    if (in.begin == in.end) {
      if (in.at_end) break;
      in.begin = 0;
      in.end = 0;
      const int n = gzread(in.file, in.buffer.get(), kReadBytes);
      int code = Z_OK;
      const char* message = gzerror(in.file, &code);
      if (n < 0 || (code != Z_OK && code != Z_BUF_ERROR)) {
        const std::string detail = code == Z_ERRNO ? std::strerror(errno) : message;
        status_ = code == Z_ERRNO
                      ? Status::Unavailable(file_name_ + ": read error: " + detail)
                      : Status::InvalidArgument(file_name_ + ": corrupt gzip data: " + detail);
        return false;
      }
      if (n == 0) {
        // Z_BUF_ERROR at the end means the compressed stream stopped in the middle: a
        // truncated download must not pass for a shorter, valid file.
        if (code == Z_BUF_ERROR) {
          status_ = Status::InvalidArgument(file_name_ + ": truncated gzip data after line " +
                                            std::to_string(line_number_));
          return false;
        }
        in.at_end = true;
        break;
      }
      in.end = static_cast<std::size_t>(n);
      continue;
    }
    const char* start = in.buffer.get() + in.begin;
    const std::size_t available = in.end - in.begin;
    const void* newline = std::memchr(start, '\n', available);
    if (newline != nullptr) {
      const std::size_t length =
          static_cast<std::size_t>(static_cast<const char*>(newline) - start);
      line.append(start, length);
      in.begin += length + 1;
      have_bytes = true;
      break;
    }
    line.append(start, available);
    in.begin = in.end;
    have_bytes = true;
    if (line.size() > kMaxLineBytes) {
      status_ = Status::InvalidArgument(file_name_ + " line " + std::to_string(line_number_ + 1) +
                                        ": line longer than 16 MiB (is this a text file?)");
      return false;
    }
  }
  if (!have_bytes) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

Status LineReader::Error(std::string_view what) const {
  std::string message = file_name_;
  message += " line ";
  message += std::to_string(line_number_);
  message += ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Status LineReader::FieldError(std::string_view field, std::string_view what) const {
  std::string message = file_name_;
  message += " line ";
  message += std::to_string(line_number_);
  message += ", field '";
  message += field;
  message += "': ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Result<std::vector<std::string>> SplitCsv(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    field.clear();
    if (i < n && line[i] == '"') {
      const std::size_t opening = i;
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field += line[i++];
      }
      if (!closed) {
        return Status::InvalidArgument("unterminated quote in field " +
                                       std::to_string(fields.size() + 1) + " (opened at column " +
                                       std::to_string(opening + 1) + ")");
      }
      if (i < n && line[i] != ',') {
        return Status::InvalidArgument("unexpected character after the closing quote of field " +
                                       std::to_string(fields.size() + 1) + " (column " +
                                       std::to_string(i + 1) + ")");
      }
    } else {
      const std::size_t comma = line.find(',', i);
      const std::size_t stop = comma == std::string_view::npos ? n : comma;
      const std::string_view raw = line.substr(i, stop - i);
      // RFC 4180 allows quotes only in quoted fields; a stray one is more likely a typo than
      // data, and reading on would silently misplace every later field.
      if (raw.find('"') != std::string_view::npos) {
        return Status::InvalidArgument("quote inside unquoted field " +
                                       std::to_string(fields.size() + 1) +
                                       " (quote the whole field and double the quote)");
      }
      field.assign(raw);
      i = stop;
    }
    fields.push_back(std::move(field));
    if (i >= n) break;
    ++i;  // the comma
    if (i == n) {
      fields.emplace_back();  // "a," has an empty last field
      break;
    }
  }
  return fields;
}

bool ParseInt(std::string_view text, std::int64_t& out) {
  if (text.empty()) return false;
  std::int64_t value = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (ec != std::errc() || ptr != last) return false;
  out = value;
  return true;
}

bool ParseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  double value = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value, std::chars_format::general);
  // from_chars accepts "inf" and "nan"; no field of ours means either.
  if (ec != std::errc() || ptr != last || !std::isfinite(value)) return false;
  out = value;
  return true;
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  while (true) {
    if (!text.empty() && IsAsciiSpace(text.front())) {
      text.remove_prefix(1);
    } else if (text.starts_with(kBom)) {
      text.remove_prefix(kBom.size());
    } else {
      break;
    }
  }
  while (!text.empty() && IsAsciiSpace(text.back()))
    text.remove_suffix(1);
  return text;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvRecord(std::initializer_list<std::string_view> fields) {
  std::string out;
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += ',';
    first = false;
    out += CsvField(f);
  }
  out += '\n';
  return out;
}

}  // namespace baiying::loaders
