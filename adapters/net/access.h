#pragma once
// Who may send what to `baiying serve`: the roles of adapters/store/credentials.h applied to
// the body of a baiying.v1 Request. Pure functions, tested without a server.
//
//   unit     submit and submit_batch (for its own unit: an empty unit field is filled with
//            the credential's unit, another unit is refused), cancel, get_request, subscribe
//            (the server limits these to the unit's own requests, see OwnsRequest);
//   officer  every command except set_suspension and advance_time, every query, subscribe (a
//            submit that names no unit is filed under the credential's holder); in a drill
//            (Request.drill set) set_suspension and advance_time too, as they change only the
//            drill's own state, and end_drill;
//   admin    everything.
//
// A unit credential may take part in a drill as it does live, but may not end one.
//
// A refusal is PermissionDenied naming the credential (its id, never its token), its role and
// the body refused.

#include <string_view>

#include "adapters/proto/baiying.pb.h"
#include "adapters/store/credentials.h"
#include "engine/core/status.h"

namespace baiying::net {

// The name of the request's body as the schema spells it ("submit", "get_demand", ...), or
// "none".
std::string_view BodyName(const v1::Request& request);

// Whether `who` may send `request` at all. Also fills the empty units of a submit or of a
// batch's submits: with the credential's unit for a unit credential (which may name no other),
// with its holder for an officer or admin.
Status Permit(const store::Credential& who, v1::Request* request);

// Whether `who` may see or cancel a request of `request_unit`: officers and admins any, a
// unit only its own.
bool OwnsRequest(const store::Credential& who, std::string_view request_unit);

// "officer", "unit", "admin".
std::string_view RoleName(store::CredentialRole role);

}  // namespace baiying::net
