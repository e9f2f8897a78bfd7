// SPDX-License-Identifier: MIT
#include "vscode_setup.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "backend/discover.h"
#include "base/fs.h"
#include "base/log.h"

using base::Level;
using base::logf;

int settle_vscode(config::Config* cfg) {
  backend::Found found;
  struct stat st;
  const std::string& named = cfg->vscode_server;
  if (named == "none") {   // no VS Code server, and none looked for
    cfg->vscode_server.clear();
    return 0;
  }
  bool is_path = named.find('/') != std::string::npos;   // else a command on PATH
  if (is_path && stat(named.c_str(), &st) != 0) {
    logf(Level::Fatal, "vscode-server %s: %s", named.c_str(), strerror(errno));
    return config::kExitConfig;
  }
  if (is_path && S_ISDIR(st.st_mode)) {
    if (!backend::package_at(named, &found)) {
      logf(Level::Fatal, "vscode-server %s: a folder, and no code-server package (no lib/vscode/out/server-main.js)",
           named.c_str());
      return config::kExitConfig;
    }
  } else if (!named.empty() || !cfg->vscode_addr.empty()) {
    return 0;
  } else if (!backend::discover(&found)) {
    std::string places;
    for (const std::string& p : backend::discovery_places()) places += (places.empty() ? "" : ", ") + p;
    logf(Level::Warn, "no VS Code server found (looked in %s): the login works, VS Code pages say how to install one",
         places.c_str());
    cfg->vscode_missing = true;
    return 0;
  }
  cfg->vscode_server = found.server;
  cfg->vscode_package = found.package;
  if (cfg->node == "node" && !found.node.empty()) cfg->node = found.node;
  logf(Level::Info, "vscode: %s (run with %s)", found.server.c_str(), cfg->node.c_str());
  return 0;
}

int run_extension_cli(const config::Config& cfg) {
  if (cfg.vscode_server.empty()) {
    logf(Level::Fatal, "no VS Code server to manage extensions with: install code-server, or pass --vscode-server");
    return config::kExitConfig;
  }
  // The server makes only the last folder of each (code-server's data folder usually exists).
  if (!base::make_dirs(cfg.user_data_dir)) {
    logf(Level::Fatal, "user-data-dir %s: %s", cfg.user_data_dir.c_str(), strerror(errno));
    return config::kExitSystem;
  }
  std::vector<std::string> args;
  std::string_view s = cfg.vscode_server;
  if (s.size() > 3 && s.substr(s.size() - 3) == ".js") args.push_back(cfg.node);
  args.push_back(cfg.vscode_server);
  args.push_back("--user-data-dir=" + cfg.user_data_dir);
  args.push_back("--extensions-dir=" + cfg.extensions_dir);
  args.insert(args.end(), cfg.vscode_passed.begin(), cfg.vscode_passed.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  base::log_drain(500);
  execvp(argv[0], argv.data());
  logf(Level::Fatal, "cannot run %s: %s", argv[0], strerror(errno));
  return config::kExitSystem;
}
