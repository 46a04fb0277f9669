#include "adapters/loaders/text_reader.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
using ::baiying::testing::WriteGzipFile;

namespace fs = std::filesystem;

// A directory of its own for each test, removed afterwards.

struct Lines {
  std::vector<std::string> text;
  std::vector<std::uint64_t> numbers;
};

Lines ReadAll(const fs::path& path) {
  Result<LineReader> reader = LineReader::Open(path);
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  Lines lines;
  std::string line;
  while (reader->Next(line)) {
    lines.text.push_back(line);
    lines.numbers.push_back(reader->line_number());
  }
  CHECK_MESSAGE(reader->status().ok(), reader->status().ToString());
  return lines;
}

TEST_CASE("LineReader gives the same lines for plain and gzip files") {
  TempDir dir;
  const std::string contents = "alpha\nbeta,gamma\r\n\n  spaced  \nlast without newline";
  WriteFile(dir.path() / "plain.txt", contents);
  WriteGzipFile(dir.path() / "packed.txt.gz", contents);
  // Compression is detected from the content, not the name.
  WriteGzipFile(dir.path() / "packed_no_suffix.txt", contents);

  const std::vector<std::string> expected = {"alpha", "beta,gamma", "", "  spaced  ",
                                             "last without newline"};
  for (const char* name : {"plain.txt", "packed.txt.gz", "packed_no_suffix.txt"}) {
    CAPTURE(name);
    const Lines lines = ReadAll(dir.path() / name);
    CHECK(lines.text == expected);
    CHECK(lines.numbers == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  }
}

TEST_CASE("LineReader handles line endings, empty files and long lines") {
  TempDir dir;
  SUBCASE("CRLF and LF mixed; only the line ending's CR is removed") {
    WriteFile(dir.path() / "f", "a\r\nb\n\r\nc\r\r\n");
    CHECK(ReadAll(dir.path() / "f").text == std::vector<std::string>{"a", "b", "", "c\r"});
  }
  SUBCASE("empty file") {
    WriteFile(dir.path() / "f", "");
    CHECK(ReadAll(dir.path() / "f").text.empty());
  }
  SUBCASE("a trailing newline adds no empty line") {
    WriteFile(dir.path() / "f", "one\ntwo\n");
    CHECK(ReadAll(dir.path() / "f").text == std::vector<std::string>{"one", "two"});
  }
  SUBCASE("lines across read buffer boundaries, plain and gzip") {
    std::string contents;
    std::vector<std::string> expected;
    for (int i = 0; i < 60000; ++i) {
      expected.push_back("a " + std::to_string(i) + " " + std::to_string(i * 7));
      contents += expected.back() + (i % 3 == 0 ? "\r\n" : "\n");
    }
    expected.push_back(std::string(700000, 'x'));  // longer than any internal buffer
    contents += expected.back() + "\n";
    WriteFile(dir.path() / "big.txt", contents);
    WriteGzipFile(dir.path() / "big.txt.gz", contents);
    CHECK(ReadAll(dir.path() / "big.txt").text == expected);
    CHECK(ReadAll(dir.path() / "big.txt.gz").text == expected);
  }
}

TEST_CASE("LineReader reports missing, unreadable and truncated files") {
  TempDir dir;
  Result<LineReader> missing = LineReader::Open(dir.path() / "nope.csv");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("nope.csv") != std::string::npos);

  Result<LineReader> directory = LineReader::Open(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kUnavailable);

  std::string contents;
  for (int i = 0; i < 20000; ++i)
    contents += "line " + std::to_string(i) + "\n";
  WriteGzipFile(dir.path() / "whole.gz", contents);
  std::string packed;
  {
    std::ifstream in(dir.path() / "whole.gz", std::ios::binary);
    packed.assign(std::istreambuf_iterator<char>(in), {});
  }
  WriteFile(dir.path() / "cut.gz", packed.substr(0, packed.size() / 2));
  Result<LineReader> cut = LineReader::Open(dir.path() / "cut.gz");
  REQUIRE(cut.ok());
  std::string line;
  std::uint64_t count = 0;
  while (cut->Next(line))
    ++count;
  CHECK(count < 20000);
  CHECK_FALSE(cut->status().ok());
  CHECK(cut->status().message().find("cut.gz") != std::string::npos);
}

TEST_CASE("LineReader errors name the file as given, the line and the field") {
  TempDir dir;
  WriteFile(dir.path() / "roads.csv", "header\nrow\n");
  const fs::path path = dir.path() / "roads.csv";
  Result<LineReader> reader = LineReader::Open(path);
  REQUIRE(reader.ok());
  std::string line;
  REQUIRE(reader->Next(line));
  REQUIRE(reader->Next(line));
  const Status error = reader->Error("something is off");
  CHECK(error.code() == StatusCode::kInvalidArgument);
  CHECK(error.message() == path.string() + " line 2: something is off");
  const Status field = reader->FieldError("class", "unknown road class 'higway'");
  CHECK(field.message() == path.string() + " line 2, field 'class': unknown road class 'higway'");
}

TEST_CASE("SplitCsv follows RFC 4180 within a line") {
  auto split = [](std::string_view line) {
    Result<std::vector<std::string>> fields = SplitCsv(line);
    REQUIRE_MESSAGE(fields.ok(), fields.status().ToString());
    return *fields;
  };
  using V = std::vector<std::string>;
  CHECK(split("a,b,c") == V{"a", "b", "c"});
  CHECK(split("") == V{""});
  CHECK(split(",") == V{"", ""});
  CHECK(split("a,,c,") == V{"a", "", "c", ""});
  CHECK(split("\"a,b\",c") == V{"a,b", "c"});
  CHECK(split("\"say \"\"hi\"\"\",x") == V{"say \"hi\"", "x"});
  CHECK(split("\"\"") == V{""});
  CHECK(split("x,\"\"") == V{"x", ""});
  CHECK(split(" a , b ") == V{" a ", " b "});  // trimming is the caller's choice
  CHECK(split("拉萨,Lhasa") == V{"拉萨", "Lhasa"});

  for (std::string_view bad : {"\"open", "a,\"open,b", "\"a\"b,c", "a\"b,c", "\"\"\""}) {
    CAPTURE(bad);
    Result<std::vector<std::string>> fields = SplitCsv(bad);
    CHECK_FALSE(fields.ok());
    CHECK(fields.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(SplitCsv("\"open").status().message().find("unterminated quote") != std::string::npos);
}

TEST_CASE("ParseInt and ParseDouble accept whole fields only") {
  std::int64_t i = 0;
  CHECK(ParseInt("42", i));
  CHECK(i == 42);
  CHECK(ParseInt("-7", i));
  CHECK(i == -7);
  CHECK(ParseInt("9223372036854775807", i));
  for (std::string_view bad :
       {"", " 1", "1 ", "1a", "+1", "1.0", "1e3", "0x10", "9223372036854775808", "-"}) {
    CAPTURE(bad);
    i = 5;
    CHECK_FALSE(ParseInt(bad, i));
    CHECK(i == 5);  // untouched on failure
  }

  double d = 0;
  CHECK(ParseDouble("29.65", d));
  CHECK(d == 29.65);
  CHECK(ParseDouble("-91.1", d));
  CHECK(d == -91.1);
  CHECK(ParseDouble("1e3", d));
  CHECK(d == 1000.0);
  CHECK(ParseDouble("7", d));
  CHECK(d == 7.0);
  for (std::string_view bad :
       {"", " 1", "1 ", "1.2.3", "abc", "nan", "inf", "-inf", "1e999", "+1", "1,5"}) {
    CAPTURE(bad);
    d = 5;
    CHECK_FALSE(ParseDouble(bad, d));
    CHECK(d == 5);
  }
}

TEST_CASE("Trim strips ASCII whitespace and a byte order mark") {
  CHECK(Trim("  a b \t\r\n") == "a b");
  CHECK(Trim("\xEF\xBB\xBFid") == "id");
  CHECK(Trim(" \xEF\xBB\xBF id ") == "id");
  CHECK(Trim("") == "");
  CHECK(Trim(" \t ") == "");
  CHECK(Trim("拉萨 ") == "拉萨");
}

}  // namespace
}  // namespace baiying::loaders
