// SPDX-License-Identifier: MIT
// config_file — fuzzes the config file parser (config::read_file: the YAML
// subset of code-server's config.yaml, applied through the option table).
// The input is the file; it is read from a memfd, so nothing touches disk.
//
// Invariants: a refusal is exit status 102 and one line naming the file and
// a line that exists; CRLF line ends, and a last line without its newline,
// read exactly as LF and with it; an accepted bind address parses.
//
// fuzz: -max_len=4096 -dict=tests/fuzz/config.dict
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "config/config.h"
#include "fuzz.h"

namespace {

// Reads `text` as a config file: what it set, or the error, as one string
// with the file's name replaced by "F".
std::string read(const std::string& text) {
  static const int fd = memfd_create("portico-config", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  config::Config cfg;
  config::Error err;
  if (!config::read_file(path, &cfg, &err)) {
    FUZZ_CHECK(err.status == config::kExitConfig);
    std::string head = "config " + path + ":";
    FUZZ_CHECK(err.message.compare(0, head.size(), head) == 0);
    FUZZ_CHECK(err.message.find('\n') == std::string::npos);
    int line = std::atoi(err.message.c_str() + head.size());
    FUZZ_CHECK(line >= 1 && line <= 1 + std::count(text.begin(), text.end(), '\n'));
    return "error " + err.message.substr(head.size());
  }
  sockaddr_storage ss;
  socklen_t len = 0;
  std::string why;
  FUZZ_CHECK(config::parse_bind(cfg.bind_addr, &ss, &len, &why) && len > 0 && len <= sizeof ss);
  std::string s = cfg.bind_addr + "|" + cfg.password + "|" + cfg.hashed_password + "|" + cfg.app_name + "|" +
                  cfg.welcome_text + "|" + cfg.abs_proxy_base_path + "|" + std::to_string(cfg.max_headers) + "|" +
                  std::to_string(cfg.socket_mode) + "|" + std::to_string(static_cast<int>(cfg.auth));
  for (const auto* list : {&cfg.trusted_origins, &cfg.proxy_domains, &cfg.vscode_options, &cfg.trusted_proxies}) {
    s += "|";
    for (const std::string& v : *list) s += v + ",";
  }
  s += "|" + std::to_string(cfg.warnings.size());
  return s;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string got = read(text);
  if (text.find('\r') == std::string::npos) {
    std::string other = read(crlf(text));
    if (other != got) std::fprintf(stderr, "LF: %s\nCRLF: %s\n", got.c_str(), other.c_str());
    FUZZ_CHECK(other == got);
  }
  if (!text.empty() && text.back() != '\n') FUZZ_CHECK(read(text + "\n") == got);
  return 0;
}
