#pragma once
// The duty officer's client commands, talking to `baiying serve` over the network: submit,
// status, demand; the commands on requests, teams and roads (cancel, ack, decline, enroute,
// arrive, release, duty, close-road, reopen-road); and watch, which prints events as they
// happen. Readable output by default, JSON (the protobuf JSON mapping of the Reply) with
// --json; watch --json prints one JSON object per event and line.
//
// Every request carries the credential of --token (main.cc falls back to $BAIYING_TOKEN).
//
// Exit codes (route_command.h): 0 answered; 2 a bad flag; 3 the server refused the request
// (its error code and message are printed); 4 the server cannot be reached or answers
// nonsense, or a watch's connection dropped.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/time.h"

namespace baiying::cli {

struct ClientFlags {
  std::string server = "127.0.0.1:7878";  // HOST:PORT
  std::string token;                      // the credential; empty: none (the server refuses)
  bool json = false;
  double timeout_seconds = 10;
};

struct SubmitFlags {
  std::string id;  // default: generated from the clock
  std::string unit;  // empty: the server fills in the credential's unit (or its holder)
  std::string at;    // the unit's place: a name, or "lat,lon"
  std::string need;  // "medical:2,transport:1"
  std::string priority = "urgent";
  std::string mode = "emergency";
  double deadline_hours = 6;
  Instant now{};  // the deadline counts from here
};

int RunSubmit(const ClientFlags& client, const SubmitFlags& flags, std::ostream& out,
              std::ostream& err);
int RunStatus(const ClientFlags& client, const std::string& request_id, std::ostream& out,
              std::ostream& err);
int RunDemand(const ClientFlags& client, std::ostream& out, std::ostream& err);

// One command on a request, a team or a road; each prints the events it caused.
enum class OfficerAction : std::uint8_t {
  kCancel,       // request_id, reason
  kAcknowledge,  // request_id, team
  kDecline,      // request_id, team, reason: the line is filled again
  kEnRoute,      // team (on its way to the request it is assigned to)
  kOnScene,      // team
  kRelease,      // team, home: free again where it is, or back home
  kSetDuty,      // team, duty ("on" or "off")
  kCloseRoad,    // from, to, reason: places by name or numeric id
  kReopenRoad,   // from, to
};

struct OfficerFlags {
  OfficerAction action = OfficerAction::kCancel;
  std::string request_id;
  std::string team;
  std::string reason;
  std::string from, to;
  std::string duty;
  bool home = false;
};

// The command's name on the command line ("cancel", "ack", ...).
std::string_view OfficerCommandName(OfficerAction action);

int RunOfficerCommand(const ClientFlags& client, const OfficerFlags& flags, std::ostream& out,
                      std::ostream& err);

struct WatchFlags {
  std::vector<std::string> request_ids;  // empty: every event the credential may see
  std::size_t count = 0;                 // stop after this many events; 0: run on
};

// Subscribes and prints each pushed event as it comes: "<received, UTC ISO> <text>", or with
// --json {"received_at": ..., "event": {...}} on one line. Says on `err` when the subscription
// is in place. The connect and the subscribe are bounded by the timeout, the waiting for
// events is not. Returns 0 after `count` events or on SIGINT/SIGTERM, 3 when the server
// refuses the subscription or ends it with an error, 4 when the connection drops.
int RunWatch(const ClientFlags& client, const WatchFlags& flags, std::ostream& out,
             std::ostream& err);

}  // namespace baiying::cli
