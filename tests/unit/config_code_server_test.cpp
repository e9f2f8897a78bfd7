// SPDX-License-Identifier: MIT
// code-server's flags, keys and environment as code-server 4.100.3 reads
// them (its cli.ts): passed to the VS Code server, acted on, or warned about.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "config/config.h"
#include "config_run.h"

using namespace config_test;

namespace {

using Strings = std::vector<std::string>;

bool warned(const config::Config& c, const std::string& part) {
  return std::any_of(c.warnings.begin(), c.warnings.end(), [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("code-server's flags reach the VS Code server as code-server passes them") {
  Run r = load({"--disable-telemetry", "--locale", "de", "--enable-proposed-api", "a.b", "--enable-proposed-api=c.d",
                "--link-protection-trusted-domains", "example.com", "--disable-file-uploads", "--disable-telemetry"});
  REQUIRE(r.ok);
  CHECK(r.cfg.vscode_passed == Strings{"--disable-telemetry", "--locale=de", "--enable-proposed-api=a.b",
                                       "--enable-proposed-api=c.d", "--link-protection-trusted-domains=example.com",
                                       "--disable-file-uploads"});
  CHECK(r.cfg.locale == "de");
  CHECK(!r.cfg.extension_cli);
  CHECK(r.cfg.warnings.empty());
}

TEST_CASE("the command line's values replace the file's, lists whole") {
  Run r = load({"--enable-proposed-api", "b", "--locale", "de"},
               "locale: fr\nenable-proposed-api: [a, x]\ndisable-workspace-trust: True\ndisable-telemetry: false\n");
  REQUIRE(r.ok);
  CHECK(r.cfg.vscode_passed == Strings{"--disable-workspace-trust", "--enable-proposed-api=b", "--locale=de"});
}

TEST_CASE("short flags are code-server's whole words") {
  Run r = load({"-e", "-w", "Hello", "-an", "Box", "-vvv"});
  REQUIRE(r.ok);
  CHECK(r.cfg.ignore_last_opened);
  CHECK(r.cfg.welcome_text == "Hello");
  CHECK(r.cfg.app_name == "Box");
  CHECK(r.cfg.log_level == base::Level::Trace);
  Run combined = load({"-er"});
  CHECK(!combined.ok);
  CHECK(combined.err.status == config::kExitUsage);
  CHECK(combined.err.message.find("-er") != std::string::npos);
}

TEST_CASE("several folders: the last is opened; -- ends the options") {
  Run r = load({"one", "two"});
  REQUIRE(r.ok);
  CHECK(r.cfg.folder == "two");
  Run d = load({"one", "--", "-dash"});
  REQUIRE(d.ok);
  CHECK(d.cfg.folder == "-dash");
}

TEST_CASE("a flag given a value: true and false read, anything else on with a warning") {
  Run off = load({"--disable-telemetry=false"});
  REQUIRE(off.ok);
  CHECK(off.cfg.vscode_passed.empty());
  Run on = load({"--disable-telemetry=true"});
  REQUIRE(on.ok);
  CHECK(on.cfg.vscode_passed == Strings{"--disable-telemetry"});
  Run odd = load({"--disable-telemetry=yes"});
  REQUIRE(odd.ok);
  CHECK(odd.cfg.vscode_passed == Strings{"--disable-telemetry"});
  CHECK(warned(odd.cfg, "--disable-telemetry=yes"));
}

TEST_CASE("what portico cannot honour is accepted with one warning line each") {
  Run r = load({"--open", "-r", "--open", "--session-socket", "/tmp/x.sock", "--enable", "foo"});
  REQUIRE(r.ok);
  CHECK(r.cfg.warnings.size() == 4);
  CHECK(warned(r.cfg, "--open: "));
  CHECK(warned(r.cfg, "--reuse-window: "));
  CHECK(r.cfg.vscode_passed.empty());
}

TEST_CASE("github-auth: refused in argv, taken from GITHUB_TOKEN and never left in the environment") {
  Run cli = load({"--github-auth", "tok"});
  CHECK(!cli.ok);
  CHECK(cli.err.message.find("refused on the command line") != std::string::npos);
  setenv("GITHUB_TOKEN", "ghp_secret", 1);
  Run env = load({});
  REQUIRE(env.ok);
  CHECK(getenv("GITHUB_TOKEN") == nullptr);
  CHECK(warned(env.cfg, "--github-auth: not passed on"));
  for (const std::string& a : env.cfg.vscode_passed) CHECK(a.find("ghp_secret") == std::string::npos);
  Run file = load({}, "github-auth: ghp_x\n");
  REQUIRE(file.ok);
  CHECK(warned(file.cfg, "--github-auth"));
}

TEST_CASE("CS_DISABLE_* turn code-server's switches on with 1 or true only") {
  setenv("CS_DISABLE_FILE_DOWNLOADS", "1", 1);
  setenv("CS_DISABLE_GETTING_STARTED_OVERRIDE", "true", 1);
  setenv("CS_DISABLE_PROXY", "yes", 1);
  Run r = load({});
  for (const char* v : {"CS_DISABLE_FILE_DOWNLOADS", "CS_DISABLE_GETTING_STARTED_OVERRIDE", "CS_DISABLE_PROXY"}) unsetenv(v);
  REQUIRE(r.ok);
  CHECK(r.cfg.vscode_passed == Strings{"--disable-file-downloads", "--disable-getting-started-override"});
  CHECK(!r.cfg.disable_proxy);
}

TEST_CASE("the address by code-server's rule: bind-addr, CODE_SERVER_HOST, host, PORT, port, file then command line") {
  const char* file = "bind-addr: 0.0.0.0:9000\n";
  setenv("PORT", "7777", 1);
  auto with_port = [&](Strings args, const char* text) {
    Run clean = load({});   // unsets PORT: set it again for the real run
    (void)clean;
    setenv("PORT", "7777", 1);
    std::string path = "/tmp/portico-cfg-rule.yaml";
    std::ofstream(path) << text;
    args.insert(args.begin(), {"--config", path});
    std::vector<char*> argv{const_cast<char*>("portico")};
    for (std::string& a : args) argv.push_back(&a[0]);
    config::Config cfg;
    config::Error err;
    bool ok = config::load(static_cast<int>(argv.size()), argv.data(), &cfg, &err);
    unlink(path.c_str());
    unsetenv("PORT");
    return ok ? cfg.bind_addr : "error: " + err.message;
  };
  CHECK(with_port({}, file) == "0.0.0.0:7777");
  CHECK(with_port({"--bind-addr", "127.0.0.2:5"}, file) == "127.0.0.2:7777");
  CHECK(with_port({"--port", "1234"}, file) == "0.0.0.0:1234");
  CHECK(with_port({}, "bind-addr: 0.0.0.0:9000\nport: 1\n") == "0.0.0.0:7777");   // PORT again in the second pass
  Run keys = load({}, "host: 127.0.0.3\nport: 9001\n");
  REQUIRE(keys.ok);
  CHECK(keys.cfg.bind_addr == "127.0.0.3:9001");
  Run v6 = load({"--host", "::1"});
  REQUIRE(v6.ok);
  CHECK(v6.cfg.bind_addr == "[::1]:8080");
  Run bare = load({"--bind-addr", "127.0.0.1"});
  REQUIRE(bare.ok);
  CHECK(bare.cfg.bind_addr == "127.0.0.1:80");
}

TEST_CASE("a host name from /etc/hosts, never DNS") {
  std::string path = "/tmp/portico-hosts-test";
  std::ofstream(path) << "# comment\n127.0.0.1\tlocalhost\n10.1.2.3  board.lan board   # the box\n::1 ip6-localhost\n";
  std::string addr;
  CHECK(config::hosts_lookup(path.c_str(), "BOARD", &addr));
  CHECK(addr == "10.1.2.3");
  CHECK(config::hosts_lookup(path.c_str(), "ip6-localhost", &addr));
  CHECK(addr == "::1");
  CHECK(!config::hosts_lookup(path.c_str(), "comment", &addr));
  CHECK(!config::hosts_lookup(path.c_str(), "the", &addr));
  sockaddr_storage ss;
  socklen_t len;
  std::string why;
  CHECK(config::parse_bind("board.lan:8080", &ss, &len, &why, path.c_str()));
  CHECK(ss.ss_family == AF_INET);
  CHECK(!config::parse_bind("elsewhere.example:8080", &ss, &len, &why, path.c_str()));
  CHECK(why.find("asks no DNS") != std::string::npos);
  unlink(path.c_str());
}

TEST_CASE("YAML code-server accepts: True, quotes, block scalars, a map it has no key for") {
  Run r = load({}, "disable-telemetry: True\nwelcome-text: |\n  Two\n  lines\napp-name: >-\n  folded\n  name\n"
                   "cert: 'false'\nsomething-nested:\n  a: 1\n  b: 2\nlocale: \"fr\"\n");
  // An unknown key is an error even with a map under it; a known one with a map is warned about.
  CHECK(!r.ok);
  Run m = load({}, "disable-telemetry: True\nwelcome-text: |\n  Two\n  lines\napp-name: >-\n  folded\n  name\n"
                   "cert: 'false'\nenable-proposed-api:\n  a: 1\n  b: 2\nlocale: \"fr\"\n");
  REQUIRE(m.ok);
  CHECK(m.cfg.welcome_text == "Two\nlines\n");
  CHECK(m.cfg.app_name == "folded name");
  CHECK(m.cfg.cert.empty());
  CHECK(!m.cfg.cert_self_signed);
  CHECK(m.cfg.locale == "fr");
  CHECK(warned(m.cfg, "'enable-proposed-api' holds a map"));
  CHECK(m.cfg.vscode_passed == Strings{"--disable-telemetry", "--locale=fr"});
}

TEST_CASE("the VS Code server gets code-server's folders") {
  setenv("XDG_DATA_HOME", "/home/u/.data", 1);
  Run r = load({});
  REQUIRE(r.ok);
  CHECK(r.cfg.user_data_dir == "/home/u/.data/code-server");
  CHECK(r.cfg.extensions_dir == "/home/u/.data/code-server/extensions");
  Run given = load({"--user-data-dir", "/srv/ud"});
  REQUIRE(given.ok);
  CHECK(given.cfg.extensions_dir == "/srv/ud/extensions");
  unsetenv("XDG_DATA_HOME");
}

TEST_CASE("extension commands run the server's CLI; their options alone do not") {
  Run r = load({"--install-extension", "ms-python.python", "--force"});
  REQUIRE(r.ok);
  CHECK(r.cfg.extension_cli);
  CHECK(r.cfg.vscode_passed == Strings{"--install-extension=ms-python.python", "--force"});
  Run s = load({"--show-versions"});
  REQUIRE(s.ok);
  CHECK(!s.cfg.extension_cli);
  CHECK(load({"--version", "--json"}).cfg.json);
}

TEST_CASE("a config file that does not exist yet is written with code-server's defaults") {
  char dir[] = "/tmp/portico-cfg-new-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  std::string path = std::string(dir) + "/sub/config.yaml";
  Run r = load({"--config", path});
  REQUIRE(r.ok);
  CHECK(r.cfg.config_missing);
  CHECK(r.cfg.config_path == path);
  REQUIRE(config::ensure_config(&r.cfg, &r.err));
  CHECK(!r.cfg.config_missing);
  CHECK(r.cfg.password.size() == 24);
  CHECK(r.cfg.password_source == config::Config::Source::Generated);
  CHECK(slurp(path) == "bind-addr: 127.0.0.1:8080\nauth: password\npassword: " + r.cfg.password + "\ncert: false\n");
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Read back as code-server would read it.
  Run again = load({"--config", path});
  REQUIRE(again.ok);
  CHECK(again.cfg.password == r.cfg.password);
  CHECK(!again.cfg.config_missing);
  unlink(path.c_str());
  rmdir((std::string(dir) + "/sub").c_str());
  // Not needed and not writable: a warning, not a stop.
  Run ro = load({"--config", "/proc/portico-no/config.yaml", "--auth", "none"});
  REQUIRE(ro.ok);
  REQUIRE(config::ensure_config(&ro.cfg, &ro.err));
  CHECK(warned(ro.cfg, "not written"));
  rmdir(dir);
}

TEST_CASE("idle timeout: flag, key and CODE_SERVER_IDLE_TIMEOUT_SECONDS, the flag winning; --i18n kept") {
  Run flag = load({"--idle-timeout-seconds", "90", "--i18n", "/etc/strings.json"});
  REQUIRE(flag.ok);
  CHECK(flag.cfg.idle_timeout == 90);
  CHECK(flag.cfg.i18n == "/etc/strings.json");
  CHECK(load({}).cfg.idle_timeout == 0);
  setenv("CODE_SERVER_IDLE_TIMEOUT_SECONDS", "120", 1);
  Run env = load({});
  Run both = load({}, "idle-timeout-seconds: 300\n");
  setenv("CODE_SERVER_IDLE_TIMEOUT_SECONDS", "soon", 1);
  Run bad_env = load({});
  unsetenv("CODE_SERVER_IDLE_TIMEOUT_SECONDS");
  REQUIRE(env.ok);
  CHECK(env.cfg.idle_timeout == 120);
  REQUIRE(both.ok);
  CHECK(both.cfg.idle_timeout == 300);
  CHECK(!bad_env.ok);
  CHECK(bad_env.err.status == config::kExitConfig);
  CHECK(bad_env.err.message.find("CODE_SERVER_IDLE_TIMEOUT_SECONDS=soon") == 0);
  for (const char* v : {"0", "-1", "1e3", ""}) {
    Run bad = load({"--idle-timeout-seconds", v});
    CHECK_MESSAGE(!bad.ok, v);
    CHECK(bad.err.status == config::kExitUsage);
  }
}
