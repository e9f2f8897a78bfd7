// SPDX-License-Identifier: MIT
// ct — comparisons whose time does not depend on where the inputs differ.
#pragma once

#include <cstddef>
#include <string_view>

namespace auth {

// Equal-length buffers: every byte is looked at.
bool ct_equal(const void* a, const void* b, size_t n);
// Strings of any length: compares their SHA-256 digests, so neither the
// position of a difference nor the secret's length shows in the timing.
bool ct_equal_str(std::string_view a, std::string_view b);
// Zeroes a secret in a way the compiler may not drop as a dead store.
void wipe(void* p, size_t n);

}  // namespace auth
