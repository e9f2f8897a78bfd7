// SPDX-License-Identifier: MIT
// main — argv → config → server → exit status.  Composition only.
#include <cstdio>

#include <cstring>

#include "auth/hash_password.h"
#include "base/log.h"
#include "config/config.h"
#include "server.h"
#include "vscode_setup.h"

#ifndef PORTICO_VERSION
#define PORTICO_VERSION "0.0.0"
#endif

namespace {

int serve(int argc, char** argv) {
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
    // code-server prints "VERSION COMMIT with Code X"; portico has no Code of its own.
    puts(cfg.json ? "{\"portico\":\"" PORTICO_VERSION "\"}" : "portico " PORTICO_VERSION);
    return config::kExitOk;
  }
  base::log_set_level(cfg.log_level);
  base::log_nonblocking();
  for (const std::string& w : cfg.warnings) base::logf(base::Level::Warn, "%s", w.c_str());
  if (!cfg.config_path.empty() && !cfg.config_missing) base::logf(base::Level::Debug, "read config %s", cfg.config_path.c_str());
  if (cfg.extension_cli) {
    if (int rc = settle_vscode(&cfg); rc != 0) return rc;
    return run_extension_cli(cfg);
  }

  Server server(cfg);
  if (int rc = server.bind(); rc != 0) return rc;
  // Only a server that could bind writes a config file or a password.
  size_t warned = cfg.warnings.size();
  bool fresh = cfg.config_missing;
  if (!config::ensure_config(&cfg, &err)) {
    base::logf(base::Level::Fatal, "%s", err.message.c_str());
    return err.status;
  }
  for (size_t i = warned; i < cfg.warnings.size(); i++) base::logf(base::Level::Warn, "%s", cfg.warnings[i].c_str());
  // The server holds cfg by reference: what is settled here, before start, it sees.
  if (int rc = settle_vscode(&cfg); rc != 0) return rc;
  if (cfg.password_source == config::Config::Source::Generated) {
    base::logf(base::Level::Warn, "no password was set: generated one, see 'password' in %s", cfg.config_path.c_str());
  }
  if (int rc = server.start(); rc != 0) return rc;
  // Said once it serves: a start that fails says one line, why.
  if (fresh && !cfg.config_missing) base::logf(base::Level::Info, "wrote default config file to %s", cfg.config_path.c_str());
  return server.run();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "hash-password") == 0) return auth::hash_password_main(argc - 1, argv + 1);
  int rc = serve(argc, argv);
  // The last lines ("stopped", or why not started) wait a moment for a stalled
  // reader, never long: a supervisor waiting for the exit must not hang on it.
  base::log_drain(500);
  return rc;
}
