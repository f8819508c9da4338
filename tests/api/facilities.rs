//! Facility pages and the coordinator's facility form: addresses in every
//! style, services, the people held there, validation and the audit log.

use konvert::db::facilities::{self, Service};
use konvert::db::users::Role;
use konvert::db::DbError;

use crate::both_backends;
use crate::helpers::*;
use crate::prisoners::{
    add_facility, add_prisoner, audit_actions, page, russkikh, seed, seed_facility_form, unescape,
};

fn seed_form_fields() -> Vec<(&'static str, String)> {
    let s = seed();
    let f = &s["facility"];
    let text = |k: &str| f[k].as_str().unwrap_or("").to_owned();
    vec![
        ("country", "ru".to_owned()),
        ("kind", "remand".to_owned()),
        ("name", text("name")),
        ("name_en", text("name_en")),
        ("postcode", text("postcode")),
        ("region", text("region")),
        ("locality", text("locality")),
        ("street", text("street")),
        ("house", text("house")),
        ("notes", "Передачи по вторникам.".to_owned()),
        ("service_fsin_pismo", "true".to_owned()),
        ("service_fsin_pismo_id", "78-SIZO-1".to_owned()),
        (
            "service_zonatelecom_id",
            "ignored while unticked".to_owned(),
        ),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_backends! {
    async fn a_coordinator_adds_a_facility_and_its_page_shows_the_address_services_and_people(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        assert_eq!(app.get("/facilities/new").await.status(), 200);
        let fields = seed_form_fields();
        let res = app.post_form("/facilities/new", &borrowed(&fields)).await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.strip_prefix("/facilities/").unwrap().parse().unwrap();
        assert!(page(&app, &location).await.contains("Учреждение добавлено."), "confirmed");
        let (facility, services) = app
            .db
            .run(move |conn| Ok::<_, DbError>((facilities::find(conn, id)?.unwrap(), facilities::services(conn, id)?)))
            .await
            .unwrap();
        assert_eq!(facility.country, "RU", "the country code is uppercased");
        assert_eq!(services.len(), 1);
        assert_eq!(services[0].service, Service::FsinPismo);
        assert_eq!(services[0].external_id.as_deref(), Some("78-SIZO-1"));

        let p = add_prisoner(&app, russkikh(), Some(id)).await;
        let html = page(&app, &location).await;
        assert!(html.contains(
            ">196655, Россия, г. Санкт-Петербург, г. Колпино, ул. Колпинская, д. 9, ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области.</pre>"
        ), "line style without a recipient: {html}");
        assert!(html.contains(
            ">Remand Prison No. 1, Russian Federal Penitentiary Service for St. Petersburg and Leningrad region, 9 Kolpinskaya Street, Kolpino, St. Petersburg, 196655, Russia.</pre>"
        ), "english style without a recipient: {html}");
        assert!(unescape(&html).contains(">ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области\nул. Колпинская, д. 9\nг. Колпино\nг. Санкт-Петербург\n196655</pre>"), "envelope style: {html}");
        assert!(html.contains("78-SIZO-1"));
        assert!(html.contains("Передачи по вторникам."));
        assert!(unescape(&html).contains(&format!("href=\"/prisoners/{}\"", p.id)), "people held here are listed");
        assert!(html.contains("Русских Андрей Владимирович"));

        let list = page(&app, "/facilities").await;
        assert!(list.contains("ФКУ СИЗО-1 УФСИН России"));
        assert_eq!(app.get("/facilities/999999").await.status(), 404);

        let audit = audit_actions(&app).await;
        let created = audit.iter().find(|(a, e, _)| a == "facility.create" && e == "facility").expect("audited");
        assert!(created.2.contains("\"postcode\"") && created.2.contains("\"services\""), "{}", created.2);
    }
}

both_backends! {
    async fn editing_a_facility_changes_its_services_and_is_audited(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        app.db
            .run(move |conn| Ok::<_, DbError>(facilities::set_service(conn, f.id, Service::Zonatelecom, Some("zt-1"))?))
            .await
            .unwrap();
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let edit = page(&app, &format!("/facilities/{}/edit", f.id)).await;
        assert!(edit.contains("value=\"zt-1\""), "the form is filled in");
        let mut fields = seed_form_fields();
        fields.push(("service_email", "true".into()));
        fields.push(("service_email_id", "letters@example.org".into()));
        fields.push(("street_en", "Kolpinskaya Street".into()));
        let res = app.post_form(&format!("/facilities/{}/edit", f.id), &borrowed(&fields)).await;
        assert_eq!(res.status(), 303);
        assert!(page(&app, &format!("/facilities/{}", f.id)).await.contains("Учреждение сохранено."), "confirmed");
        let services = app.db.run(move |conn| Ok::<_, DbError>(facilities::services(conn, f.id)?)).await.unwrap();
        let kinds: Vec<Service> = services.iter().map(|s| s.service).collect();
        assert!(kinds.contains(&Service::FsinPismo) && kinds.contains(&Service::Email));
        assert!(!kinds.contains(&Service::Zonatelecom), "unticked services are removed");
        let audit = audit_actions(&app).await;
        let updated = audit.iter().find(|(a, _, _)| a == "facility.update").expect("audited");
        let details: serde_json::Value = serde_json::from_str(&updated.2).unwrap();
        let changed: Vec<&str> = details["fields"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(changed, ["street_en", "notes", "services"]);
    }
}

both_backends! {
    async fn invalid_facility_forms_get_422_with_messages_next_to_the_fields(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let res = app
            .post_form(
                "/facilities/new",
                &[("country", "RU"), ("kind", "colony"), ("name", ""), ("postcode", "1234"),
                  ("region_en", "Владимир"), ("service_email", "true"), ("service_email_id", "nope"),
                  ("locality", "г. Покров")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        for id in ["name-error", "postcode-error", "region_en-error", "service_email_id-error"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
        assert!(html.contains("value=\"г. Покров\""), "input is kept");
        assert!(html.contains("value=\"1234\""));

        let res = app.post_form("/facilities/new", &[("country", "Russia"), ("kind", "castle"), ("name", "ИК-1"), ("postcode", "123456")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"country-error\"") && html.contains("id=\"kind-error\""), "{html}");

        // Belarus: six digits too; a five-digit code is refused.
        let res = app.post_form("/facilities/new", &[("country", "BY"), ("kind", "colony"), ("name", "ИК-1"), ("postcode", "24603")]).await;
        assert_eq!(res.status(), 422);
        assert_eq!(app.db.run(|conn| Ok::<_, DbError>(facilities::count(conn)?)).await.unwrap(), 0);
        assert_eq!(app.post_form("/facilities/424242/edit", &[("country", "RU")]).await.status(), 404);
    }
}
