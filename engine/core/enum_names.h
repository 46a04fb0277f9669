#pragma once
// Text names for enums, kept in one table per enum: the form used in files, the database and
// on the command line. NameOf and ValueOf are the two directions of the same table.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace baiying {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <typename E, std::size_t N>
constexpr std::string_view NameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
constexpr std::optional<E> ValueOf(const NameTable<E, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace baiying
