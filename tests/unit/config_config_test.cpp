// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <cstdlib>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "config/config.h"
#include "config_run.h"

using namespace config_test;

TEST_CASE("defaults") {
  Run r = load({});
  REQUIRE(r.ok);
  CHECK(r.cfg.bind_addr == "127.0.0.1:8080");
  CHECK(port_of(r.cfg) == 8080);
  CHECK(r.cfg.max_header_size == 16384);
  CHECK(r.cfg.max_url_size == 8192);
  CHECK(r.cfg.max_headers == 100);
}

TEST_CASE("flags, both spellings") {
  Run r = load({"--bind-addr", "0.0.0.0:9000", "--log=debug", "--app-name", "My IDE", "--max-headers=50"});
  REQUIRE(r.ok);
  CHECK(port_of(r.cfg) == 9000);
  CHECK(r.cfg.log_level == base::Level::Debug);
  CHECK(r.cfg.app_name == "My IDE");
  CHECK(r.cfg.max_headers == 50);
  CHECK(load({"--verbose"}).cfg.log_level == base::Level::Trace);
  CHECK(load({"-h"}).cfg.help);
  CHECK(load({"--version"}).cfg.version);
}

TEST_CASE("usage errors exit 100 and name the flag") {
  struct Bad {
    std::vector<std::string> args;
    const char* mentions;
  };
  for (const Bad& b : {Bad{{"--nope"}, "--nope"}, Bad{{"--bind-addr"}, "--bind-addr"},
                       Bad{{"--max-headers", "0"}, "--max-headers"}, Bad{{"--max-headers", "ten"}, "--max-headers"},
                       Bad{{"--log", "loud"}, "--log"}, Bad{{"--socket-mode", "999", "--socket", "/tmp/x"}, "--socket-mode"},
                       Bad{{"--socket-mode", "600"}, "--socket"}, Bad{{"--password", "x"}, "--password"},
                       Bad{{"-x"}, "-x"}, Bad{{"-"}, "-"},
                       Bad{{"--bind-addr", "example.com:80"}, "example.com"}, Bad{{"--ready-fd", "999"}, "999"}}) {
    Run r = load(b.args);
    CAPTURE(b.mentions);
    CHECK_FALSE(r.ok);
    CHECK(r.err.status == config::kExitUsage);
    CHECK(r.err.message.find(b.mentions) != std::string::npos);
  }
}

TEST_CASE("config file: code-server's subset, command line wins") {
  Run r = load({"--app-name", "cli"},
               "# comment\n"
               "bind-addr: 127.0.0.1:7000   # trailing comment\n"
               "app-name: 'file ''quoted'''\n"
               "log: \"warn\"\n"
               "verbose: false\n"
               "auth: password\n"
               "password: \"s3cret#not-a-comment\"\n"
               "cert: false\n"
               "trusted-origins:\n"
               "  - a.example\n"
               "  - b.example\n"
               "proxy-domain: [x.example, '*.Y.example', '{{port}}-{{host}}']\n"
               "disable-file-uploads: true\n");
  REQUIRE_MESSAGE(r.ok, r.err.message);
  CHECK(port_of(r.cfg) == 7000);
  CHECK(r.cfg.app_name == "cli");
  CHECK(r.cfg.log_level == base::Level::Warn);
  CHECK(r.cfg.warnings.empty());
  CHECK(r.cfg.vscode_passed == std::vector<std::string>{"--disable-file-uploads"});  // code-server's, passed on
  CHECK(r.cfg.proxy_domains == std::vector<std::string>{"{{port}}.x.example", "{{port}}.y.example", "{{port}}-{{host}}"});
  CHECK(r.cfg.cert.empty());          // "cert: false", as code-server writes it
  CHECK(r.cfg.password == "s3cret#not-a-comment");
  CHECK(r.cfg.trusted_origins == std::vector<std::string>{"a.example", "b.example"});
  Run quoted = load({}, "app-name: 'file ''quoted'''\n");
  CHECK(quoted.cfg.app_name == "file 'quoted'");
}

TEST_CASE("config file errors exit 102 and name file and line") {
  for (const char* text : {"bind-addr 127.0.0.1:1\n", "nope: 1\n", "max-headers: many\n", "  - stray\n",
                           "app-name: \"unterminated\n", "config: other.yaml\n", "verbose: maybe\n", "Bad_Key: 1\n"}) {
    Run r = load({}, text);
    CAPTURE(text);
    CHECK_FALSE(r.ok);
    CHECK(r.err.status == config::kExitConfig);
    CHECK(r.err.message.find(":1:") != std::string::npos);
  }
  // A file that does not exist yet is written later (ensure_config); one
  // that cannot even be looked at is an error.
  Run missing = load({"--config", "/nonexistent/portico.yaml"});
  CHECK((missing.ok && missing.cfg.config_missing));
  Run unreadable = load({"--config", "/etc/passwd/portico.yaml"});
  CHECK(unreadable.err.status == config::kExitConfig);
  // Found by tests/fuzz/config_file: a decoded "\n" in the value came back
  // inside the one-line message.
  Run nl = load({}, "bind-addr: \"a\\nb\"\n");
  CHECK(nl.err.message.find('\n') == std::string::npos);
  CHECK(nl.err.message.find("'a\\x0ab'") != std::string::npos);
}

TEST_CASE("PORT replaces the port of any bind address, as code-server") {
  setenv("PORT", "9123", 1);
  config::Config c;
  config::Error e;
  char a0[] = "portico", a1[] = "--bind-addr", a2[] = "[::1]:80";
  char* argv[] = {a0, a1, a2};
  unsetenv("PORTICO_CONFIG");
  unsetenv("CODE_SERVER_CONFIG");
  setenv("XDG_CONFIG_HOME", "/nonexistent-portico-test", 1);
  REQUIRE(config::load(3, argv, &c, &e));
  CHECK(c.bind_addr == "[::1]:9123");
  CHECK(ntohs(reinterpret_cast<sockaddr_in6*>(&c.bind)->sin6_port) == 9123);
  setenv("PORT", "http", 1);
  config::Config c2;
  CHECK_FALSE(config::load(1, argv, &c2, &e));
  CHECK(e.status == config::kExitConfig);
  unsetenv("PORT");
}

TEST_CASE("parse_bind") {
  sockaddr_storage ss;
  socklen_t len;
  std::string why;
  CHECK(config::parse_bind("127.0.0.1:0", &ss, &len, &why));
  CHECK(config::parse_bind("localhost:1", &ss, &len, &why));
  CHECK(config::parse_bind("[::]:8080", &ss, &len, &why));
  CHECK(ss.ss_family == AF_INET6);
  CHECK(config::parse_bind("10.0.0.1", &ss, &len, &why));  // port 80, like code-server
  CHECK(ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port) == 80);
  for (const char* bad : {"127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]8080", "host.example:80", ":80"}) {
    CAPTURE(bad);
    CHECK_FALSE(config::parse_bind(bad, &ss, &len, &why));
  }
}

TEST_CASE("secrets: from the environment, never from argv, and gone from the environment after") {
  setenv("PASSWORD", "from-env", 1);
  Run r = load({}, "password: from-file\n");
  REQUIRE(r.ok);
  CHECK(r.cfg.password == "from-env");
  CHECK(r.cfg.password_source == config::Config::Source::Environment);
  CHECK(getenv("PASSWORD") == nullptr);  // what every child would inherit
  setenv("HASHED_PASSWORD", "$argon2id$x", 1);
  setenv("PASSWORD", "p", 1);
  Run h = load({});
  CHECK(h.cfg.hashed_password == "$argon2id$x");
  CHECK(getenv("HASHED_PASSWORD") == nullptr);
  CHECK(getenv("PASSWORD") == nullptr);
  Run f = load({}, "hashed-password: abc\n");
  CHECK(f.cfg.hashed_password == "abc");
  CHECK(f.cfg.password_source == config::Config::Source::File);
  Run argv = load({"--hashed-password=abc"});
  CHECK(argv.err.status == config::kExitUsage);
  Run suffix = load({"--cookie-suffix", "a.b/c"});
  CHECK(suffix.cfg.cookie_suffix == "a-b-c");
  CHECK(load({"--auth", "basic"}).err.status == config::kExitUsage);
  CHECK(load({"--auth", "none"}).cfg.auth == config::Config::Auth::None);
}

TEST_CASE("a folder to open, and the VS Code server's options") {
  Run r = load({"--vscode-server", "/opt/vs/server-main.js", "--vscode-option", "log=trace", "--vscode-option",
                "disable-telemetry", "--user-data-dir", "/u", "my-project"});
  REQUIRE(r.ok);
  CHECK(r.cfg.folder == "my-project");
  CHECK(r.cfg.vscode_options == std::vector<std::string>{"log=trace", "disable-telemetry"});
  CHECK(r.cfg.user_data_dir == "/u");
  CHECK(load({"--vscode-option", "--flag"}).err.status == config::kExitUsage);
}

TEST_CASE("--cert: a file, bare (self-signed), or false; the file's cert: true") {
  Run r = load({"--cert", "/c.pem", "--cert-key", "/k.pem"});
  CHECK((r.ok && r.cfg.cert == "/c.pem" && !r.cfg.cert_self_signed));
  for (auto args : std::vector<std::vector<std::string>>{{"--cert"}, {"--cert", "--auth", "none"}, {"--cert=true"}}) {
    r = load(args);
    CHECK((r.ok && r.cfg.cert.empty() && r.cfg.cert_self_signed));
  }
  r = load({}, "cert: true\ncert-host: box.example\n");
  CHECK((r.ok && r.cfg.cert_self_signed && r.cfg.cert_host == "box.example"));
  r = load({"--cert=false"}, "cert: /c.pem\n");
  CHECK((r.ok && r.cfg.cert.empty() && !r.cfg.cert_self_signed));
  r = load({"--cert-host", "a/b"});
  CHECK((!r.ok && r.err.status == config::kExitUsage && r.err.message.find("--cert-host") != std::string::npos));
}

TEST_CASE("port proxy options") {
  Run r = load({"--proxy-domain", "a.example", "--proxy-domain", "{{port}}.{{host}}", "--abs-proxy-base-path", "base/x/",
                "--disable-proxy", "--skip-auth-preflight"});
  REQUIRE_MESSAGE(r.ok, r.err.message);
  CHECK(r.cfg.proxy_domains == std::vector<std::string>{"{{port}}.a.example", "{{port}}.{{host}}"});
  CHECK((r.cfg.abs_proxy_base_path == "/base/x" && r.cfg.disable_proxy && r.cfg.skip_auth_preflight));
  for (const char* bad : {"{{port}}.{{port}}.x", "{{x}}.example", "a/b", "", "{{port}}"}) {
    r = load({"--proxy-domain", bad});
    CHECK_MESSAGE((!r.ok && r.err.status == config::kExitUsage), bad);
  }
  r = load({"--abs-proxy-base-path", "/a?b"});
  CHECK(!r.ok);
  setenv("CS_DISABLE_PROXY", "1", 1);
  r = load({});
  unsetenv("CS_DISABLE_PROXY");
  CHECK((r.ok && r.cfg.disable_proxy));
}
