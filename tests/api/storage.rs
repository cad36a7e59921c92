//! Roles are typed twice over in storage: the schema refuses a role that is
//! not one (CHECK constraints on both backends), and the code reads the
//! column as `RoleKind`, so a value that slipped past would be an error on
//! read rather than a string passed on (`RoleKind::parse`, unit-tested).

use diesel::RunQueryDsl;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(the_schema_refuses_a_role_that_is_no_role);

async fn the_schema_refuses_a_role_that_is_no_role(backend: Backend) {
    let app = spawn_app(backend).await;
    app.cli_ok(&[
        "token",
        "create",
        "--role",
        "home-affairs",
        "--name",
        "fine",
    ]);
    for statement in [
        "UPDATE api_tokens SET role = 'root'",
        "UPDATE api_tokens SET role = 'admin'",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut *app.db().writer().unwrap());
        assert!(
            matches!(
                refused,
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::CheckViolation,
                    _
                ))
            ),
            "{statement}: {refused:?}"
        );
    }
    assert!(app.cli_ok(&["token", "list"]).contains("\thome-affairs\t"));
}
