// Status and Result<T>: the codes, the messages, prefixes, and early return.

#include "engine/core/status.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace baiying {
namespace {

TEST_CASE("a default Status is OK and prints as OK") {
  const Status status;
  CHECK(status.ok());
  CHECK(status.code() == StatusCode::kOk);
  CHECK(status.message().empty());
  CHECK(status.ToString() == "OK");
  CHECK(Status::Ok().ok());
  CHECK(Status::Ok().ToString() == "OK");
}

TEST_CASE("each factory sets its code and keeps its message") {
  struct Case {
    Status status;
    StatusCode code;
    std::string name;
  };
  const std::vector<Case> cases = {
      {Status::InvalidArgument("roads.csv line 41: unknown road class 'higway'"),
       StatusCode::kInvalidArgument, "InvalidArgument"},
      {Status::NotFound("place 成都"), StatusCode::kNotFound, "NotFound"},
      {Status::FailedPrecondition("team 7 is off duty"), StatusCode::kFailedPrecondition,
       "FailedPrecondition"},
      {Status::ResourceExhausted("frame of 9 MB over the 4 MB limit"),
       StatusCode::kResourceExhausted, "ResourceExhausted"},
      {Status::Unavailable("journal disk full"), StatusCode::kUnavailable, "Unavailable"},
      {Status::Internal("heap out of order"), StatusCode::kInternal, "Internal"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK_FALSE(c.status.ok());
    CHECK(c.status.code() == c.code);
    CHECK(StatusCodeName(c.code) == c.name);
    CHECK(c.status.ToString() == c.name + ": " + c.status.message());
  }
  CHECK(cases[0].status.message() == "roads.csv line 41: unknown road class 'higway'");
  CHECK(cases[1].status.ToString() == "NotFound: place 成都");
  CHECK(StatusCodeName(StatusCode::kOk) == "OK");
}

TEST_CASE("the constructor takes any code and message") {
  const Status status(StatusCode::kUnavailable, "peer gone");
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message() == "peer gone");
  CHECK(status.ToString() == "Unavailable: peer gone");
}

TEST_CASE("WithPrefix puts context in front and keeps the code, and leaves OK alone") {
  const Status inner = Status::InvalidArgument("unknown road class 'higway'");
  const Status outer = inner.WithPrefix("roads.csv line 41");
  CHECK(outer.code() == StatusCode::kInvalidArgument);
  CHECK(outer.message() == "roads.csv line 41: unknown road class 'higway'");
  CHECK(outer.ToString() == "InvalidArgument: roads.csv line 41: unknown road class 'higway'");
  // The original is unchanged: WithPrefix returns a copy.
  CHECK(inner.message() == "unknown road class 'higway'");
  // Prefixes nest outwards.
  CHECK(outer.WithPrefix("load xizang").message() ==
        "load xizang: roads.csv line 41: unknown road class 'higway'");

  const Status ok = Status::Ok().WithPrefix("roads.csv");
  CHECK(ok.ok());
  CHECK(ok.message().empty());
  CHECK(ok.ToString() == "OK");
}

TEST_CASE("Result holds a value") {
  Result<int> result = 42;
  CHECK(result.ok());
  CHECK(result.status().ok());
  CHECK(result.status().code() == StatusCode::kOk);
  CHECK(result.value() == 42);
  CHECK(*result == 42);
  result.value() = 7;
  CHECK(*result == 7);

  Result<std::string> text = std::string("拉萨");
  REQUIRE(text.ok());
  CHECK(text->size() == std::string("拉萨").size());
  CHECK(*text == "拉萨");
  const Result<std::string>& const_text = text;
  CHECK(const_text.value() == "拉萨");
  CHECK(const_text->empty() == false);
}

TEST_CASE("Result holds a non-OK status") {
  const Result<int> result = Status::NotFound("place 成都");
  CHECK_FALSE(result.ok());
  CHECK(result.status().code() == StatusCode::kNotFound);
  CHECK(result.status().message() == "place 成都");
  CHECK(result.status().ToString() == "NotFound: place 成都");
}

TEST_CASE("Result moves its value out, including move-only values") {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(5);
  REQUIRE(result.ok());
  std::unique_ptr<int> owned = std::move(result).value();
  REQUIRE(owned != nullptr);
  CHECK(*owned == 5);

  Result<std::vector<int>> many = std::vector<int>{1, 2, 3};
  const std::vector<int> taken = std::move(many).value();
  CHECK(taken == std::vector<int>{1, 2, 3});
}

// --- BAIYING_RETURN_IF_ERROR ---

Status Check(bool good, int* calls) {
  ++*calls;
  return good ? Status::Ok() : Status::FailedPrecondition("step " + std::to_string(*calls));
}

Status TwoSteps(bool first_good, bool second_good, int* calls, bool* finished) {
  BAIYING_RETURN_IF_ERROR(Check(first_good, calls));
  BAIYING_RETURN_IF_ERROR(Check(second_good, calls));
  *finished = true;
  return Status::Ok();
}

Result<int> Doubled(bool good, int value, int* calls) {
  BAIYING_RETURN_IF_ERROR(Check(good, calls));
  return value * 2;
}

TEST_CASE("BAIYING_RETURN_IF_ERROR returns the first error and runs nothing after it") {
  int calls = 0;
  bool finished = false;
  const Status all_good = TwoSteps(true, true, &calls, &finished);
  CHECK(all_good.ok());
  CHECK(calls == 2);
  CHECK(finished);

  calls = 0;
  finished = false;
  const Status first_bad = TwoSteps(false, true, &calls, &finished);
  CHECK(first_bad.code() == StatusCode::kFailedPrecondition);
  CHECK(first_bad.message() == "step 1");
  CHECK(calls == 1);
  CHECK_FALSE(finished);

  calls = 0;
  finished = false;
  const Status second_bad = TwoSteps(true, false, &calls, &finished);
  CHECK(second_bad.code() == StatusCode::kFailedPrecondition);
  CHECK(second_bad.message() == "step 2");
  CHECK(calls == 2);
  CHECK_FALSE(finished);
}

TEST_CASE("BAIYING_RETURN_IF_ERROR works in a function returning Result<T>") {
  int calls = 0;
  const Result<int> good = Doubled(true, 21, &calls);
  REQUIRE(good.ok());
  CHECK(*good == 42);

  const Result<int> bad = Doubled(false, 21, &calls);
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kFailedPrecondition);
  CHECK(bad.status().message() == "step 2");
  CHECK(calls == 2);
}

}  // namespace
}  // namespace baiying
