// SPDX-License-Identifier: MIT
// routes/files and routes/vscode_files on a real directory: what opens
// beneath it, and the answers (ETag, 304, ranges, HEAD, siblings, 406) as the
// client reads them off a socketpair.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsed.h"
#include "reactor/loop.h"
#include "routes/files.h"
#include "routes/vscode_files.h"

namespace {

// An install in a directory of its own: product.json, a file with br and gz
// siblings (one of them stale), a link inside and one leading out.
struct Install {
  std::string dir;
  Install() {
    char tmpl[] = "/tmp/portico-files-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    std::string sh = "cd " + dir + " && mkdir -p out/a .git node_modules/m && "
                     "printf '{\\n  \"quality\": \"stable\",\\n  \"commit\": \"abc123\"\\n}' > product.json && "
                     "printf 'console.log(1);' > out/a/w.js && printf BR > out/a/w.js.br && "
                     "printf GZ > out/a/w.js.gz && touch -d '2000-01-01' out/a/w.js.gz && "
                     "printf 0123456789 > out/ten.txt && printf x > .git/config && printf m > node_modules/m/i.js && "
                     "ln -s node_modules node_modules.asar && ln -s /etc out/etc";
    REQUIRE(std::system(sh.c_str()) == 0);
  }
  ~Install() { (void)std::system(("rm -rf " + dir).c_str()); }
};

// What vscode_files answers for `head` (a request head without its blank line).
struct Client {
  reactor::Loop loop;
  routes::VsCodeFiles files;
  Client(const std::string& root) {
    reactor::LoopLimits lim;
    lim.max_conns = 4;
    lim.proto_size = 64;
    lim.chunk_size = 16384;
    REQUIRE(loop.init(lim, nullptr));
    std::string why;
    REQUIRE_MESSAGE(files.open(root, &why), why);
  }
  std::string get(const std::string& head) {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    reactor::Conn* c = loop.open(sv[0]);
    REQUIRE(c != nullptr);
    Parsed p(head + "\r\n");
    http::Response resp(*c, loop.clock(), p.req().head_only, true);
    routes::Exchange ex(p.req(), resp, c->id(), routes::Verdict::None);
    routes::Outcome o = routes::vscode_files(files, ex);
    std::string got = o == routes::Outcome::Next ? "next" : o == routes::Outcome::Fail ? std::to_string(ex.status) : "";
    if (o == routes::Outcome::Done) {
      for (int i = 0; i < 100 && c->out_pending(); i++) (void)c->flush();
      char buf[65536];
      for (ssize_t n; (n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT)) > 0;) got.append(buf, static_cast<size_t>(n));
    }
    c->close("test");
    ::close(sv[1]);
    loop.turn(0);
    return got;
  }
};

std::string header(const std::string& resp, const std::string& name) {
  size_t at = resp.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return resp.substr(at, resp.find("\r\n", at) - at);
}
std::string body(const std::string& resp) { return resp.substr(resp.find("\r\n\r\n") + 4); }

}  // namespace

TEST_CASE("vscode files: the forms of the path, and what is not a file") {
  Install inst;
  Client cl(inst.dir);
  CHECK(cl.files.versioned == "/stable-abc123");
  for (const char* path : {"/static/out/a/w.js", "/stable-abc123/static/out/a/w.js", "/vscode/static/out/a/w.js",
                           "/vscode/stable-abc123/static/out/a/w.js"}) {
    CAPTURE(path);
    std::string r = cl.get(std::string("GET ") + path + " HTTP/1.1\r\nHost: a\r\n");
    CHECK(r.substr(0, 15) == "HTTP/1.1 200 OK");
    CHECK(body(r) == "console.log(1);");
    CHECK(header(r, "Content-Type") == "text/javascript");
    CHECK(header(r, "Cache-Control") == "public, max-age=31536000");
    CHECK(header(r, "Vary") == "Accept-Encoding");
  }
  auto status = [&](const char* path) {
    std::string r = cl.get(std::string("GET ") + path + " HTTP/1.1\r\nHost: a\r\n");
    return r.size() == 3 || r == "next" ? r : r.substr(9, 3);
  };
  CHECK(status("/stable-abc124/static/out/a/w.js") == "next");  // another release: the server's to answer
  CHECK(status("/static") == "next");
  CHECK(status("/_static/x") == "next");
  CHECK(status("/static/out/nope.js") == "404");
  CHECK(status("/static/out/a") == "404");                  // a directory (the server hangs)
  CHECK(status("/static/.git/config") == "404");            // hidden
  CHECK(status("/static/out/%c0%ae%c0%ae/x") == "400");     // overlong "." (the server hangs)
  CHECK(status("/static/out/%zz") == "400");
  CHECK(status("/static/%2e%2e/x") == "400");
  CHECK(status("/static/out%2fa/w.js") == "400");
  CHECK(status("/static/out/etc/hostname") == "404");       // a link that leads out
  if (routes::beneath_follows_links()) {
    CHECK(status("/static/node_modules.asar/m/i.js") == "200");  // a link inside the install
  }
  std::string post = cl.get("POST /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n");
  CHECK(post == "405");
}

TEST_CASE("vscode files: siblings by Accept-Encoding, a stale one ignored, 406") {
  Install inst;
  Client cl(inst.dir);
  std::string r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, deflate, br\r\n");
  CHECK(header(r, "Content-Encoding") == "br");
  CHECK(body(r) == "BR");
  CHECK(header(r, "Content-Length") == "2");
  r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n");
  CHECK(header(r, "Content-Encoding") == "");  // w.js.gz is older than w.js
  CHECK(body(r) == "console.log(1);");
  r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br;q=0, identity\r\n");
  CHECK(body(r) == "console.log(1);");
  CHECK(cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity;q=0\r\n") == "406");
  r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity;q=0, br\r\n");
  CHECK(body(r) == "BR");
}

TEST_CASE("vscode files: ETag and 304, HEAD, one range, 416") {
  Install inst;
  Client cl(inst.dir);
  std::string r = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\n");
  std::string etag = header(r, "ETag");
  REQUIRE(etag.size() > 2);
  CHECK(header(r, "Accept-Ranges") == "bytes");
  CHECK(header(r, "Content-Type") == "text/plain");
  std::string nm = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\", W/" + etag + "\r\n");
  CHECK(nm.substr(0, 12) == "HTTP/1.1 304");
  CHECK(header(nm, "ETag") == etag);
  CHECK(body(nm).empty());
  std::string head = cl.get("HEAD /static/out/ten.txt HTTP/1.1\r\nHost: a\r\n");
  CHECK(head.substr(0, 15) == "HTTP/1.1 200 OK");
  CHECK(header(head, "Content-Length") == "10");
  CHECK(body(head).empty());
  struct Case {
    const char* range;
    const char* status;
    const char* bytes;
    const char* content_range;
  };
  for (Case k : {Case{"bytes=2-4", "206", "234", "bytes 2-4/10"}, {"bytes=7-", "206", "789", "bytes 7-9/10"},
                 {"bytes=-3", "206", "789", "bytes 7-9/10"}, {"bytes=5-100", "206", "56789", "bytes 5-9/10"},
                 {"bytes=10-", "416", "", "bytes */10"}, {"bytes=-0", "416", "", "bytes */10"},
                 {"bytes=0-1,3-4", "200", "0123456789", ""}, {"bytes=4-2", "200", "0123456789", ""},
                 {"lines=1-2", "200", "0123456789", ""}}) {
    CAPTURE(k.range);
    std::string g = cl.get(std::string("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nRange: ") + k.range + "\r\n");
    CHECK(g.substr(9, 3) == k.status);
    CHECK(body(g) == k.bytes);
    CHECK(header(g, "Content-Range") == k.content_range);
  }
  std::string stale = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0\r\nIf-Range: \"old\"\r\n");
  CHECK(stale.substr(9, 3) == "200");
  std::string fresh = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0\r\nIf-Range: " + etag + "\r\n");
  CHECK(fresh.substr(9, 3) == "206");
}

TEST_CASE("vscode files: the install of a server, and types") {
  Install inst;
  REQUIRE(std::system(("mkdir -p " + inst.dir + "/bin && touch " + inst.dir + "/out/server-main.js " + inst.dir + "/bin/code").c_str()) == 0);
  CHECK(routes::vscode_root_of(inst.dir + "/out/server-main.js") == inst.dir);
  CHECK(routes::vscode_root_of(inst.dir + "/bin/code") == inst.dir);
  CHECK(routes::vscode_root_of(inst.dir + "/out/a/w.js") == "");
  CHECK(routes::vscode_root_of("/nonexistent/out/server-main.js") == "");
  routes::VsCodeFiles none;
  std::string why;
  CHECK_FALSE(none.open(inst.dir + "/out", &why));
  CHECK(why.find("product.json") != std::string::npos);
  CHECK(routes::vscode_content_type("out/media/codicon.ttf") == "font/ttf");
  CHECK(routes::vscode_content_type("a.JS") == "text/javascript");
  CHECK(routes::vscode_content_type("a/.bashrc") == "text/plain");
  CHECK(routes::vscode_content_type("photo.jpg") == "image/jpeg");
  CHECK(routes::vscode_content_type("x.woff") == "application/font-woff");
}

TEST_CASE("If-None-Match lists and byte ranges, on their own") {
  CHECK(routes::none_match("\"a,b\"", "\"a,b\""));         // a tag may hold a comma
  CHECK(routes::none_match("\"x\", W/\"b\"", "\"b\""));
  CHECK(routes::none_match(" * ", "\"b\""));
  CHECK_FALSE(routes::none_match("\"b", "\"b\""));
  CHECK_FALSE(routes::none_match("b", "\"b\""));
  CHECK_FALSE(routes::none_match("\"a\" junk \"b\"", "\"b\""));
  uint64_t off = 0, len = 0;
  CHECK(routes::byte_range("bytes=0-18446744073709551615", 10, &off, &len) == 1);
  CHECK((off == 0 && len == 10));
  CHECK(routes::byte_range("bytes=-18446744073709551615", 10, &off, &len) == 1);
  CHECK((off == 0 && len == 10));
  CHECK(routes::byte_range("bytes=18446744073709551616-", 10, &off, &len) == 0);  // does not parse
  CHECK(routes::byte_range("bytes=0-0", 0, &off, &len) == -1);
  CHECK(routes::byte_range("BYTES = 1-2", 10, &off, &len) == 0);
}

TEST_CASE("vscode files: list fields on several lines, a range of the file itself, failures to open") {
  Install inst;
  Client cl(inst.dir);
  // Accept-Encoding on two lines is one list (RFC 9110 §5.3): br is taken.
  std::string r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity;q=0\r\n"
                         "Accept-Encoding: br\r\n");
  CHECK(header(r, "Content-Encoding") == "br");
  // A range comes from the file, not from a sibling, when identity is taken.
  r = cl.get("GET /static/out/a/w.js HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nRange: bytes=0-6\r\n");
  CHECK(r.substr(9, 3) == "206");
  CHECK(body(r) == "console");
  CHECK(header(r, "Content-Encoding") == "");
  // Two Range lines are no valid Range.
  r = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0\r\nRange: bytes=1-1\r\n");
  CHECK(r.substr(9, 3) == "200");
  // A 416 is not to be cached.
  r = cl.get("GET /static/out/ten.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=99-\r\n");
  CHECK(r.substr(0, 34) == "HTTP/1.1 416 Range Not Satisfiable");
  CHECK(header(r, "Cache-Control") == "");
  CHECK(routes::open_failure_status(ENOENT) == 404);
  CHECK(routes::open_failure_status(EXDEV) == 404);
  CHECK(routes::open_failure_status(EACCES) == 403);
  CHECK(routes::open_failure_status(EMFILE) == 503);
}
