//! Recording replies: matched by the reply code, by a picked letter, or left
//! for a coordinator; the books (letter replied or likely blocked, the
//! prisoner's last reply) follow.

use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::replies::{MatchState, ReplyChannel};
use konvert::db::{self, prisoners};
use konvert::replies::record::{self, IncomingReply};

use crate::both_backends;
use crate::delivery::queued_letter_by;
use crate::helpers::*;

/// A sent letter, and the e-mail address of its writer.
async fn sent_letter_and_writer(app: &TestApp) -> (letters::Letter, String) {
    app.db
        .run(|c| {
            let l = sent_letter(c);
            let w = konvert::db::users::find(c, l.writer_id)?.unwrap();
            Ok::<_, konvert::db::DbError>((l, w.email))
        })
        .await
        .unwrap()
}

fn incoming(code: Option<&str>) -> IncomingReply {
    IncomingReply {
        received_at: db::now(),
        channel: ReplyChannel::Paper,
        reply_code: code.map(str::to_owned),
        prisoner_id: None,
        letter_id: None,
        transcription: "Спасибо за письмо!".into(),
        notes: String::new(),
        blank_unused: false,
        source_message_id: None,
        logged_by: None,
    }
}

/// A letter that went out (status sent), with its code.
fn sent_letter(conn: &mut db::DbConn) -> letters::Letter {
    let id = queued_letter_by(conn, "Письмо", Channel::Post);
    letters::set_status(conn, id, LetterStatus::Sent, db::now()).unwrap();
    letters::find(conn, id).unwrap().unwrap()
}

both_backends! {
    async fn a_reply_code_as_typed_finds_the_letter_and_the_books_follow(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let typed = letter.reply_code.clone().unwrap().to_lowercase().replace('-', " ");
        let reply = db::write_tx(&mut conn, |c| record::record(c, &incoming(Some(&typed)), db::now())).unwrap();
        assert_eq!(reply.match_state, MatchState::Matched);
        assert_eq!(reply.letter_id, Some(letter.id));
        assert_eq!(reply.writer_id, Some(letter.writer_id));
        assert_eq!(reply.reply_code, letter.reply_code, "stored in its printed form");
        let l = letters::find(&mut conn, letter.id).unwrap().unwrap();
        assert_eq!(l.status, LetterStatus::Replied);
        assert!(l.replied_at.is_some());
        let p = prisoners::find(&mut conn, letter.prisoner_id).unwrap().unwrap();
        assert_eq!(p.replies_count, 1);
        assert_eq!(p.last_reply_at, Some(reply.received_at));
    }
}

both_backends! {
    async fn an_unknown_code_waits_unmatched_and_a_coordinator_assigns_it(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let reply = db::write_tx(&mut conn, |c| record::record(c, &incoming(Some("QQ-QQQQ")), db::now())).unwrap();
        assert_eq!(reply.match_state, MatchState::Unmatched);
        assert_eq!(reply.prisoner_id, None);
        assert_eq!(reply.reply_code.as_deref(), Some("QQ-QQQQ"), "what was read is kept");
        let waiting = konvert::db::replies::unmatched(&mut conn, 10).unwrap();
        assert_eq!(waiting.len(), 1);

        let record::Assigned::Matched(assigned) = db::write_tx(&mut conn, |c| record::assign(c, reply.id, letter.prisoner_id, Some(letter.id), 1, db::now()))
            .unwrap()
        else {
            panic!("matched")
        };
        assert_eq!(assigned.match_state, MatchState::Matched);
        assert_eq!(assigned.writer_id, Some(letter.writer_id));
        assert_eq!(letters::find(&mut conn, letter.id).unwrap().unwrap().status, LetterStatus::Replied);
        assert!(konvert::db::replies::unmatched(&mut conn, 10).unwrap().is_empty());
        // Assigning again changes nothing, and counts nothing twice.
        let again = db::write_tx(&mut conn, |c| record::assign(c, reply.id, letter.prisoner_id, None, 1, db::now())).unwrap();
        assert!(matches!(again, record::Assigned::AlreadyMatched), "{again:?}");
        assert_eq!(prisoners::find(&mut conn, letter.prisoner_id).unwrap().unwrap().replies_count, 1);
    }
}

both_backends! {
    async fn an_unused_reply_blank_alone_marks_the_letter_as_likely_blocked(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let mut blank = incoming(None);
        blank.letter_id = Some(letter.id);
        blank.blank_unused = true;
        blank.transcription = String::new();
        blank.channel = ReplyChannel::FsinPismoScan;
        db::write_tx(&mut conn, |c| record::record(c, &blank, db::now())).unwrap();
        let l = letters::find(&mut conn, letter.id).unwrap().unwrap();
        assert_eq!(l.status, LetterStatus::Censored);
        assert_eq!(l.outcome_note.as_deref(), Some("likely_blocked"));
    }
}

both_backends! {
    async fn a_picked_letter_must_be_to_the_named_prisoner(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let other = sent_letter(&mut conn);
        let mut wrong = incoming(None);
        wrong.prisoner_id = Some(other.prisoner_id);
        wrong.letter_id = Some(letter.id);
        let reply = db::write_tx(&mut conn, |c| record::record(c, &wrong, db::now())).unwrap();
        assert_eq!(reply.letter_id, None, "the letter was to someone else");
        assert_eq!(reply.prisoner_id, Some(other.prisoner_id));
        assert_eq!(letters::find(&mut conn, letter.id).unwrap().unwrap().status, LetterStatus::Sent);
    }
}

fn service_mail(
    message_id: &str,
    subject: &str,
    text: &str,
    attachment: Option<(&str, &str, &[u8])>,
) -> Vec<u8> {
    use base64::Engine;
    let mut mail = format!(
        "From: ФСИН-Письмо <noreply@f-pismo.example>\r\nTo: letters@example.org\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\nDate: Tue, 3 Nov 2026 10:00:00 +0300\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    );
    if let Some((name, ctype, data)) = attachment {
        mail.push_str(&format!(
            "--b\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64::engine::general_purpose::STANDARD.encode(data)
        ));
    }
    mail.push_str("--b--\r\n");
    mail.into_bytes()
}

both_backends! {
    async fn e_mailed_replies_match_by_code_or_by_name_and_birth_year_and_keep_their_scans(backend) {
        use konvert::replies::intake::{self, Imported};
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let data_dir = test_db.dir.path().join("data");
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        let code = letter.reply_code.clone().unwrap();

        let by_code = intake::parse(&service_mail("m1@x", &format!("Ответ на письмо {code}"), "Скан во вложении", Some(("ответ.pdf", "application/pdf", b"%PDF-1.7 scan")))).unwrap();
        let Imported::Recorded { reply, refused } = intake::import(&mut conn, &data_dir, &by_code, db::now()).unwrap() else { panic!("recorded") };
        assert!(refused.is_empty());
        assert_eq!(reply.letter_id, Some(letter.id));
        assert_eq!(reply.channel, ReplyChannel::FsinPismoScan);
        let files = konvert::db::replies::files(&mut conn, reply.id).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].content_type, "application/pdf");
        assert!(data_dir.join("scans").join(&files[0].stored_name).is_file());
        // The same e-mail again adds nothing.
        assert!(matches!(intake::import(&mut conn, &data_dir, &by_code, db::now()).unwrap(), Imported::AlreadyImported { .. }));

        // No code: the name and birth year in the text find the prisoner.
        let by_name = intake::parse(&service_mail("m2@x", "Ответ", "Ответ от Горинов Алексей Алексеевич, 1961 г.р.", None)).unwrap();
        let Imported::Recorded { reply, .. } = intake::import(&mut conn, &data_dir, &by_name, db::now()).unwrap() else { panic!() };
        assert_eq!(reply.prisoner_id, Some(letter.prisoner_id));
        assert_eq!(reply.letter_id, None);
        assert_eq!(reply.match_state, MatchState::Matched);

        // Neither: the queue. A wrong attachment is refused, and said so; the reply is kept.
        let unknown = intake::parse(&service_mail("m3@x", "Ответ", "Без подписи", Some(("virus.pdf", "application/pdf", b"MZ\x90\x00 not a pdf")))).unwrap();
        let Imported::Recorded { reply, refused } = intake::import(&mut conn, &data_dir, &unknown, db::now()).unwrap() else { panic!() };
        assert_eq!(reply.match_state, MatchState::Unmatched);
        assert_eq!(refused.len(), 1);
        assert!(reply.notes.contains("virus.pdf"), "the refusal is noted on the reply: {}", reply.notes);
        assert!(konvert::db::replies::files(&mut conn, reply.id).unwrap().is_empty());
    }
}

#[test]
fn import_replies_command_reports_each_file_and_refuses_what_is_not_mail() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("maildir");
    std::fs::create_dir_all(maildir.join("new")).unwrap();
    std::fs::create_dir_all(maildir.join("cur")).unwrap();
    std::fs::write(
        maildir.join("new").join("1.eml"),
        service_mail("c1@x", "Ответ", "Кто-то ответил", None),
    )
    .unwrap();
    std::fs::write(maildir.join("cur").join("2.eml"), b"\x00\x01 not mail").unwrap();
    let run = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_konvert"));
        for key in konvert::config::Settings::env_keys() {
            cmd.env_remove(key);
        }
        cmd.env("KONVERT_DATA_DIR", dir.path().join("data"))
            .arg("import-replies")
            .arg(&maildir)
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("1.eml: reply 1 waits for a coordinator"),
        "{stdout}"
    );
    assert!(stderr.contains("2.eml: not an e-mail message"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad input is reported with exit status 2"
    );
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already imported as reply 1"));
}

both_backends! {
    async fn scans_open_only_for_the_writer_and_coordinators_and_the_queue_matches_by_code(backend) {
        use konvert::db::users::Role;
        use konvert::replies::intake::{self, Imported};
        let Some(app) = spawn_app(backend).await else { return };
        // The writer of the letter signs in as themselves.
        let (letter, writer_email) = sent_letter_and_writer(&app).await;
        let code = letter.reply_code.clone().unwrap();
        let data_dir = app.data_dir.clone();
        let raw = service_mail("w1@x", &format!("Ответ {code}"), "Скан", Some(("ответ.pdf", "application/pdf", b"%PDF-1.7 the scan")));
        let reply_id = app
            .db
            .run(move |c| {
                let mail = intake::parse(&raw).unwrap();
                match intake::import(c, &data_dir, &mail, db::now()).unwrap() {
                    Imported::Recorded { reply, .. } => Ok::<_, konvert::db::DbError>(reply.id),
                    Imported::AlreadyImported { .. } => unreachable!(),
                }
            })
            .await
            .unwrap();
        let file_id = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::replies::files(c, reply_id)?[0].id)).await.unwrap();
        let scan = format!("/replies/{reply_id}/files/{file_id}");

        // The writer (a password is set for the seeded account first).
        let hash = konvert::accounts::hash_password(TEST_PASSWORD).unwrap();
        let wid = letter.writer_id;
        app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::users::set_password_hash(c, wid, &hash, db::now())?)).await.unwrap();
        let writer = spawn_client(&app).unwrap();
        assert_eq!(writer.post_form("/login", &[("email", writer_email.as_str()), ("password", TEST_PASSWORD)]).await.status(), 303);
        let res = writer.get(&scan).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("no-store"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.7 the scan");
        assert!(writer.get(&format!("/replies/{reply_id}")).await.text().await.unwrap().contains("ответ.pdf"));

        // Another volunteer, and a visitor, cannot.
        let (_, other) = app.other_client("other@example.org", Role::Volunteer).await;
        assert_eq!(other.get(&scan).await.status(), 404);
        assert_eq!(other.get(&format!("/replies/{reply_id}")).await.status(), 404);
        let visitor = spawn_client(&app).unwrap();
        assert_eq!(visitor.get(&scan).await.status(), 303);

        // A coordinator can, and matches an unmatched reply by the code read from it.
        let (_, coordinator) = app.other_client("coord@example.org", Role::Coordinator).await;
        assert_eq!(coordinator.get(&scan).await.status(), 200);
        let loose = app
            .db
            .run(|c| Ok::<_, konvert::db::DbError>(db::write_tx(c, |c| record::record(c, &incoming(None), db::now()))?.id))
            .await
            .unwrap();
        let queue = coordinator.get("/replies").await.text().await.unwrap();
        assert!(queue.contains(&format!("/replies/{loose}/assign")), "{queue}");
        let bad = coordinator.post_form(&format!("/replies/{loose}/assign"), &[("target", "XX-XXXX")]).await;
        assert_eq!(bad.status(), 422);
        let typed = code.to_lowercase();
        let ok = coordinator.post_form(&format!("/replies/{loose}/assign"), &[("target", typed.as_str())]).await;
        assert_eq!(ok.status(), 303);
        let assigned = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::replies::find(c, loose)?.unwrap())).await.unwrap();
        assert_eq!(assigned.letter_id, Some(letter.id));
        assert_eq!(other.get("/replies").await.status(), 403);
    }
}

both_backends! {
    async fn the_writer_hears_of_a_matched_reply_once_at_a_real_smtp_server(backend) {
        use konvert::db::users::Role;
        let Some(sink) = crate::smtp_sink::SmtpSink::start() else { return };
        let url = sink.url();
        let Some(app) = spawn_app_with(backend, |s| s.smtp_url = Some(url)).await else { return };
        let (letter, writer_email) = sent_letter_and_writer(&app).await;
        let mut loose = incoming(None);
        loose.transcription = "Спасибо! Очень ждал письма.".into();
        let reply = app
            .db
            .run(move |c| Ok::<_, konvert::db::DbError>(db::write_tx(c, |c| record::record(c, &loose, db::now()))?.id))
            .await
            .unwrap();
        let (_, coordinator) = app.other_client("coord@example.org", Role::Coordinator).await;
        let code = letter.reply_code.clone().unwrap();
        assert_eq!(coordinator.post_form(&format!("/replies/{reply}/assign"), &[("target", code.as_str())]).await.status(), 303);
        let mails = sink.wait_for(1).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, writer_email);
        assert!(mails[0].subject.contains("Горинов Алексей Алексеевич"), "{}", mails[0].subject);
        assert!(mails[0].text.contains("Спасибо! Очень ждал письма."));
        assert!(mails[0].text.contains(&format!("/replies/{reply}")));
        assert!(!mails[0].text.contains("%PDF"), "scans stay behind sign-in");
        // Matching again sends nothing more.
        coordinator.post_form(&format!("/replies/{reply}/assign"), &[("target", code.as_str())]).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(sink.received().len(), 1);
    }
}

/// Posts a multipart form with the CSRF token, as a browser would.
async fn post_multipart(
    client: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    files: Vec<(&str, &str, Vec<u8>)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("csrf_token", client.csrf().await);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (field, name, data) in files {
        form = form.part(
            field.to_string(),
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
        );
    }
    client
        .client
        .post(client.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn a_paper_reply_is_logged_with_its_scan_and_bad_input_is_refused_with_reasons(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        let letter = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let form = app.get(&format!("/replies/new?prisoner={}", letter.prisoner_id)).await.text().await.unwrap();
        assert!(form.contains(&format!("value=\"{}\"", letter.id)), "recent letters to pick from: {form}");

        let today = db::now().date().to_string();
        let pid = letter.prisoner_id.to_string();
        let lid = letter.id.to_string();
        // Wrong type, and nothing says whose it is: refused, input kept, nothing stored.
        let bad = post_multipart(&app, "/replies/new", &[("received_on", &today), ("channel", "paper"), ("transcription", "Текст ответа")],
            vec![("scans", "photo.jpg", b"GIF89a not allowed".to_vec())]).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("id=\"scans-error\"") && html.contains("id=\"prisoner-error\""), "{html}");
        assert!(html.contains("Текст ответа"), "input kept");
        assert!(!app.data_dir.join("scans").exists() || std::fs::read_dir(app.data_dir.join("scans")).unwrap().next().is_none());

        let ok = post_multipart(&app, "/replies/new", &[("prisoner", &pid), ("letter", &lid), ("received_on", &today), ("channel", "paper"), ("transcription", "Спасибо!")],
            vec![("scans", "page1.png", [&[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], b"rest"].concat())]).await;
        assert_eq!(ok.status(), 303);
        let location = ok.headers()["location"].to_str().unwrap().to_owned();
        let page = app.get(&location).await.text().await.unwrap();
        assert!(page.contains("page1.png") && page.contains("Спасибо!"));
        let reply_id = location.trim_start_matches("/replies/");
        assert!(page.contains(&format!("<p class=\"flash\" role=\"status\">Ответ № {reply_id} записан.</p>")), "confirmed: {page}");
        let l = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::letters::find(c, letter.id)?.unwrap())).await.unwrap();
        assert_eq!(l.status, LetterStatus::Replied);

        // Without the CSRF token the upload is refused.
        let form = reqwest::multipart::Form::new().text("prisoner", pid.clone());
        assert_eq!(app.client.post(app.url("/replies/new")).multipart(form).send().await.unwrap().status(), 403);
    }
}

both_backends! {
    async fn uploaded_e_mails_are_imported_and_what_is_not_mail_is_reported(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        let letter = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        let code = letter.reply_code.clone().unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let res = post_multipart(&app, "/replies/import", &[], vec![
            ("emails", "good.eml", service_mail("u1@x", &format!("Ответ {code}"), "Скан", None)),
            ("emails", "broken.eml", b"\x00\x01\x02".to_vec()),
        ]).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("good.eml: сопоставлен"), "{html}");
        assert!(html.contains("broken.eml: это не письмо"), "{html}");
        let l = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::letters::find(c, letter.id)?.unwrap())).await.unwrap();
        assert_eq!(l.status, LetterStatus::Replied);
    }
}

both_backends! {
    async fn reply_rates_follow_the_letters_per_channel_and_facility(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let letter = sent_letter(&mut conn);
        sent_letter(&mut conn);
        let code = letter.reply_code.clone();
        db::write_tx(&mut conn, |c| record::record(c, &incoming(code.as_deref()), db::now())).unwrap();
        let by_channel = konvert::db::replies::rates_by_channel(&mut conn).unwrap();
        assert_eq!(by_channel, vec![konvert::db::replies::Rate { group: "post".into(), sent: 2, replied: 1 }]);

        konvert::demo::load(&mut conn, db::now()).unwrap();
        let by_facility = konvert::db::replies::rates_by_facility(&mut conn).unwrap();
        assert!(!by_facility.is_empty());
        assert!(by_facility.iter().all(|r| r.replied <= r.sent && r.sent > 0));
        assert!(by_facility.iter().any(|r| r.replied > 0), "the demo has replies: {by_facility:?}");
    }
}

both_backends! {
    async fn an_oversized_scan_is_refused_with_a_reason_and_nothing_is_stored(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        let letter = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let today = db::now().date().to_string();
        let pid = letter.prisoner_id.to_string();
        let mut big = b"%PDF-1.7 ".to_vec();
        big.resize(konvert::replies::scans::MAX_SCAN_BYTES + 10, b'x');
        let res = post_multipart(&app, "/replies/new", &[("prisoner", &pid), ("received_on", &today), ("channel", "paper"), ("transcription", "Длинный ответ")],
            vec![("scans", "huge.pdf", big)]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"scans-error\""), "{html}");
        assert!(html.contains("Длинный ответ"), "the transcription is kept");
        let recorded = app.db.run(|c| Ok::<_, konvert::db::DbError>(konvert::db::replies::unmatched(c, 10)?.len())).await.unwrap();
        assert_eq!(recorded, 0);
        let l = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::letters::find(c, letter.id)?.unwrap())).await.unwrap();
        assert_eq!(l.status, LetterStatus::Sent, "nothing recorded");
    }
}

/// Records a reply as a coordinator would; its id.
async fn logged_reply(app: &TestApp, reply: IncomingReply) -> i64 {
    app.db
        .run(move |c| {
            Ok::<_, konvert::db::DbError>(
                db::write_tx(c, |c| record::record(c, &reply, db::now()))?.id,
            )
        })
        .await
        .unwrap()
}

both_backends! {
    async fn the_letter_links_its_reply_and_every_reply_can_be_found_by_prisoner_writer_date_and_state(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        let (letter, writer_email) = sent_letter_and_writer(&app).await;
        let other = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        let matched = logged_reply(&app, incoming(letter.reply_code.as_deref())).await;
        let mut loose = incoming(None);
        loose.transcription = "Без кода".into();
        let unmatched = logged_reply(&app, loose).await;

        // The writer's letter says "reply received" and links to it.
        let hash = konvert::accounts::hash_password(TEST_PASSWORD).unwrap();
        let wid = letter.writer_id;
        app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::users::set_password_hash(c, wid, &hash, db::now())?)).await.unwrap();
        let writer = spawn_client(&app).unwrap();
        assert_eq!(writer.post_form("/login", &[("email", writer_email.as_str()), ("password", TEST_PASSWORD)]).await.status(), 303);
        let page = writer.get(&format!("/letters/{}", letter.id)).await.text().await.unwrap();
        assert!(page.contains(&format!("<a href=\"/replies/{matched}\">")), "{page}");
        assert_eq!(writer.get(&format!("/replies/{matched}")).await.status(), 200);

        let (_, coordinator) = app.other_client("coord@example.org", Role::Coordinator).await;
        let list = |query: String| {
            let coordinator = &coordinator;
            async move {
                let res = coordinator.get(&format!("/replies{query}")).await;
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        let shows = |page: &str, id: i64| page.contains(&format!("id=\"reply-{id}\""));
        let (status, all) = list(String::new()).await;
        assert_eq!(status, 200);
        assert!(shows(&all, matched) && shows(&all, unmatched), "every reply: {all}");
        // The prisoner's number is where the match form needs it, linked to their page.
        assert!(all.contains(&format!("href=\"/prisoners/{}\"", letter.prisoner_id)) && all.contains(&format!("№ {}", letter.prisoner_id)), "{all}");
        assert!(all.contains("Ждут привязки (1)"), "the unmatched queue is a filter with its count");

        let (_, queue) = list("?state=unmatched".into()).await;
        assert!(shows(&queue, unmatched) && !shows(&queue, matched));
        assert!(queue.contains(&format!("/replies/{unmatched}/assign")));
        let (_, done) = list("?state=matched".into()).await;
        assert!(shows(&done, matched) && !shows(&done, unmatched));
        let (_, by_number) = list(format!("?prisoner={}", letter.prisoner_id)).await;
        assert!(shows(&by_number, matched) && !shows(&by_number, unmatched));
        let (_, by_other) = list(format!("?prisoner=%E2%84%96{}", other.prisoner_id)).await;
        assert!(!shows(&by_other, matched), "another person's number finds nothing of theirs");
        let (_, by_name) = list("?prisoner=%D0%B3%D0%BE%D1%80%D0%B8%D0%BD%D0%BE%D0%B2".into()).await; // "горинов"
        assert!(shows(&by_name, matched), "a name in any case: {by_name}");
        let (_, by_writer) = list(format!("?writer={}", &writer_email[..8])).await;
        assert!(shows(&by_writer, matched) && !shows(&by_writer, unmatched));
        let (_, by_writer_id) = list(format!("?writer={}", letter.writer_id)).await;
        assert!(shows(&by_writer_id, matched));
        let today = db::now().date();
        let (_, in_range) = list(format!("?from={today}&to={today}")).await;
        assert!(shows(&in_range, matched) && shows(&in_range, unmatched));
        let (_, later) = list(format!("?from={}", today.succ_opt().unwrap())).await;
        assert!(!shows(&later, matched) && later.contains("Таких ответов нет."));
        let (status, bad) = list("?from=20.11.2026".into()).await;
        assert_eq!(status, 422);
        assert!(bad.contains("id=\"from-error\"") && bad.contains("value=\"20.11.2026\""), "explained, kept: {bad}");

        // The prisoner's page shows the number the match form asks for.
        let person = coordinator.get(&format!("/prisoners/{}", letter.prisoner_id)).await.text().await.unwrap();
        assert!(person.contains(&format!("<dd class=\"prisoner-number\">№ {}</dd>", letter.prisoner_id)), "{person}");
    }
}

both_backends! {
    async fn the_list_pages_by_a_cursor_without_repeating_or_skipping_a_reply(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        // 57 replies, several received at the same moment.
        let at = db::now();
        for i in 0..57i64 {
            let mut r = incoming(None);
            r.received_at = at - chrono::TimeDelta::hours(i / 3);
            logged_reply(&app, r).await;
        }
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let ids = |page: &str| page.split("id=\"reply-").skip(1).map(|s| s.split('"').next().unwrap().parse::<i64>().unwrap()).collect::<Vec<_>>();
        let first = app.get("/replies?state=unmatched").await.text().await.unwrap();
        assert_eq!(ids(&first).len(), 50);
        let next = first.split("href=\"").find(|s| s.contains("rel=\"next\"") || s.contains("after=")).and_then(|s| s.split('"').next()).unwrap().replace("&amp;", "&").replace("&#x3D;", "=");
        assert!(next.contains("state=unmatched") && next.contains("after="), "filters travel with the page: {next}");
        let second = app.get(&next).await.text().await.unwrap();
        assert_eq!(ids(&second).len(), 7);
        assert!(!second.contains("rel=\"next\""), "the last page");
        let mut all: Vec<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 57, "each reply once");
    }
}

both_backends! {
    async fn a_name_finds_whose_reply_it_is_and_each_step_is_confirmed(backend) {
        use konvert::db::users::Role;
        let Some(app) = spawn_app(backend).await else { return };
        // Two people of the same name, and one other.
        let first = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        let second = app.db.run(|c| Ok::<_, konvert::db::DbError>(sent_letter(c))).await.unwrap();
        let third = app.db.run(|c| {
            let p = prisoners::insert(c, &prisoners::PrisonerForm::new("Шахматистова", "Ольга", None), db::now())?;
            Ok::<_, konvert::db::DbError>(p.id)
        }).await.unwrap();
        let reply = logged_reply(&app, incoming(None)).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;

        let ask = app.post_form(&format!("/replies/{reply}/assign"), &[("target", "Горинов")]).await;
        assert_eq!(ask.status(), 422);
        let page = ask.text().await.unwrap();
        assert!(page.contains("С таким именем несколько человек"), "{page}");
        for id in [first.prisoner_id, second.prisoner_id] {
            assert!(page.contains(&format!("name=\"target\" value=\"{id}\"")), "offered by number: {page}");
        }
        let ok = app.post_form(&format!("/replies/{reply}/assign"), &[("target", &second.prisoner_id.to_string())]).await;
        assert_eq!(ok.status(), 303);
        let page = app.get(ok.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
        assert!(page.contains(&format!("Ответ № {reply} привязан: Горинов Алексей Алексеевич.")), "{page}");
        let matched = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::replies::find(c, reply)?.unwrap())).await.unwrap();
        assert_eq!(matched.prisoner_id, Some(second.prisoner_id));
        // A second coordinator, a moment late, is told and changes nothing.
        let late = app.post_form(&format!("/replies/{reply}/assign"), &[("target", &first.prisoner_id.to_string())]).await;
        assert_eq!(late.status(), 303);
        let page = app.get(late.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
        assert!(page.contains("уже привязал кто-то другой"), "{page}");
        let still = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::replies::find(c, reply)?.unwrap())).await.unwrap();
        assert_eq!(still.prisoner_id, Some(second.prisoner_id));

        // Logging a paper reply: a unique name is enough.
        let today = db::now().date().to_string();
        let form = app.get("/replies/new").await.text().await.unwrap();
        assert!(form.contains("номер (на его странице) или имя"), "{form}");
        let ok = post_multipart(&app, "/replies/new", &[("prisoner", "шахматистова"), ("received_on", &today), ("channel", "paper"), ("transcription", "Привет")], vec![]).await;
        assert_eq!(ok.status(), 303);
        let location = ok.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.trim_start_matches("/replies/").parse().unwrap();
        let logged = app.db.run(move |c| Ok::<_, konvert::db::DbError>(konvert::db::replies::find(c, id)?.unwrap())).await.unwrap();
        assert_eq!(logged.prisoner_id, Some(third));
        // An ambiguous name is asked back, with what was typed kept.
        let ask = post_multipart(&app, "/replies/new", &[("prisoner", "Горинов"), ("received_on", &today), ("channel", "paper"), ("transcription", "Второй ответ")], vec![]).await;
        assert_eq!(ask.status(), 422);
        let page = ask.text().await.unwrap();
        assert!(page.contains(&format!("name=\"prisoner_pick\" value=\"{}\"", first.prisoner_id)) && page.contains("Второй ответ"), "{page}");
    }
}
