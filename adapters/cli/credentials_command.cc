#include "adapters/cli/credentials_command.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>
#include <vector>

#include "adapters/cli/route_command.h"
#include "adapters/loaders/closures_csv.h"
#include "adapters/store/credentials.h"
#include "adapters/store/registry_store.h"

namespace baiying::cli {
namespace {

using json = nlohmann::ordered_json;

int Fail(std::ostream& err, std::string_view message, int code = kExitUsage) {
  err << "baiying credentials: " << message << "\n";
  return code;
}

// As `baiying registry`: trouble with the file is a data error, anything else the input's.
int ExitFor(const Status& s) {
  const bool file = s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kInternal;
  return file ? kExitDataError : kExitUsage;
}

// A store's InvalidArgument begins with the parameter at fault ("holder: ..."), which is the
// flag's name without its dashes.
int FailChange(std::ostream& err, const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) return Fail(err, "--" + s.message());
  return Fail(err, s.message(), ExitFor(s));
}

std::string By(const CredentialsFlags& flags) {
  if (!flags.by.empty()) return flags.by;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "operator";
}

// The registry database as `baiying registry` opens it (the default one created and seeded
// on first use), then the credentials on a connection of their own.
Result<store::CredentialStore> Open(const CredentialsFlags& flags, std::ostream& err) {
  RegistryFlags registry;
  registry.db = flags.db;
  registry.db_given = flags.db_given;
  registry.network = DefaultNetworkPath();
  registry.actor = By(flags);
  registry.now = flags.now;
  {
    Result<store::RegistryStore> opened = OpenRegistryStore(registry, err);
    if (!opened.ok()) {
      if (opened.status().code() != StatusCode::kNotFound) return opened.status();
      return Status::NotFound(opened.status().message() +
                              " (create it with `baiying registry init --db " + flags.db.string() +
                              "`)");
    }
  }
  return store::CredentialStore::Open(flags.db,
                                      store::CredentialStore::Options{.must_exist = true});
}

// Columns of a table printed for people: CJK characters take two columns of a terminal.
std::size_t DisplayWidth(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    char32_t cp = length == 1 ? lead : lead & (0x3f >> (length - 1));
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    const bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                      (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                      (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
    i += length;
  }
  return width;
}

std::string State(const store::Credential& c) {
  if (!c.revoked()) return "live";
  return "revoked on " + loaders::FormatIsoInstant(*c.revoked_at) + " by " + c.revoked_by + ": " +
         c.revoke_reason;
}

int Issue(store::CredentialStore& store, store::CredentialRole role, const CredentialsFlags& flags,
          std::ostream& out, std::ostream& err) {
  Result<store::IssuedCredential> issued =
      store.Issue(role, flags.holder, flags.unit, By(flags), flags.now);
  if (!issued.ok()) return FailChange(err, issued.status());
  const store::Credential& c = issued->credential;
  if (flags.json) {
    out << json{{"id", c.id},
                {"role", store::ToString(c.role)},
                {"holder", c.holder},
                {"unit", c.unit},
                {"token", issued->token}}
               .dump()
        << "\n";
    return kExitOk;
  }
  out << "issued " << c.id << ": " << store::ToString(c.role) << " credential held by " << c.holder;
  if (!c.unit.empty()) out << ", speaking for " << c.unit;
  out << "\n"
      << "token (shown only this once; the database keeps only its SHA-256):\n"
      << issued->token << "\n"
      << "A client presents it with --token TOKEN or in the environment variable "
         "BAIYING_TOKEN.\n";
  return kExitOk;
}

int List(store::CredentialStore& store, const CredentialsFlags& flags, std::ostream& out,
         std::ostream& err) {
  Result<std::vector<store::Credential>> all = store.List();
  if (!all.ok()) return Fail(err, all.status().message(), kExitDataError);
  if (flags.json) {
    json list = json::array();
    for (const store::Credential& c : *all) {
      list.push_back({{"id", c.id},
                      {"role", store::ToString(c.role)},
                      {"holder", c.holder},
                      {"unit", c.unit},
                      {"token_prefix", c.token_prefix},
                      {"issued_at", loaders::FormatIsoInstant(c.issued_at)},
                      {"issued_by", c.issued_by},
                      {"state", c.revoked() ? "revoked" : "live"},
                      {"revoked_at", c.revoked() ? json(loaders::FormatIsoInstant(*c.revoked_at))
                                                 : json(nullptr)},
                      {"revoked_by", c.revoked_by},
                      {"revoke_reason", c.revoke_reason}});
    }
    out << list.dump(2) << "\n";
    return kExitOk;
  }
  if (all->empty()) {
    out << "no credentials in " << flags.db.string()
        << "; issue one with `baiying credentials issue --role officer --holder NAME`\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ROLE", "HOLDER", "UNIT", "TOKEN", "ISSUED (UTC)", "STATE"}};
  for (const store::Credential& c : *all) {
    rows.push_back({c.id, std::string(store::ToString(c.role)), c.holder,
                    c.unit.empty() ? "-" : c.unit, c.token_prefix + "...",
                    loaders::FormatIsoInstant(c.issued_at), State(c)});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    out << line << "\n";
  }
  return kExitOk;
}

int Revoke(store::CredentialStore& store, const CredentialsFlags& flags, std::ostream& out,
           std::ostream& err) {
  if (Status s = store.Revoke(flags.id, By(flags), flags.reason, flags.now); !s.ok()) {
    return FailChange(err, s);
  }
  out << "revoked " << flags.id << "; baiying serve refuses its token from the next request\n";
  return kExitOk;
}

}  // namespace

int RunCredentials(const CredentialsFlags& flags, std::ostream& out, std::ostream& err) {
  // The role first, so that a typo in it never creates the default database.
  Result<store::CredentialRole> role = store::ParseCredentialRole(flags.role);
  if (flags.action == CredentialsAction::kIssue && !role.ok()) {
    return Fail(err, "--role: " + role.status().message());
  }
  Result<store::CredentialStore> store = Open(flags, err);
  if (!store.ok()) {
    const bool bad_file = store.status().code() == StatusCode::kInvalidArgument;
    return Fail(err, store.status().message(), bad_file ? kExitUsage : kExitDataError);
  }
  switch (flags.action) {
    case CredentialsAction::kIssue:
      return Issue(*store, *role, flags, out, err);
    case CredentialsAction::kList:
      return List(*store, flags, out, err);
    case CredentialsAction::kRevoke:
      return Revoke(*store, flags, out, err);
  }
  return Fail(err, "unhandled credentials action", kExitDataError);
}

}  // namespace baiying::cli
