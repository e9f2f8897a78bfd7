// SPDX-License-Identifier: MIT
// A bare --cert's CA and leaf: made once, kept while they fit, the leaf
// renewed without a new CA, a new CA only for a name it does not cover.
// What browsers and openssl make of them is tested end to end
// (tests/e2e/test_tls.py: openssl verify, the name constraints).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "tls/creds.h"
#include "tls/local_ca.h"

namespace {

const std::string kLan("\xc0\xa8\x01\x05", 4);      // 192.168.1.5
const std::string kOther("\xc0\xa8\x01\x06", 4);    // 192.168.1.6
const std::string kLoop("\x7f\x00\x00\x01", 4);
const std::string kLoop6 = std::string(15, '\0') + '\1';

struct Dir {
  std::string path;
  Dir() {
    char tmpl[] = "/tmp/portico-ca-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() { (void)std::system(("rm -rf " + path).c_str()); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::string read(const std::string& name) const {
    std::string text;
    return base::read_small(file(name), 1 << 16, &text) ? text : std::string();
  }
  bool has(const std::string& name) const { return access(file(name).c_str(), F_OK) == 0; }
};

tls::Issued ensure(const Dir& d, const std::string& host, const tls::BoxNames& n) {
  tls::Issued is;
  std::string err;
  bool ok = tls::ensure_local_ca(d.path, host, n, &is, &err);
  CHECK_MESSAGE(ok, err);
  return is;
}

}  // namespace

TEST_CASE("local CA: the names a bare --cert covers, each once, in order") {
  tls::BoxNames n = tls::box_names("localhost", "Board.lan", {kLan, kLoop});
  CHECK(n.dns == std::vector<std::string>{"localhost", "board.lan", "board.local"});
  CHECK(n.ips == std::vector<std::string>{kLan, kLoop, kLoop6});
  n = tls::box_names("10.0.0.2", "under_score", {});  // not a DNS name: left out
  CHECK(n.dns == std::vector<std::string>{"localhost"});
  CHECK(n.ips == std::vector<std::string>{std::string("\x0a\x00\x00\x02", 4), kLoop, kLoop6});
  n = tls::box_names("Box.Example", "", {});
  CHECK(n.dns == std::vector<std::string>{"box.example", "localhost"});
}

TEST_CASE("local CA: made once with its leaf, 0600; kept as they are on the next start") {
  Dir d;
  tls::BoxNames n = tls::box_names("localhost", "board", {kLan});
  tls::Issued first = ensure(d, "localhost", n);
  CHECK((first.made_ca && first.made_leaf && first.from_ca && first.outside.empty()));
  CHECK((first.cert_file == d.file("localhost.crt") && first.key_file == d.file("localhost.key")));
  CHECK(first.ca_file == d.file("portico-ca.crt"));
  for (const char* f : {"portico-ca.crt", "portico-ca.key", "localhost.crt", "localhost.key"}) {
    struct stat st;
    REQUIRE(stat(d.file(f).c_str(), &st) == 0);
    CHECK_MESSAGE((st.st_mode & 0777) == 0600, f);
  }
  std::string err;
  tls::CredsRef leaf = tls::Creds::load(first.cert_file, first.key_file, &err);
  REQUIRE_MESSAGE(leaf, err);
  CHECK(leaf->chain_len() == 1);  // the leaf alone: a browser has the CA, and every byte is a handshake's
  std::string ca = d.read("portico-ca.crt"), crt = d.read("localhost.crt");
  tls::Issued again = ensure(d, "localhost", n);
  CHECK((!again.made_ca && !again.made_leaf && again.replaced.empty() && again.ca_replaced.empty()));
  CHECK((d.read("portico-ca.crt") == ca && d.read("localhost.crt") == crt));
  CHECK(again.ca_der == first.ca_der);
}

TEST_CASE("local CA: the leaf is renewed for other addresses without a new CA; one the CA lacks stays out") {
  Dir d;
  ensure(d, "localhost", tls::box_names("localhost", "board", {kLan}));
  std::string ca = d.read("portico-ca.crt");
  // An address gone: a new leaf, the old one kept beside it.
  tls::Issued fewer = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!fewer.made_ca && fewer.made_leaf && fewer.replaced == "made for other names or addresses"));
  CHECK((d.has("localhost.crt.old") && d.read("portico-ca.crt") == ca));
  // An address the CA was not made for: named, left out; the leaf for the rest stays.
  tls::Issued more = ensure(d, "localhost", tls::box_names("localhost", "board", {kOther}));
  CHECK((!more.made_ca && more.outside == std::vector<std::string>{kOther}));
  CHECK(!more.made_leaf);
  // A leaf that is not the CA's (another CA's, or a self-signed one): replaced.
  Dir elsewhere;
  ensure(elsewhere, "localhost", tls::box_names("localhost", "board", {}));
  REQUIRE(rename(elsewhere.file("localhost.crt").c_str(), d.file("localhost.crt").c_str()) == 0);
  REQUIRE(rename(elsewhere.file("localhost.key").c_str(), d.file("localhost.key").c_str()) == 0);
  tls::Issued foreign = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((foreign.made_leaf && foreign.replaced == "not signed by " + d.file("portico-ca.crt")));
}

TEST_CASE("local CA: a name it does not cover, or a broken key, makes a new CA; the old is kept as .old") {
  Dir d;
  ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  tls::Issued named = ensure(d, "box.example", tls::box_names("box.example", "board", {}));
  CHECK((named.made_ca && named.made_leaf && named.ca_replaced == "it does not cover box.example"));
  CHECK((named.cert_file == d.file("box_example.crt") && d.has("portico-ca.crt.old")));
  REQUIRE(base::write_secret(d.file("portico-ca.key"), "junk\n", 5));
  tls::Issued broken = ensure(d, "box.example", tls::box_names("box.example", "board", {}));
  CHECK((broken.made_ca && broken.made_leaf && !broken.ca_replaced.empty()));
  CHECK(broken.replaced == "signed by the CA replaced");
  // An RSA pair code-server left for the host is served as it is.
  Dir cs;
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + cs.file("localhost.key") + " -out " +
                    cs.file("localhost.crt") + " -days 60 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  tls::Issued kept = ensure(cs, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!kept.from_ca && !kept.made_leaf && !kept.made_ca && !cs.has("portico-ca.crt")));
}
