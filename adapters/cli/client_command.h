#pragma once
// The duty officer's client commands, talking to `baiying serve` over the network:
// `baiying submit`, `baiying status ID`, `baiying demand`. Readable output by default, JSON
// (the protobuf JSON mapping of the Reply) with --json.
//
// Exit codes (route_command.h): 0 answered; 2 a bad flag; 3 the server refused the request
// (its error code and message are printed); 4 the server cannot be reached or answers
// nonsense.

#include <iosfwd>
#include <string>

#include "engine/core/time.h"

namespace baiying::cli {

struct ClientFlags {
  std::string server = "127.0.0.1:7878";  // HOST:PORT
  bool json = false;
  double timeout_seconds = 10;
};

struct SubmitFlags {
  std::string id;  // default: generated from the clock
  std::string unit = "duty officer";
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

}  // namespace baiying::cli
