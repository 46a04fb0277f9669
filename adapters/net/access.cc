#include "adapters/net/access.h"

#include <string>

namespace baiying::net {
namespace {

Status Refuse(const store::Credential& who, std::string_view body, std::string_view why) {
  return Status::PermissionDenied("credential " + who.id + " (" + std::string(RoleName(who.role)) +
                                  ", " + who.holder + ") may not send " + std::string(body) +
                                  ": " + std::string(why));
}

Status BindUnit(const store::Credential& who, v1::Submit* submit, std::string_view field) {
  const bool unit = who.role == store::CredentialRole::kUnit;
  if (submit->unit().empty()) {
    submit->set_unit(unit ? who.unit : who.holder);
    return Status::Ok();
  }
  if (unit && submit->unit() != who.unit) {
    return Refuse(who, field,
                  "a unit credential submits for its own unit '" + who.unit + "', not '" +
                      submit->unit() + "'");
  }
  return Status::Ok();
}

}  // namespace

std::string_view RoleName(store::CredentialRole role) {
  switch (role) {
    case store::CredentialRole::kUnit:
      return "unit";
    case store::CredentialRole::kOfficer:
      return "officer";
    case store::CredentialRole::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::string_view BodyName(const v1::Request& request) {
  if (request.body_case() == v1::Request::BODY_NOT_SET) return "none";
  const google::protobuf::FieldDescriptor* field =
      v1::Request::descriptor()->FindFieldByNumber(static_cast<int>(request.body_case()));
  return field == nullptr ? std::string_view("unknown") : std::string_view(field->name());
}

Status Permit(const store::Credential& who, v1::Request* request) {
  const std::string_view body = BodyName(*request);
  if (request->has_submit()) {
    return BindUnit(who, request->mutable_submit(), "submit.unit");
  }
  if (request->has_submit_batch()) {
    for (int i = 0; i < request->submit_batch().requests_size(); ++i) {
      BAIYING_RETURN_IF_ERROR(BindUnit(who, request->mutable_submit_batch()->mutable_requests(i),
                                       "submit_batch.requests[" + std::to_string(i) + "].unit"));
    }
    return Status::Ok();
  }
  switch (who.role) {
    case store::CredentialRole::kAdmin:
      return Status::Ok();
    case store::CredentialRole::kOfficer:
      // A drill's suspensions and clock are its own: the officer running it moves them.
      if ((request->has_set_suspension() || request->has_advance_time()) &&
          request->drill().empty()) {
        return Refuse(who, body, "registry changes and the server's clock need an admin credential");
      }
      return Status::Ok();
    case store::CredentialRole::kUnit:
      break;
  }
  switch (request->body_case()) {
    case v1::Request::kCancel:
    case v1::Request::kGetRequest:
    case v1::Request::kSubscribe:
      return Status::Ok();
    default:
      return Refuse(who, body, "a unit credential submits, cancels, reads and watches its own "
                               "requests; this needs a duty officer's");
  }
}

bool OwnsRequest(const store::Credential& who, std::string_view request_unit) {
  return who.role != store::CredentialRole::kUnit || request_unit == who.unit;
}

}  // namespace baiying::net
