// SPDX-License-Identifier: MIT
// A bare --cert's CA and leaf: made once, kept while they fit, the leaf
// renewed without a new CA, a new CA only for a name it does not cover.
// What browsers and openssl make of them is tested end to end
// (tests/e2e/test_tls.py: openssl verify, the name constraints).
#include <doctest/doctest.h>

#include <cstdlib>
#include <fcntl.h>
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
  CHECK(n.host_ip == std::string("\x0a\x00\x00\x02", 4));
  n = tls::box_names("Box.Example", "", {});
  CHECK(n.dns == std::vector<std::string>{"box.example", "localhost"});
  // One label: a constraint for it would permit every name under it.
  n = tls::box_names("dev", "board", {});
  CHECK(n.dns == std::vector<std::string>{"board.local", "localhost"});
  CHECK(n.single == std::vector<std::string>{"dev", "board"});
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
  CHECK((fewer.kept_as.empty() && !d.has("localhost.crt.old") && d.read("portico-ca.crt") == ca));  // made again at will
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

namespace {

// An EC pair made by openssl in `d`, naming `cn`: signed by a CA of
// openssl's (mkcert's shape), self-signed as openssl makes one, or
// self-signed in the shape portico gave its own before it had a CA (the
// SAN, CA:FALSE and serverAuth alone, 825 days).
enum class Shape { ByCa, OpensslSelfSigned, PorticoSelfSigned };

void openssl_ec_pair(const Dir& d, const std::string& stem, const std::string& cn, Shape shape) {
  std::string key = d.file(stem + ".key"), crt = d.file(stem + ".crt"), cmd;
  cmd = "openssl ecparam -name prime256v1 -genkey -noout -out " + key + " && ";
  if (shape == Shape::OpensslSelfSigned) {
    cmd += "openssl req -x509 -new -key " + key + " -out " + crt + " -days 60 -subj /CN=" + cn +
           " -addext subjectAltName=DNS:" + cn;
  } else if (shape == Shape::PorticoSelfSigned) {
    cmd += "printf \"[req]\\ndistinguished_name=dn\\n[dn]\\n[ext]\\nsubjectAltName=DNS:" + cn +
           "\\nbasicConstraints=critical,CA:FALSE\\nextendedKeyUsage=serverAuth\\nsubjectKeyIdentifier=none\\n"
           "authorityKeyIdentifier=none\\n\" > " + d.file("old.cnf") + " && openssl req -x509 -new -key " + key +
           " -out " + crt + " -days 825 -subj /CN=" + cn + " -config " + d.file("old.cnf") + " -extensions ext";
  } else {
    cmd += "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d.file("mk.key") +
           " -out " + d.file("mk.crt") + " -days 60 -subj /CN=mkcert-like && openssl req -new -key " + key +
           " -subj /CN=" + cn + " | openssl x509 -req -CA " + d.file("mk.crt") + " -CAkey " + d.file("mk.key") +
           " -days 60 -out " + crt + " -extfile <(printf subjectAltName=DNS:" + cn + ")";
  }
  REQUIRE(std::system(("bash -c '" + cmd + "' 2>/dev/null").c_str()) == 0);
}

}  // namespace

TEST_CASE("local CA: anyone else's pair naming the host is kept, EC too; portico's own self-signed one is not") {
  Dir mk;
  openssl_ec_pair(mk, "localhost", "localhost", Shape::ByCa);
  std::string crt = mk.read("localhost.crt");
  tls::Issued kept = ensure(mk, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!kept.from_ca && !kept.made_leaf && !kept.made_ca && mk.read("localhost.crt") == crt));
  // ...but not when it is for another name: replaced, kept beside.
  Dir other;
  openssl_ec_pair(other, "localhost", "elsewhere.example", Shape::ByCa);
  tls::Issued renamed = ensure(other, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((renamed.from_ca && renamed.made_leaf && renamed.replaced == "not made for localhost"));
  CHECK(renamed.kept_as == other.file("localhost.crt.old"));
  Dir own;
  openssl_ec_pair(own, "localhost", "localhost", Shape::OpensslSelfSigned);
  tls::Issued theirs = ensure(own, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!theirs.from_ca && !theirs.made_leaf));
  Dir old;
  openssl_ec_pair(old, "localhost", "localhost", Shape::PorticoSelfSigned);
  tls::Issued replaced = ensure(old, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((replaced.from_ca && replaced.made_leaf && replaced.replaced == "not signed by " + old.file("portico-ca.crt")));
  CHECK(replaced.kept_as == old.file("localhost.crt.old"));  // a browser may have been told to accept it
}

TEST_CASE("local CA: what is replaced never overwrites an earlier .old") {
  Dir d;
  openssl_ec_pair(d, "localhost", "elsewhere.example", Shape::ByCa);
  std::string first = d.read("localhost.crt");
  tls::Issued a = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  openssl_ec_pair(d, "localhost", "another.example", Shape::ByCa);
  std::string second = d.read("localhost.crt");
  tls::Issued b = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((a.kept_as == d.file("localhost.crt.old") && b.kept_as == d.file("localhost.crt.old.2")));
  CHECK((d.read("localhost.crt.old") == first && d.read("localhost.crt.old.2") == second));
  CHECK((d.has("localhost.key.old") && d.has("localhost.key.old.2")));
  // Renewals of the CA's own leaf keep nothing: ten of them fill no .old.
  Dir r;
  ensure(r, "localhost", tls::box_names("localhost", "board", {kLan}));  // the CA covers kLan
  for (int i = 0; i < 10; i++) {
    tls::Issued is = ensure(r, "localhost", tls::box_names("localhost", "board", i % 2 ? std::vector<std::string>{kLan}
                                                                                      : std::vector<std::string>{}));
    CHECK((is.made_leaf && !is.made_ca && is.kept_as.empty()));
  }
  CHECK(!r.has("localhost.crt.old"));
}

TEST_CASE("local CA: a file it cannot read stops it, and nothing is replaced") {
  Dir d;
  ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  std::string ca = d.read("portico-ca.crt");
  REQUIRE(rename(d.file("portico-ca.key").c_str(), d.file("saved.key").c_str()) == 0);
  REQUIRE(mkdir(d.file("portico-ca.key").c_str(), 0700) == 0);  // EINVAL, as EACCES or EIO would be
  tls::Issued is;
  std::string err;
  CHECK(!tls::ensure_local_ca(d.path, "localhost", tls::box_names("localhost", "board", {}), &is, &err));
  CHECK(err == "cannot read " + d.file("portico-ca.key") + ": not a regular file");
  CHECK((d.read("portico-ca.crt") == ca && !d.has("portico-ca.crt.old")));
}

TEST_CASE("local CA: a move a crash cut short is finished, not replaced") {
  Dir d;
  ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  std::string crt = d.read("localhost.crt"), ca = d.read("portico-ca.crt");
  // The key moved in place, the certificate not yet: as after a crash between issue()'s renames.
  REQUIRE(rename(d.file("localhost.crt").c_str(), d.file("localhost.crt.new").c_str()) == 0);
  tls::Issued is = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!is.made_leaf && is.replaced.empty() && d.read("localhost.crt") == crt && !d.has("localhost.crt.new")));
  // Neither moved: both .new, their places empty (here, the CA's).
  REQUIRE(rename(d.file("portico-ca.crt").c_str(), d.file("portico-ca.crt.new").c_str()) == 0);
  REQUIRE(rename(d.file("portico-ca.key").c_str(), d.file("portico-ca.key.new").c_str()) == 0);
  is = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!is.made_ca && !is.made_leaf && d.read("portico-ca.crt") == ca && !d.has("portico-ca.key.new")));
  // A pair put back in their place since is not overwritten by them.
  Dir other;
  ensure(other, "localhost", tls::box_names("localhost", "board", {}));
  REQUIRE(rename(other.file("portico-ca.crt").c_str(), d.file("portico-ca.crt.new").c_str()) == 0);
  REQUIRE(rename(other.file("portico-ca.key").c_str(), d.file("portico-ca.key.new").c_str()) == 0);
  is = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((!is.made_ca && d.read("portico-ca.crt") == ca));
}

TEST_CASE("local CA: one an earlier portico made for a one-label name is replaced; the new one keeps the rest") {
  Dir d;
  tls::BoxNames broad;
  broad.dns = {"board", "box.example", "localhost"};
  broad.ips = {kLoop, kLan};
  ensure(d, "localhost", broad);
  tls::Issued is = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
  CHECK((is.made_ca && is.ca_replaced == "it may sign for every name under board: remove it from the browsers that "
                                          "trust it"));
  // The new one: not for board, but still for box.example, which needs no other; not for the old
  // one's address (another machine's, perhaps, on this network).
  std::string ca = d.read("portico-ca.crt");
  tls::Issued again = ensure(d, "box.example", tls::box_names("box.example", "board", {kLan}));
  CHECK((!again.made_ca && again.outside == std::vector<std::string>{kLan} && d.read("portico-ca.crt") == ca));
  std::string text;
  std::string cmd = "openssl x509 -noout -text -in " + d.file("portico-ca.crt") + " > " + d.file("ca.txt");
  REQUIRE(std::system(cmd.c_str()) == 0);
  text = d.read("ca.txt");
  CHECK((text.find("DNS:box.example") != std::string::npos && text.find("DNS:board\n") == std::string::npos &&
         text.find("DNS:board,") == std::string::npos));
}

TEST_CASE("local CA: one whose constraints are not of portico's shape is replaced, and nothing of it kept") {
  const char* shapes[] = {
      "permitted;DNS:localhost",  // no address subtree: addresses left open
      "permitted;DNS:localhost,permitted;IP:127.0.0.1/255.255.255.255,excluded;DNS:x.localhost",
      "permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0",  // a partial mask
      "permitted;DNS:.com,permitted;DNS:localhost,permitted;IP:127.0.0.1/255.255.255.255",  // OpenSSL: all of com
      "permitted;DNS:Box.Example,permitted;DNS:localhost,permitted;IP:127.0.0.1/255.255.255.255",
      "permitted;DNS:localhost,permitted;email:a@b.example,permitted;IP:127.0.0.1/255.255.255.255",
  };
  for (const char* shape : shapes) {
    Dir d;
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                      d.file("portico-ca.key") + " -out " + d.file("portico-ca.crt") +
                      " -days 3650 -subj /CN=x -addext 'nameConstraints=critical," + shape + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    tls::Issued is = ensure(d, "localhost", tls::box_names("localhost", "board", {}));
    CHECK_MESSAGE((is.made_ca && is.ca_replaced == "its name constraints are not portico's"), shape);
    cmd = "openssl x509 -noout -text -in " + d.file("portico-ca.crt") + " > " + d.file("ca.txt");
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::string text = d.read("ca.txt");
    CHECK_MESSAGE((text.find("DNS:.com") == std::string::npos && text.find("Box.Example") == std::string::npos), shape);
  }
}

TEST_CASE("local CA: a name under one it covers needs no new CA; an address asked for by --cert-host does") {
  Dir d;
  ensure(d, "box.example", tls::box_names("box.example", "board", {}));
  std::string ca = d.read("portico-ca.crt");
  tls::Issued sub = ensure(d, "a.box.example", tls::box_names("a.box.example", "board", {}));
  CHECK((!sub.made_ca && sub.made_leaf && d.read("portico-ca.crt") == ca));
  tls::Issued ip = ensure(d, "10.0.0.9", tls::box_names("10.0.0.9", "board", {}));
  CHECK((ip.made_ca && ip.ca_replaced == "it does not cover 10.0.0.9" && ip.outside.empty()));
  CHECK(ip.cert_file == d.file("10_0_0_9.crt"));
}

TEST_CASE("write_secret: a temporary file left with another mode is not written into") {
  Dir d;
  int fd = open(d.file("s.tmp").c_str(), O_WRONLY | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(chmod(d.file("s.tmp").c_str(), 0644) == 0);
  REQUIRE(base::write_secret(d.file("s"), "k", 1));
  struct stat st;
  REQUIRE(stat(d.file("s").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK((d.read("s") == "k" && !d.has("s.tmp")));
}
