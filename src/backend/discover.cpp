// SPDX-License-Identifier: MIT
#include "backend/discover.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace backend {
namespace {

std::string env(const char* name) {
  const char* v = getenv(name);
  return v != nullptr ? v : "";
}

// "4.100.3" before "4.99.0": digit runs compare as numbers.
bool newer(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (isdigit(static_cast<unsigned char>(a[i])) && isdigit(static_cast<unsigned char>(b[j]))) {
      unsigned long x = strtoul(a.c_str() + i, nullptr, 10), y = strtoul(b.c_str() + j, nullptr, 10);
      if (x != y) return x > y;
      while (i < a.size() && isdigit(static_cast<unsigned char>(a[i]))) i++;
      while (j < b.size() && isdigit(static_cast<unsigned char>(b[j]))) j++;
    } else {
      if (a[i] != b[j]) return a[i] > b[j];
      i++, j++;
    }
  }
  return a.size() - i > b.size() - j;
}

// ~/.local/lib/code-server-VERSION, the standalone release's folders, newest first.
std::vector<std::string> releases(const std::string& lib) {
  std::vector<std::string> out;
  if (DIR* d = opendir(lib.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.rfind("code-server-", 0) == 0) out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end(), newer);
  for (std::string& n : out) n = lib + "/" + n;
  return out;
}

std::string exe_dir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

}  // namespace

std::vector<std::string> discovery_places() {
  std::string home = env("HOME");
  std::vector<std::string> places = {"/usr/lib/code-server"};
  if (!home.empty()) {
    std::vector<std::string> r = releases(home + "/.local/lib");
    places.insert(places.end(), r.begin(), r.end());
  }
  for (const std::string& prefix : {env("NPM_CONFIG_PREFIX"), env("npm_config_prefix"), std::string("/usr/local"),
                                    std::string("/usr"), home.empty() ? "" : home + "/.npm-global",
                                    home.empty() ? "" : home + "/.local"}) {
    if (!prefix.empty()) places.push_back(prefix + "/lib/node_modules/code-server");
  }
  places.push_back("node_modules/code-server");
  // make run's install: the binary is build/portico or build/<flavour>/portico.
  std::string self = exe_dir();
  if (!self.empty()) {
    places.push_back(self + "/vscode/install/node_modules/code-server");
    places.push_back(self + "/../vscode/install/node_modules/code-server");
  }
  places.erase(std::unique(places.begin(), places.end()), places.end());
  return places;
}

bool package_at(const std::string& dir, Found* out) {
  char real[PATH_MAX];
  if (realpath(dir.c_str(), real) == nullptr) return false;
  std::string pkg = real;
  struct stat st;
  std::string server = pkg + "/lib/vscode/out/server-main.js";
  if (stat(server.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::string node = pkg + "/lib/node";
  out->server = server;
  out->node = access(node.c_str(), X_OK) == 0 ? node : "";
  out->package = pkg;
  return true;
}

bool discover(Found* out) {
  for (const std::string& p : discovery_places()) {
    if (package_at(p, out)) return true;
  }
  return false;
}

}  // namespace backend
