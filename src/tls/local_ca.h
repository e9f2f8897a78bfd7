// SPDX-License-Identifier: MIT
// local_ca — the certificate of a bare --cert: a leaf signed by this box's
// own certificate authority, both EC P-256 and made with BearSSL alone
// (code-server shells out to openssl for a self-signed one; boards rarely
// have it).
//
// A browser told to trust the CA once trusts every leaf it signs, so the
// leaf can be renewed (new addresses, near its end) without a word to the
// user.  What makes that safe to ask of a user is the CA's name
// constraints (RFC 5280 4.2.1.10, critical): it can sign for this box's
// names and addresses only, so its key, were it stolen from the box, could
// impersonate nothing but the box itself.  Its extended key usage limits it
// to TLS servers as well.
//
// The CA: CA:TRUE with a path length of 0, keyCertSign, 20 years.  The leaf:
// CA:FALSE (Firefox refuses a CA certificate as a server's), serverAuth,
// a SAN for each name and address, 825 days (Apple's ceiling for any TLS
// server certificate), renewed 30 days before its end.
#pragma once

#include <string>
#include <vector>

namespace tls {

// What the box answers to: DNS names (lower case) and raw 4- or 16-byte
// addresses.
struct BoxNames {
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  std::string host_ip;              // --cert-host, when it is an address: the CA must cover it
  std::vector<std::string> single;  // one-label names left out (see box_names)
};

// --cert-host first (as a name, or as an address when it is one), then the
// machine's host name and NAME.local, localhost, then `ips`, 127.0.0.1 and
// ::1; no repeats, host names that are not DNS names left out.  A name of
// one label but localhost is left out too, and listed in `single`: a name
// constraint permits the names below it as well (RFC 5280 4.2.1.10), and
// a box called `dev` would get a CA that can sign for every .dev site.
BoxNames box_names(const std::string& cert_host, const std::string& hostname, const std::vector<std::string>& ips);

struct Issued {
  std::string cert_file, key_file;  // the pair to serve
  std::string ca_file;              // the CA certificate (its key beside it, .key)
  std::string ca_der;               // ...and its DER, when from_ca
  bool from_ca = false;             // the pair is the CA's leaf (else one code-server or the user left)
  bool made_ca = false;             // a new CA: browsers must be told to trust it
  std::string ca_replaced;          // why a CA that was there was not used...
  std::string ca_kept_as;           // ...and where it is now
  bool made_leaf = false;
  std::string replaced;             // why a pair that was there was not used ("" when none was)...
  std::string kept_as;              // ...and where it is now ("" for the CA's own leaf, made again)
  std::vector<std::string> outside;  // addresses the CA does not cover: not in the leaf
};

// Makes sure `dir` holds a usable pair for `host` (the --cert-host), and
// the CA: portico-ca.crt and portico-ca.key, the leaf <host, dots as
// underscores>.crt and .key (code-server's names), all 0600.  Kept as they
// are: a CA whose key matches, with 30 days left, that covers every DNS
// name of `names` and names.host_ip; a leaf it signed for exactly `names`,
// with 30 days left; a pair someone else made (code-server, mkcert, the
// user) that names `host`, with 30 days left.  A pair portico once made
// self-signed, or signed by another CA of portico's, is replaced by the
// CA's leaf.  An address the CA does not cover (the box got it after the
// CA was made) is left out of the leaf and named in `outside`; a new DNS
// name makes a new CA, as does one that permits a name of one label, and
// the new one covers the old one's names too (not its addresses).  What is
// replaced is renamed first to .old (.old.2 and on when that is taken:
// never overwritten), but for the CA's own leaf, which is simply made
// again.  Files that are there but
// cannot be read (EACCES, EIO) stop it: they are not replaced for a
// passing error.  A pair is written beside (.new) and then moved in place,
// key first; a start that finds a move a crash cut short finishes it.
// False with `err`.
bool ensure_local_ca(const std::string& dir, const std::string& host, const BoxNames& names, Issued* out,
                     std::string* err);

}  // namespace tls
