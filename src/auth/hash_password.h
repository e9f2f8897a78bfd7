// SPDX-License-Identifier: MIT
// hash_password — "portico hash-password": a password on stdin, an argon2id
// PHC string on stdout, ready for hashed-password in the config file.
#pragma once

namespace auth {

// argv[0] is "hash-password".  Returns the exit status (0, or 100 for bad
// flags or an empty password, 111 when hashing fails).
int hash_password_main(int argc, char** argv);

}  // namespace auth
