#pragma once
// SHA-256 (FIPS 180-4, section 6.2), written for baiying's credentials: the registry database
// keeps the digest of each token, never the token. One call hashes a whole message; tokens
// are short, so there is no streaming interface.

#include <array>
#include <cstdint>
#include <string_view>

namespace baiying::store {

using Sha256Digest = std::array<std::uint8_t, 32>;

// The SHA-256 digest of `data`.
Sha256Digest Sha256(std::string_view data);

}  // namespace baiying::store
