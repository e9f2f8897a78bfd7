// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <unistd.h>

#include "routes/login_text.h"

using routes::LoginText;

TEST_CASE("login text: English built in, code-server's {{app}} and {{configFile}} filled once") {
  LoginText t;
  t.settle("portico", "/home/u/.config/code-server/config.yaml");
  CHECK(t[LoginText::Title] == "portico login");
  CHECK(t[LoginText::Welcome] == "Welcome to portico");
  CHECK(t[LoginText::FromFile] == "Check the config file at /home/u/.config/code-server/config.yaml for the password.");
  CHECK(t[LoginText::Incorrect] == "Incorrect password");
  LoginText loop;   // an app name that names a placeholder is put in once, not again and again
  loop.settle("{{app}}", "");
  CHECK(loop[LoginText::Title] == "{{app}} login");
}

TEST_CASE("login text: a JSON object's members laid over, others ignored, escapes decoded") {
  LoginText t;
  std::string why;
  REQUIRE(t.merge(R"({"WELCOME": "Willkommen bei {{app}}", "NOT_OURS": {"x": [1]}, "SUBMIT": "\u00d6K\n"})", &why));
  t.settle("box", "");
  CHECK(t[LoginText::Welcome] == "Willkommen bei box");
  CHECK(t[LoginText::Submit] == "\xc3\x96K\n");
  CHECK(t[LoginText::Below] == "Please log in below.");
}

TEST_CASE("login text: what is not an object of strings is refused whole, naming the member") {
  for (const char* bad : {"", "[]", "{\"WELCOME\": 1}", "{\"WELCOME\": \"x\"", "{\"SUBMIT\":\"a\"} x",
                          "{\"WELCOME\": \"x\", \"SUBMIT\": null}"}) {
    LoginText t;
    std::string why;
    CHECK_MESSAGE(!t.merge(bad, &why), bad);
    CHECK(!why.empty());
    CHECK(t[LoginText::Welcome] == "Welcome to {{app}}");   // nothing half-applied
  }
  LoginText t;
  std::string why;
  CHECK(!t.merge("{\"SUBMIT\": 2}", &why));
  CHECK(why.find("SUBMIT") == 0);
  std::string big = "{\"WELCOME\": \"" + std::string(2000, 'x') + "\"}";
  CHECK(!t.merge(big, &why));
}

TEST_CASE("login text: a file, or a one-line reason naming it") {
  char path[] = "/tmp/portico-i18n-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const char text[] = "{\"PASSWORD_PLACEHOLDER\": \"Passwort\"}";
  REQUIRE(write(fd, text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1));
  close(fd);
  LoginText t;
  std::string why;
  REQUIRE(t.merge_file(path, &why));
  CHECK(t[LoginText::Placeholder] == "Passwort");
  unlink(path);
  CHECK(!t.merge_file(path, &why));
  CHECK(why == std::string(path) + ": No such file or directory");
}
