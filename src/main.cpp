// SPDX-License-Identifier: MIT
// main — argv → config → server → exit status.  Composition only.
#include <cstdio>

#include <cstring>

#include "auth/hash_password.h"
#include "base/log.h"
#include "config/config.h"
#include "server.h"

#ifndef PORTICO_VERSION
#define PORTICO_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "hash-password") == 0) return auth::hash_password_main(argc - 1, argv + 1);
  config::Config cfg;
  config::Error err;
  if (!config::load(argc, argv, &cfg, &err)) {
    base::logf(base::Level::Fatal, "%s", err.message.c_str());
    return err.status;
  }
  if (cfg.help) {
    config::print_usage(stdout);
    return config::kExitOk;
  }
  if (cfg.version) {
    puts("portico " PORTICO_VERSION);
    return config::kExitOk;
  }
  base::log_set_level(cfg.log_level);
  for (const std::string& w : cfg.warnings) base::logf(base::Level::Warn, "%s", w.c_str());
  if (!cfg.config_path.empty()) base::logf(base::Level::Debug, "read config %s", cfg.config_path.c_str());

  Server server(cfg);
  if (int rc = server.bind(); rc != 0) return rc;
  // Only a server that could bind writes a generated password anywhere.
  if (!config::ensure_password(&cfg, &err)) {
    base::logf(base::Level::Fatal, "%s", err.message.c_str());
    return err.status;
  }
  if (cfg.password_source == config::Config::Source::Generated) {
    base::logf(base::Level::Warn, "no password was set: generated one, see 'password' in %s", cfg.config_path.c_str());
  }
  if (int rc = server.start(); rc != 0) return rc;
  return server.run();
}
