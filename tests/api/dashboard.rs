//! The dashboard: who has gone longest without a letter, its filters, its
//! figures, and the CSV export.

use chrono::{Datelike, TimeDelta};
use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::prisoners::{self, PrisonerForm, TagKind};
use konvert::db::users::Role;
use konvert::db::{self, DbError};

use crate::both_backends;
use crate::delivery::queued_letter_by;
use crate::helpers::*;

/// A prisoner whose one letter went out `days_ago`; returns the prisoner id.
fn written_to(c: &mut db::DbConn, days_ago: i64) -> i64 {
    let id = queued_letter_by(c, "Письмо", Channel::Post);
    let at = db::now() - TimeDelta::days(days_ago);
    letters::set_status(c, id, LetterStatus::Sent, at).unwrap();
    let letter = letters::find(c, id).unwrap().unwrap();
    prisoners::note_letter_sent(c, letter.prisoner_id, at).unwrap();
    letter.prisoner_id
}

both_backends! {
    async fn the_longest_without_mail_come_first_with_their_figures_filters_and_csv(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (never, old, recent) = app
            .db
            .run(|c| {
                let now = db::now();
                let mut form = PrisonerForm::new("Никогданеписали", "Ольга", None);
                form.status = prisoners::PrisonerStatus::Convicted;
                let never = prisoners::insert(c, &form, now)?.id;
                prisoners::add_tag(c, never, TagKind::Interest, "шахматы")?;
                prisoners::add_tag(c, never, TagKind::Language, "en")?;
                let mut paused = PrisonerForm::new("Непишите", "Павел", None);
                paused.do_not_write = true;
                paused.do_not_write_reason = Some("просьба семьи".into());
                prisoners::insert(c, &paused, now)?;
                let old = written_to(c, 40);
                let recent = written_to(c, 5);
                Ok::<_, DbError>((never, old, recent))
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard").await.text().await.unwrap();
        let pos = |id: i64| page.find(&format!("href=\"/prisoners/{id}\"")).unwrap_or_else(|| panic!("{id} missing: {page}"));
        assert!(pos(never) < pos(old) && pos(old) < pos(recent), "never written first, then the oldest letter");
        assert!(!page.contains("Непишите"), "do-not-write is left out");
        assert!(page.contains("никогда"));

        let only = app.get("/dashboard?interest=шахматы&language=en").await.text().await.unwrap();
        assert!(only.contains(&format!("/prisoners/{never}\"")) && !only.contains(&format!("/prisoners/{old}\"")));

        let csv = app.get("/dashboard?format=csv").await;
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let body = csv.text().await.unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert!(lines[0].starts_with("id,name,status"));
        assert_eq!(lines.len(), 4, "a header and three people: {body}");
        assert!(lines[1].starts_with(&format!("{never},")));
        let recent_line = lines.iter().find(|l| l.starts_with(&format!("{recent},"))).unwrap();
        assert!(recent_line.ends_with(",5,,1,1,0"), "5 days, no reply, 1 in 30 days, 1 in 90, no drafts: {recent_line}");
        let old_line = lines.iter().find(|l| l.starts_with(&format!("{old},"))).unwrap();
        assert!(old_line.ends_with(",40,,0,1,0"), "{old_line}");

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/dashboard").await.status(), 403);
    }
}

both_backends! {
    async fn birthdays_and_releases_in_the_next_sixty_days_come_with_the_last_day_to_send(backend) {
        use konvert::dashboard::dates::{next_birthday, send_by, LeadTimes};
        let Some(app) = spawn_app(backend).await else { return };
        let today = db::now().date();
        let soon = today + TimeDelta::days(10);
        let later = today + TimeDelta::days(90);
        let release = today + TimeDelta::days(20);
        app.db
            .run(move |c| {
                let now = db::now();
                for (surname, date) in [("Скородень", soon), ("Нескоро", later)] {
                    let mut form = PrisonerForm::new(surname, "Иван", None);
                    form.set_birth_date(Some(prisoners::BirthDate::from_date(date.with_year(1980).unwrap_or(date))));
                    prisoners::insert(c, &form, now)?;
                }
                let mut leaving = PrisonerForm::new("Выходящий", "Пётр", None);
                leaving.release_expected_on = Some(release);
                prisoners::insert(c, &leaving, now)?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard/dates").await.text().await.unwrap();
        assert!(page.contains("Скородень") && page.contains("Выходящий"), "{page}");
        assert!(!page.contains("Нескоро"), "90 days away is outside the window");
        assert!(page.find("Скородень").unwrap() < page.find("Выходящий").unwrap(), "soonest first");
        let birthday = next_birthday(chrono::Datelike::month(&soon), chrono::Datelike::day(&soon), today).unwrap();
        let by = send_by(birthday, LeadTimes::default());
        assert!(page.contains(&by.eletter.to_string()), "e-letter send-by date shown");
        assert!(page.contains(&by.post_domestic.to_string()));
        assert!(page.contains("не успеет"), "post from abroad is too late for a birthday in 10 days");
    }
}

both_backends! {
    async fn what_needs_a_hand_counts_the_queues_and_this_months_spend(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.db
            .run(|c| {
                // One e-letter sent this month with its receipt, one letter waiting for review.
                let sent = queued_letter_by(c, "Письмо", Channel::FsinPismo);
                let delivery = konvert::db::deliveries::for_letter(c, sent)?[0].id;
                konvert::db::deliveries::claim_due(c, "w", db::now(), 10)?;
                konvert::db::deliveries::record_manual(c, delivery, "w", db::now())?;
                let receipt = konvert::db::deliveries::ManualReceipt { receipt: Some("R".into()), pages: Some(2), cost_minor: Some(16500) };
                konvert::db::deliveries::record_manual_sent(c, &[delivery], 1, &receipt, db::now())?;
                let waiting = queued_letter_by(c, "Ещё письмо", Channel::Post);
                letters::set_status(c, waiting, LetterStatus::Submitted, db::now())?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard/attention").await.text().await.unwrap();
        assert!(page.contains("Писем ждут проверки: 1"), "{page}");
        assert!(page.contains("Писем: 1, страниц: 2, бланков ответа: 1"), "{page}");
        assert!(page.contains("165"), "the amount paid: {page}");
    }
}
