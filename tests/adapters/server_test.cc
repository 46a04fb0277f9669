// The server on loopback (tests/support/server_fixture.h): frames, concurrency, durability,
// credentials and watching.

#include "adapters/net/server.h"

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <functional>
#include <thread>
#include <vector>

#include "adapters/net/client.h"
#include "adapters/net/frame.h"
#include "tests/support/server_fixture.h"

namespace {

using namespace baiying::testing;  // NOLINT: the fixture's names read better bare
using baiying::Instant;
using baiying::Result;

std::string Frame(const google::protobuf::Message& message) {
  return baiying::EncodeFrame(message.SerializeAsString());
}

// The server still answers a fresh client.
void CheckStillServing(const RunningServer& server) {
  Client client = server.Connect();
  v1::Request demand;
  demand.mutable_get_demand();
  Result<v1::Reply> reply = client.Call(demand);
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  CHECK(reply->code() == v1::OK);
  CHECK(reply->has_demand());
}

}  // namespace

TEST_CASE("server: a submit gets its assignments, and queries read them back") {
  World world;
  RunningServer server(world);
  Client client = server.Connect();
  Result<v1::Reply> reply = client.Call(Submit("R1", 16, {{"medical", 2}, {"transport", 1}}));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  INFO(reply->DebugString());
  REQUIRE(reply->code() == v1::OK);
  REQUIRE(reply->events().events_size() >= 3);
  CHECK(reply->events().events(0).has_request_accepted());
  CHECK(AssignedTeams(*reply).size() >= 2);

  Result<v1::Reply> state = client.Call(GetRequest("R1"));
  REQUIRE(state.ok());
  REQUIRE(state->code() == v1::OK);
  CHECK(state->request().request_id() == "R1");
  CHECK(Assignments(*state).size() == AssignedTeams(*reply).size());

  Result<v1::Reply> unknown = client.Call(GetRequest("nobody"));
  REQUIRE(unknown.ok());
  CHECK(unknown->code() == v1::NOT_FOUND);

  // A command the codec refuses is answered, and the connection stays open.
  v1::Request nowhere = Submit("R2", 16, {{"medical", 1}});
  nowhere.mutable_submit()->set_place_name("无此地");
  Result<v1::Reply> refused = client.Call(nowhere);
  REQUIRE(refused.ok());
  CHECK(refused->code() == v1::NOT_FOUND);
  v1::Request open;
  open.mutable_list_open_requests();
  Result<v1::Reply> listed = client.Call(open);
  REQUIRE(listed.ok());
  CHECK(listed->code() == v1::OK);
  CHECK(listed->has_open_requests());
}

TEST_CASE("server: bad frames get an error reply and a close; the server serves on") {
  World world;
  RunningServer server(world);
  const auto expect_error_and_close = [&](const std::string& bytes, v1::ErrorCode code) {
    Client client = server.Connect();
    REQUIRE(client.SendBytes(bytes).ok());
    Result<v1::Reply> reply = client.ReadReply();
    REQUIRE_MESSAGE(reply.ok(), reply.status().message());
    CHECK(reply->code() == code);
    CHECK(!reply->message().empty());
    CHECK(client.WaitClosed());
    CheckStillServing(server);
  };
  SUBCASE("oversize") {
    expect_error_and_close(std::string("\x00\x01\x00\x01", 4) + "xx", v1::RESOURCE_EXHAUSTED);
  }
  SUBCASE("zero length") {
    expect_error_and_close(std::string("\x00\x00\x00\x00", 4), v1::INVALID_ARGUMENT);
  }
  SUBCASE("garbage payload") {
    expect_error_and_close(baiying::EncodeFrame("\xff\xff\xff\xff garbage"), v1::INVALID_ARGUMENT);
  }
  SUBCASE("another message type") {
    v1::Reply wrong;
    wrong.set_correlation_id(7);
    wrong.set_message("I am a reply");
    wrong.mutable_events();
    expect_error_and_close(Frame(wrong), v1::INVALID_ARGUMENT);
  }
  SUBCASE("a request without a body") {
    v1::Request empty;
    empty.set_correlation_id(9);
    expect_error_and_close(Frame(empty), v1::INVALID_ARGUMENT);
  }
  SUBCASE("truncated: closed when the read timeout passes") {
    Client client = server.Connect();
    const std::string frame = Frame(Submit("T1", 16, {{"medical", 1}}));
    REQUIRE(client.SendBytes(frame.substr(0, frame.size() / 2)).ok());
    const auto before = std::chrono::steady_clock::now();
    CHECK(client.WaitClosed());
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(3));
    CheckStillServing(server);
  }
}

TEST_CASE("server: 200 clients submitting at once all get answers, no team assigned twice") {
  World world;
  RunningServer server(world);
  constexpr int kClients = 200;
  const std::uint32_t places = static_cast<std::uint32_t>(world.graph->place_count());
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::string> teams;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Result<Client> client = Client::Connect("127.0.0.1", server.server().port());
      if (client.ok()) client->set_token(std::string(kOfficerToken));
      if (!client.ok()) {
        std::lock_guard lock(mutex);
        failures.push_back(client.status().message());
        return;
      }
      const std::string id = "S" + std::to_string(i);
      Result<v1::Reply> reply = client->Call(Submit(id, static_cast<std::uint32_t>(i * 7) % places,
                                                    {{"medical", 1}, {"transport", 1}}));
      std::lock_guard lock(mutex);
      if (!reply.ok()) {
        failures.push_back(id + ": " + reply.status().message());
      } else if (reply->code() != v1::OK) {
        failures.push_back(id + ": " + reply->message());
      } else {
        ++answered;
        for (std::string& team : AssignedTeams(*reply))
          teams.push_back(std::move(team));
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  INFO("failures: " << (failures.empty() ? std::string() : failures.front()));
  CHECK(failures.empty());
  CHECK(answered == kClients);
  CHECK(!teams.empty());
  const std::set<std::string> unique(teams.begin(), teams.end());
  CHECK(unique.size() == teams.size());
  CHECK(server.server().journaled() == kClients);
  CHECK(server.server().commits() <= server.server().journaled());
  MESSAGE(kClients << " submits took " << server.server().commits() << " commits");
}

TEST_CASE("server: when the journal cannot be written, commands are refused and not applied") {
  World world;
  RunningServer server(world, RunningServer::Options(), {.max_file_bytes = 48 * 1024});
  Client client = server.Connect();
  // Cancels of unknown requests with long reasons fill the journal (they are journaled, then
  // refused by the dispatcher), submits between them, until a submit meets the full journal.
  std::map<std::string, v1::ErrorCode> submitted;
  bool refused = false;
  for (int i = 0; i < 400 && !refused; ++i) {
    v1::Request cancel;
    cancel.mutable_cancel()->set_request_id("none");
    cancel.mutable_cancel()->set_reason(std::string(1000, 'x'));
    Result<v1::Reply> cancelled = client.Call(cancel);
    REQUIRE(cancelled.ok());
    CHECK((cancelled->code() == v1::NOT_FOUND || cancelled->code() == v1::UNAVAILABLE));
    const std::string id = "F" + std::to_string(i);
    Result<v1::Reply> reply = client.Call(Submit(id, 16, {{"medical", 1}}));
    REQUIRE(reply.ok());
    CHECK((reply->code() == v1::OK || reply->code() == v1::UNAVAILABLE));
    submitted[id] = reply->code();
    refused = reply->code() == v1::UNAVAILABLE;
  }
  REQUIRE(refused);
  // Acknowledged means applied; refused means not.
  for (const auto& [id, code] : submitted) {
    Result<v1::Reply> state = client.Call(GetRequest(id));
    REQUIRE(state.ok());
    CHECK(state->code() == (code == v1::OK ? v1::OK : v1::NOT_FOUND));
  }
}

TEST_CASE("server: connections above the limit are refused with RESOURCE_EXHAUSTED") {
  World world;
  ServerOptions options = RunningServer::Options();
  options.max_connections = 2;
  RunningServer server(world, options);
  Client first = server.Connect();
  Client second = server.Connect();
  v1::Request demand;
  demand.mutable_get_demand();
  REQUIRE(first.Call(demand).ok());  // both are registered before the third arrives
  REQUIRE(second.Call(demand).ok());
  Client third = server.Connect();
  Result<v1::Reply> refused = third.ReadReply();
  REQUIRE(refused.ok());
  CHECK(refused->code() == v1::RESOURCE_EXHAUSTED);
  CHECK(third.WaitClosed());
  Result<v1::Reply> still = first.Call(demand);
  REQUIRE(still.ok());
  CHECK(still->code() == v1::OK);
}

TEST_CASE("server: a restarted server recovers every request with the same assignments") {
  World world;
  std::map<std::string, std::map<std::string, std::uint32_t>> before;
  std::map<std::string, std::string> first_answer;
  {
    RunningServer server(world);
    Client client = server.Connect();
    for (int i = 0; i < 6; ++i) {
      const std::string id = "J" + std::to_string(i);
      Result<v1::Reply> reply =
          client.Call(Submit(id, static_cast<std::uint32_t>(i * 13), {{"medical", 2}}));
      REQUIRE(reply.ok());
      REQUIRE(reply->code() == v1::OK);
      first_answer[id] = reply->events().SerializeAsString();
    }
    for (const auto& [id, answer] : first_answer) {
      Result<v1::Reply> state = client.Call(GetRequest(id));
      REQUIRE(state.ok());
      REQUIRE(state->code() == v1::OK);
      before[id] = Assignments(*state);
    }
    server.Stop();
  }
  RunningServer restarted(world);
  CHECK(restarted.server().recovered_applied() == 6);
  CHECK(restarted.server().recovered_skipped() == 0);
  Client client = restarted.Connect();
  for (const auto& [id, assignments] : before) {
    Result<v1::Reply> state = client.Call(GetRequest(id));
    REQUIRE(state.ok());
    REQUIRE(state->code() == v1::OK);
    CHECK(Assignments(*state) == assignments);
  }
  // The same id again changes nothing and gets its first answer back.
  Result<v1::Reply> again = client.Call(Submit("J0", 0, {{"medical", 2}}));
  REQUIRE(again.ok());
  CHECK(again->events().SerializeAsString() == first_answer["J0"]);
}

TEST_CASE("server: unknown, revoked and missing credentials are refused; nothing is journaled") {
  World world;
  RunningServer server(world);
  for (const std::string_view token : {std::string_view("by_nobody"), kRevokedToken,
                                       std::string_view()}) {
    CAPTURE(token);
    Client client = server.Connect(token);
    Result<v1::Reply> reply = client.Call(Submit("X1", 16, {{"medical", 1}}));
    REQUIRE(reply.ok());
    CHECK(reply->code() == v1::UNAUTHENTICATED);
    CHECK(reply->message().find(std::string(token.empty() ? "unknown" : "credential")) !=
          std::string::npos);
    // The connection stays open and a query is refused the same way.
    Result<v1::Reply> query = client.Call(GetRequest("X1"));
    REQUIRE(query.ok());
    CHECK(query->code() == v1::UNAUTHENTICATED);
  }
  CHECK(server.server().journaled() == 0);
  Client officer = server.Connect();
  Result<v1::Reply> state = officer.Call(GetRequest("X1"));
  REQUIRE(state.ok());
  CHECK(state->code() == v1::NOT_FOUND);
}

TEST_CASE("server: what each role may send") {
  World world;
  RunningServer server(world);
  Client officer = server.Connect();
  Client admin = server.Connect(kAdminToken);
  Client dingri = server.Connect(UnitToken("定日边防连"));
  Client other = server.Connect(UnitToken("萨嘎边防营"));

  v1::Request suspend;
  suspend.mutable_set_suspension()->set_team("TM-LS-MED-01");
  suspend.mutable_set_suspension()->set_suspended(true);
  suspend.mutable_set_suspension()->set_reason("drill of the access rules");
  Result<v1::Reply> refused = officer.Call(suspend);
  REQUIRE(refused.ok());
  CHECK(refused->code() == v1::PERMISSION_DENIED);
  CHECK(refused->message().find("admin") != std::string::npos);
  Result<v1::Reply> by_admin = admin.Call(suspend);
  REQUIRE(by_admin.ok());
  CHECK(by_admin->code() != v1::PERMISSION_DENIED);
  CHECK(by_admin->code() != v1::UNAUTHENTICATED);

  // A unit submits for itself: an empty unit is filled in, another unit is refused.
  v1::Request mine = Submit("U1", 16, {{"medical", 1}});
  mine.mutable_submit()->clear_unit();
  Result<v1::Reply> accepted = dingri.Call(mine);
  REQUIRE(accepted.ok());
  REQUIRE_MESSAGE(accepted->code() == v1::OK, accepted->message());
  v1::Request theirs = Submit("U2", 16, {{"medical", 1}});
  theirs.mutable_submit()->set_unit("萨嘎边防营");
  Result<v1::Reply> impersonating = dingri.Call(theirs);
  REQUIRE(impersonating.ok());
  CHECK(impersonating->code() == v1::PERMISSION_DENIED);

  // It reads its own request, not another unit's; it cannot cancel another unit's.
  Result<v1::Reply> own = dingri.Call(GetRequest("U1"));
  REQUIRE(own.ok());
  REQUIRE(own->code() == v1::OK);
  CHECK(own->request().unit() == "定日边防连");
  Result<v1::Reply> peeking = other.Call(GetRequest("U1"));
  REQUIRE(peeking.ok());
  CHECK(peeking->code() == v1::PERMISSION_DENIED);
  const std::uint64_t journaled_before = server.server().journaled();
  v1::Request cancel;
  cancel.mutable_cancel()->set_request_id("U1");
  cancel.mutable_cancel()->set_reason("not ours to cancel");
  Result<v1::Reply> foreign_cancel = other.Call(cancel);
  REQUIRE(foreign_cancel.ok());
  CHECK(foreign_cancel->code() == v1::PERMISSION_DENIED);
  CHECK(server.server().journaled() == journaled_before);

  // Officer-only bodies.
  v1::Request demand;
  demand.mutable_get_demand();
  Result<v1::Reply> unit_demand = dingri.Call(demand);
  REQUIRE(unit_demand.ok());
  CHECK(unit_demand->code() == v1::PERMISSION_DENIED);
  v1::Request close;
  close.mutable_close_road()->mutable_from()->set_id(16);
  close.mutable_close_road()->mutable_to()->set_id(
      world.graph->head(baiying::ArcId(world.graph->first_out(baiying::PlaceId(16)))).value());
  Result<v1::Reply> unit_close = dingri.Call(close);
  REQUIRE(unit_close.ok());
  CHECK(unit_close->code() == v1::PERMISSION_DENIED);

  // Its own cancel goes through.
  Result<v1::Reply> own_cancel = dingri.Call(cancel);
  REQUIRE(own_cancel.ok());
  CHECK_MESSAGE(own_cancel->code() == v1::OK, own_cancel->message());
}

namespace {

// Reads pushed frames until `pred` holds on the events seen so far or the client times out.
std::vector<v1::Event> ReadEventsUntil(Client& watcher,
                                       const std::function<bool(const std::vector<v1::Event>&)>& pred) {
  std::vector<v1::Event> seen;
  while (!pred(seen)) {
    Result<v1::Reply> push = watcher.ReadReply();
    if (!push.ok()) break;
    for (const v1::Event& e : push->events().events())
      seen.push_back(e);
  }
  return seen;
}

bool HasAcceptance(const std::vector<v1::Event>& events, const std::string& id) {
  for (const v1::Event& e : events) {
    if (e.has_request_accepted() && e.request_accepted().request_id() == id) return true;
  }
  return false;
}

v1::Request Watch(std::vector<std::string> ids = {}) {
  v1::Request request;
  v1::Subscribe* subscribe = request.mutable_subscribe();
  for (const std::string& id : ids)
    subscribe->add_request_ids(id);
  return request;
}

}  // namespace

TEST_CASE("server: a watcher gets the events of other clients' commands as they happen") {
  World world;
  RunningServer server(world);
  Client all = server.Connect();
  Result<v1::Reply> subscribed = all.Call(Watch());
  REQUIRE(subscribed.ok());
  REQUIRE_MESSAGE(subscribed->code() == v1::OK, subscribed->message());
  CHECK(subscribed->has_subscribed());
  Client only_w2 = server.Connect();
  REQUIRE(only_w2.Call(Watch({"W2"}))->has_subscribed());
  Client unit_watch = server.Connect(UnitToken("定日边防连"));
  REQUIRE(unit_watch.Call(Watch())->has_subscribed());

  Client officer = server.Connect();
  Result<v1::Reply> w1 = officer.Call(Submit("W1", 16, {{"medical", 1}}));
  REQUIRE(w1.ok());
  REQUIRE(w1->code() == v1::OK);
  v1::Request w2 = Submit("W2", 20, {{"transport", 1}});
  w2.mutable_submit()->set_unit("定日边防连");
  REQUIRE(officer.Call(w2)->code() == v1::OK);
  v1::Request close;
  close.mutable_close_road()->mutable_from()->set_id(16);
  close.mutable_close_road()->mutable_to()->set_id(
      world.graph->head(baiying::ArcId(world.graph->first_out(baiying::PlaceId(16)))).value());
  close.mutable_close_road()->set_reason("watch test");
  Result<v1::Reply> closed = officer.Call(close);
  REQUIRE(closed.ok());

  // Everything, in order: W1's acceptance before W2's.
  const std::vector<v1::Event> seen = ReadEventsUntil(all, [](const auto& events) {
    return HasAcceptance(events, "W1") && HasAcceptance(events, "W2");
  });
  REQUIRE(HasAcceptance(seen, "W1"));
  REQUIRE(HasAcceptance(seen, "W2"));
  std::size_t first_w1 = seen.size(), first_w2 = seen.size();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (seen[i].text().find("W1") != std::string::npos) first_w1 = std::min(first_w1, i);
    if (seen[i].text().find("W2") != std::string::npos) first_w2 = std::min(first_w2, i);
  }
  CHECK(first_w1 < first_w2);
  // Only W2's events for the filtered watcher and for the unit's own watcher.
  for (Client* c : {&only_w2, &unit_watch}) {
    const std::vector<v1::Event> filtered =
        ReadEventsUntil(*c, [](const auto& events) { return HasAcceptance(events, "W2"); });
    REQUIRE(HasAcceptance(filtered, "W2"));
    for (const v1::Event& e : filtered) {
      CHECK(e.text().find("W1") == std::string::npos);
      CHECK_FALSE(e.has_road_closed());
    }
  }
  // A watcher that leaves is forgotten; commands go on.
  { Client leaving = server.Connect(); REQUIRE(leaving.Call(Watch())->has_subscribed()); }
  Result<v1::Reply> w3 = officer.Call(Submit("W3", 16, {{"medical", 1}}));
  REQUIRE(w3.ok());
  CHECK(w3->code() == v1::OK);
  CHECK(HasAcceptance(ReadEventsUntil(all, [](const auto& events) {
                        return HasAcceptance(events, "W3");
                      }),
                      "W3"));
}
