#pragma once
// Line-oriented reading of text files, plain or gzip-compressed (by content, not by name),
// with the file name and line number kept for error messages, and a CSV splitter.

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace baiying::loaders {

class LineReader {
 public:
  // NotFound when the file does not exist; Unavailable when it cannot be read.
  static Result<LineReader> Open(const std::filesystem::path& path);

  LineReader(LineReader&&) noexcept;
  LineReader& operator=(LineReader&&) noexcept;
  ~LineReader();

  // Reads the next line without its line ending ("\n" or "\r\n"). Returns false at the end
  // of the file; a read error sets status() and also returns false.
  bool Next(std::string& line);

  const Status& status() const { return status_; }
  std::uint64_t line_number() const { return line_number_; }  // of the line last returned
  const std::string& file_name() const { return file_name_; }

  // "roads.csv line 41: <what>" as an InvalidArgument status.
  Status Error(std::string_view what) const;
  // "roads.csv line 41, field 'class': <what>" as an InvalidArgument status.
  Status FieldError(std::string_view field, std::string_view what) const;

 private:
  LineReader() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Status status_;
  std::uint64_t line_number_ = 0;
  std::string file_name_;
};

// Splits one CSV record (RFC 4180: fields may be quoted with "", "" inside quotes is a
// quote). InvalidArgument for an unterminated quote. Records do not span lines.
Result<std::vector<std::string>> SplitCsv(std::string_view line);

// One CSV field as written: quoted (with quotes doubled) when it holds a comma, a quote or a
// line break, as is otherwise.
std::string CsvField(std::string_view text);
// A whole record: the fields, each through CsvField, joined by commas, with a final newline.
std::string CsvRecord(std::initializer_list<std::string_view> fields);

// Strict number parsing of a whole field (no trailing junk, no empty string).
bool ParseInt(std::string_view text, std::int64_t& out);
bool ParseDouble(std::string_view text, double& out);

// Removes leading and trailing ASCII whitespace and a UTF-8 byte order mark.
std::string_view Trim(std::string_view text);

}  // namespace baiying::loaders
