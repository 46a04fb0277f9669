// The engine's unit tests: one binary, linked only against baiying::engine and doctest.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
