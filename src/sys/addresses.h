// SPDX-License-Identifier: MIT
// addresses — the IP addresses a listening socket can be reached at, for the
// SANs of a self-signed certificate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sys {

// Raw 4- or 16-byte addresses: the socket's own address, or, when it is
// bound to a wildcard, every address of the machine's interfaces (0.0.0.0:
// the IPv4 ones; [::]: both families, as a dual-stack socket takes both).
// Empty for a unix socket.
std::vector<std::string> listening_ips(int fd);

// Is the socket bound to 0.0.0.0 or [::]?
bool bound_to_any(int fd);

// The port of a TCP listening socket that 127.0.0.1 reaches (bound to it,
// to 0.0.0.0 or to [::]), else 0.
uint16_t loopback_port(int fd);

}  // namespace sys
