//! Who may reach what: every route, for a visitor, a volunteer and a
//! coordinator. Visitors are sent to sign in; volunteers get 403 on
//! coordinator routes; nobody gets a 500.

use konvert::db::users::Role;

use crate::both_backends;
use crate::helpers::*;
use crate::letters::{prisoner, Fixture};

/// Routes every signed-in member may open.
const MEMBER_PAGES: &[&str] = &[
    "/prisoners",
    "/prisoners/{p}",
    "/facilities",
    "/facilities/{f}",
    "/letters",
    "/letters/new?prisoner={p}",
    "/settings/reminders",
];

/// Pages for coordinators only.
const COORDINATOR_PAGES: &[&str] = &[
    "/members",
    "/review",
    "/outbox",
    "/post",
    "/post/letters?id=1",
    "/post/envelopes?id=1",
    "/post/return-address",
    "/outbox/held",
    "/send",
    "/send/fsin_pismo",
    "/send/zonatelecom",
    "/starters",
    "/starters/new",
    "/prisoners/new",
    "/prisoners/{p}/edit",
    "/facilities/new",
    "/facilities/{f}/edit",
    "/dashboard",
    "/dashboard?format=csv",
    "/dashboard/attention",
    "/dashboard/dates",
    "/dashboard/facilities",
    "/dashboard/facilities?months=24",
    "/dashboard/public",
];

/// Forms for coordinators only.
const COORDINATOR_POSTS: &[&str] = &[
    "/members/invite",
    "/members/{u}/role",
    "/members/{u}/disabled",
    "/members/{u}/trusted",
    "/review/1",
    "/outbox/1/retry",
    "/outbox/1/cancel",
    "/post/posted",
    "/post/return-address",
    "/send/fsin_pismo/1",
    "/starters/new",
    "/prisoners/new",
    "/prisoners/{p}/edit",
    "/prisoners/{p}/transfer",
    "/placements/1/confirm",
    "/facilities/new",
    "/facilities/{f}/edit",
    "/dashboard/public",
];

const PUBLIC_PAGES: &[&str] = &["/", "/login", "/reset", "/healthz", "/static/konvert.css"];

fn fill(path: &str, p: i64, f: i64, u: i64) -> String {
    path.replace("{p}", &p.to_string())
        .replace("{f}", &f.to_string())
        .replace("{u}", &u.to_string())
}

both_backends! {
    async fn every_route_answers_each_role_as_it_should(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let p = prisoner(&app, Fixture::default()).await;
        let f = app
            .db
            .run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::placements::current(c, p)?.and_then(|x| x.facility_id).unwrap()))
            .await
            .unwrap();
        let other = app.create_user("other@example.org", Role::Volunteer).await;
        let u = other.id;

        for path in PUBLIC_PAGES {
            assert_eq!(app.get(path).await.status(), 200, "visitor {path}");
        }
        for path in MEMBER_PAGES.iter().chain(COORDINATOR_PAGES) {
            let path = fill(path, p, f, u);
            let res = app.get(&path).await;
            assert_eq!(res.status(), 303, "visitor {path}");
            assert!(res.headers()["location"].to_str().unwrap().starts_with("/login?next="), "visitor {path}");
        }
        for path in COORDINATOR_POSTS {
            let path = fill(path, p, f, u);
            let status = app.post_form(&path, &[]).await.status();
            assert!(status == 303 || status == 401, "visitor POST {path}: {status}");
        }

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        for path in MEMBER_PAGES {
            let path = fill(path, p, f, u);
            assert_eq!(app.get(&path).await.status(), 200, "volunteer {path}");
        }
        for path in COORDINATOR_PAGES {
            let path = fill(path, p, f, u);
            assert_eq!(app.get(&path).await.status(), 403, "volunteer {path}");
        }
        for path in COORDINATOR_POSTS {
            let path = fill(path, p, f, u);
            assert_eq!(app.post_form(&path, &[]).await.status(), 403, "volunteer POST {path}");
        }

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        for path in MEMBER_PAGES.iter().chain(COORDINATOR_PAGES) {
            let path = fill(path, p, f, u);
            let status = app.get(&path).await.status();
            // Nothing waits to be posted here: printing letter 1 is refused
            // with "choose at least one letter", not with a lack of rights.
            let expected = if path.contains("?id=") { 400 } else { 200 };
            assert_eq!(status, expected, "coordinator {path}");
        }
        for path in COORDINATOR_POSTS {
            let path = fill(path, p, f, u);
            let status = app.post_form(&path, &[]).await.status();
            assert!(status.is_redirection() || status.is_client_error(), "coordinator POST {path} with an empty form: {status}");
            assert_ne!(status, 403, "coordinator POST {path}");
        }
    }
}
