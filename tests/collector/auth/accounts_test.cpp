#include <catch2/catch.hpp>

#include "collector/auth/accounts.hpp"
#include "collector/storage/sqlite/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace triage;
using namespace triage::collector;
using namespace std::chrono_literals;

TEST_CASE("login issues a bearer token that authenticates until it expires") {
  testing::TempDir dir;
  auto store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  auto now = std::chrono::system_clock::now();
  REQUIRE(create_user(*store, "sam", Role::kTechnician, "a long enough password", now));

  auto wrong = login(*store, "sam", "not the password!", 1h, now);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "wrong user name or password");
  auto nobody = login(*store, "nobody", "a long enough password", 1h, now);
  REQUIRE_FALSE(nobody);
  CHECK(nobody.error().message == wrong.error().message);  // no user enumeration

  auto ok = login(*store, "sam", "a long enough password", 1h, now);
  REQUIRE(ok);
  auto user = authenticate_bearer(*store, "Bearer " + ok->token, now + 30min);
  REQUIRE(user);
  CHECK(user->name == "sam");
  CHECK(user->role == Role::kTechnician);
  CHECK_FALSE(authenticate_bearer(*store, "Bearer " + ok->token, now + 2h));
  CHECK_FALSE(authenticate_bearer(*store, "Basic abc", now));
  CHECK_FALSE(authenticate_bearer(*store, "", now));
}

TEST_CASE("weak passwords and odd user names are refused") {
  testing::TempDir dir;
  auto store = std::move(*SqliteStore::open((dir.path() / "c.db").string()));
  auto now = std::chrono::system_clock::now();
  CHECK_FALSE(create_user(*store, "ok", Role::kViewer, "short", now));
  CHECK_FALSE(create_user(*store, "bad name", Role::kViewer, "a long enough password", now));
  CHECK_FALSE(create_user(*store, "", Role::kViewer, "a long enough password", now));
  auto stored = create_user(*store, "ok", Role::kViewer, "a long enough password", now);
  REQUIRE(stored);
  CHECK(stored->password_hash.rfind("scrypt$", 0) == 0);
  CHECK(stored->password_hash.find("a long enough password") == std::string::npos);
}
