# Shared settings for baiying's own targets: warnings as errors on our code only, and the
# optional sanitizers. Third-party headers come in as SYSTEM includes and are not checked.

if(BAIYING_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

function(baiying_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow
                                           -Wnon-virtual-dtor -Wconversion -Wno-sign-conversion)
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
