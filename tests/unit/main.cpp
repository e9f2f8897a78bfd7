// SPDX-License-Identifier: MIT
// The doctest runner for every unit test; each *_test.cpp mirrors one source file.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
