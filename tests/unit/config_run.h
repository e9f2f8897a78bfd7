// SPDX-License-Identifier: MIT
// config_run — config::load on an argv, with a clean environment and an
// optional config file, for the config tests.
#pragma once

#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "config/config.h"

namespace config_test {

// Runs config::load on an argv with a clean environment and an optional file.
struct Run {
  config::Config cfg;
  config::Error err;
  bool ok = false;
};

inline Run load(std::vector<std::string> args, const char* file_text = nullptr) {
  for (const char* v : {"PORT", "LOG_LEVEL", "CODE_SERVER_APP_NAME", "PORTICO_CONFIG", "CODE_SERVER_CONFIG",
                        "CODE_SERVER_HOST"}) {
    unsetenv(v);
  }
  setenv("XDG_CONFIG_HOME", "/nonexistent-portico-test", 1);
  std::string path;
  if (file_text != nullptr) {
    char tmpl[] = "/tmp/portico-cfg-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    std::ofstream(path) << file_text;
    args.insert(args.begin(), {"--config", path});
  }
  std::vector<char*> argv{const_cast<char*>("portico")};
  for (std::string& a : args) argv.push_back(&a[0]);
  Run r;
  r.ok = config::load(static_cast<int>(argv.size()), argv.data(), &r.cfg, &r.err);
  if (!path.empty()) unlink(path.c_str());
  return r;
}

inline uint16_t port_of(const config::Config& c) {
  return ntohs(reinterpret_cast<const sockaddr_in*>(&c.bind)->sin_port);
}

}  // namespace config_test
