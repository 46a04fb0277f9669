#pragma once
// Credentials: who may talk to `baiying serve`. Each requesting unit, each duty officer and
// each administrator holds a token; the registry database keeps, per credential, its role,
// its holder, the first characters of its token (to recognise it in a list) and the SHA-256
// of the whole token, never the token itself, which is shown once, when it is issued.
//
// Roles, from least to most:
//   unit     a requesting unit: submits requests for its own unit, cancels them, reads them,
//            watches them;
//   officer  a duty officer: every dispatch command (submit, cancel, acknowledge, decline,
//            en route, on scene, release, team on/off duty, road closed/reopened), every
//            query, watching every event;
//   admin    registry staff: what an officer may do, and registry changes (suspending and
//            reinstating teams) and moving the server's clock.
//
// Tokens are "by_" followed by 32 lowercase hex digits (128 random bits from the operating
// system's random source).
//
// CredentialStore opens the registry database file (the same migrations as RegistryStore, see
// schema.h) on a connection of its own; it is not thread-safe. CredentialGate wraps one for
// the server: thread-safe, it answers each token from an in-memory table and reloads that
// table whenever the file has changed (PRAGMA data_version), so a revocation by
// `baiying credentials revoke` in another process is honoured by the server's next request.
//
// Each issue and revocation also writes a row to the registry's audit table (entity
// "credential", action "issue" or "revoke", code the credential's id, why the reason), in the
// same transaction; the row names the role, the unit and the token's prefix, not the holder
// (a person's name stays out of the audit, as elsewhere in the registry).
//
// Messages of InvalidArgument from Issue and Revoke begin with the field at fault ("holder:
// must not be empty"), named as the parameter (holder, unit, by, reason).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying::store {

enum class CredentialRole { kUnit, kOfficer, kAdmin };
std::string_view ToString(CredentialRole role);                     // "unit", "officer", "admin"
Result<CredentialRole> ParseCredentialRole(std::string_view text);  // names the choices

struct Credential {
  std::string id;  // "CR-0001", in issue order
  CredentialRole role = CredentialRole::kOfficer;
  std::string holder;        // who holds it: "值班员 张伟", "定日边防连"
  std::string unit;          // the requesting unit a unit credential speaks for; else empty
  std::string token_prefix;  // the token's first 8 characters ("by_3f9a0")
  Instant issued_at{};
  std::string issued_by;
  std::optional<Instant> revoked_at;
  std::string revoked_by;
  std::string revoke_reason;

  bool revoked() const { return revoked_at.has_value(); }
};

struct IssuedCredential {
  Credential credential;
  std::string token;  // the whole token: shown once, kept nowhere
};

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

class CredentialStore {
 public:
  // Opens (creating when allowed) the registry database and migrates it.
  struct Options {
    bool must_exist = false;
    int busy_timeout_ms = 5000;
  };
  static Result<CredentialStore> Open(const std::filesystem::path& path, const Options& options);

  CredentialStore(CredentialStore&&) noexcept;
  CredentialStore& operator=(CredentialStore&&) noexcept;
  ~CredentialStore();

  // Issues a new credential. InvalidArgument when `holder` or `by` is empty, when a unit
  // credential names no unit, or when an officer or admin credential names one.
  Result<IssuedCredential> Issue(CredentialRole role, std::string_view holder,
                                 std::string_view unit, std::string_view by, Instant when);
  // Every credential, revoked ones too, in id order.
  Result<std::vector<Credential>> List();
  // Revokes `id`. NotFound for an unknown id; FailedPrecondition when already revoked;
  // InvalidArgument when `by` or `reason` is empty.
  Status Revoke(std::string_view id, std::string_view by, std::string_view reason, Instant when);
  // The live credential holding `token`: Unauthenticated when there is none (unknown token;
  // "no credential given" for an empty one) or it was revoked (the message says which, never
  // echoing the token).
  Result<Credential> Authenticate(std::string_view token);
  // Counts of live credentials by role, for `serve` to tell whether anyone can use it yet.
  Result<std::int64_t> CountLive(CredentialRole role);
  // Changes whenever any connection has committed a change to the file (PRAGMA data_version,
  // which counts other connections' commits, plus this store's own).
  Result<std::int64_t> DataVersion();

 private:
  friend class CredentialGate;  // reads the table with the digests, which nothing else sees
  struct Impl;
  explicit CredentialStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Thread-safe token checks for the server, reloading when the file changes.
class CredentialGate {
 public:
  // The file must exist (the server's registry database); it is migrated like any other open.
  static Result<std::unique_ptr<CredentialGate>> Open(const std::filesystem::path& path);
  ~CredentialGate();

  // As CredentialStore::Authenticate, from memory; Unavailable when the file cannot be read
  // to reload it.
  Result<Credential> Authenticate(std::string_view token);

 private:
  struct Impl;
  explicit CredentialGate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baiying::store
