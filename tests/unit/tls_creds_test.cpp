// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

#include "tls/creds.h"

namespace {

// Pairs made by openssl in a directory of their own: EC (PKCS#8 and SEC1
// keys) and RSA, so that every kind of mismatch can be put together.
struct Pairs {
  std::string dir;
  Pairs() {
    char tmpl[] = "/tmp/portico-creds-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    auto cert = [this](const char* name, const char* newkey) {
      std::string cmd = "openssl req -x509 -newkey " + std::string(newkey) + " -nodes -keyout " + path(name, "key") +
                        " -out " + path(name, "crt") + " -days 2 -subj /CN=localhost 2>/dev/null";
      REQUIRE(std::system(cmd.c_str()) == 0);
    };
    cert("ec", "ec -pkeyopt ec_paramgen_curve:P-256");
    cert("ec384", "ec -pkeyopt ec_paramgen_curve:P-384");
    cert("rsa", "rsa:2048");
    cert("rsa2", "rsa:2048");
    std::string sec1 = "openssl ecparam -name prime256v1 -genkey -noout -out " + path("other", "key");
    REQUIRE(std::system(sec1.c_str()) == 0);
    // PEM whose DER is not a certificate.
    std::string junk = "printf -- '-----BEGIN CERTIFICATE-----\\nMIIBAAAA\\n-----END CERTIFICATE-----\\n' > " +
                       path("junk", "crt");
    REQUIRE(std::system(junk.c_str()) == 0);
  }
  ~Pairs() { (void)std::system(("rm -rf " + dir).c_str()); }
  std::string path(const char* name, const char* ext) const { return dir + "/" + name + "." + ext; }
  // Loads NAME.crt with KEY.key.
  tls::CredsRef load(const char* name, const char* key, std::string* err) const {
    return tls::Creds::load(path(name, "crt"), path(key, "key"), err);
  }
};

const Pairs& pairs() {
  static Pairs p;
  return p;
}

}  // namespace

TEST_CASE("Creds::load takes a certificate with its own key, EC or RSA") {
  std::string err;
  for (const char* name : {"ec", "ec384", "rsa", "rsa2"}) {
    CAPTURE(name);
    tls::CredsRef c = pairs().load(name, name, &err);
    REQUIRE(c);
    CHECK(c->chain_len() == 1);
    CHECK(c->is_rsa() == (name[0] == 'r'));
  }
}

TEST_CASE("Creds::load refuses a key that is not the certificate's, naming both files") {
  const char* cases[][2] = {
      {"ec", "other"},   // two P-256 keys
      {"ec", "ec384"},   // another curve
      {"rsa", "ec"},     // an RSA certificate with an EC key
      {"ec", "rsa"},     // and the other way round
      {"rsa", "rsa2"},   // two RSA keys
  };
  for (auto& c : cases) {
    CAPTURE(c[0]);
    CAPTURE(c[1]);
    std::string err;
    CHECK(!pairs().load(c[0], c[1], &err));
    CHECK(err == "the key in " + pairs().path(c[1], "key") + " does not belong to the certificate in " +
                     pairs().path(c[0], "crt"));
  }
}

TEST_CASE("Creds::load refuses a certificate that does not decode") {
  std::string err;
  CHECK(!pairs().load("junk", "ec", &err));
  CHECK(err == pairs().path("junk", "crt") + ": malformed certificate");
}

TEST_CASE("A CredsRef keeps its set alive after every other reference is gone") {
  std::string err;
  tls::CredsRef current = pairs().load("ec", "ec", &err);
  REQUIRE(current);
  char before[96], after[96];
  current->fingerprint(before);
  tls::CredsRef engine = current;  // an engine starts
  CHECK(current.count() == 2);
  current = pairs().load("rsa", "rsa", &err);  // a reload, then another
  current = pairs().load("ec384", "ec384", &err);
  CHECK(engine.count() == 1);
  engine->fingerprint(after);  // under ASan, a use after free if the reloads freed it
  CHECK(std::string(before) == after);
  CHECK(engine->chain()[0].data_len > 0);
  tls::CredsRef moved = std::move(engine);
  CHECK(!engine);
  CHECK(moved.count() == 1);
}
