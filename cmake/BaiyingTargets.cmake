# Shared settings for baiying's own targets: warnings as errors on our code only, and the
# optional sanitizers. Third-party headers come in as SYSTEM includes and are not checked.

if(BAIYING_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

function(baiying_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow
                                           -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
  # g++ 12 under -fsanitize=address at -O2 reports false positives in the standard library and
  # Asio (std::regex's std::function as maybe uninitialized; Asio's coroutine frames as a
  # mismatched new/delete). The ordinary build keeps both warnings as errors.
  if(BAIYING_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-mismatched-new-delete)
  endif()
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()

# baiying_library(<name> <alias> SOURCES ... DEPS ...)
function(baiying_library name alias)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${alias} ALIAS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  baiying_defaults(${name})
endfunction()
