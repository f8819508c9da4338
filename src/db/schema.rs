// Written by hand to match migrations/{sqlite,postgres}: the same columns on both
// backends (ids are BIGINT on PostgreSQL and INTEGER, which is 64-bit, on SQLite).
// The integration tests round-trip every table on both backends.

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        pen_name -> Nullable<Text>,
        role -> Text,
        password_hash -> Nullable<Text>,
        locale -> Text,
        time_zone -> Text,
        writes_languages -> Text,
        remind_frequency -> Text,
        remind_digest -> Bool,
        remind_dry_spell_days -> Nullable<Integer>,
        remind_birthdays -> Bool,
        remind_replies -> Bool,
        remind_transfers -> Bool,
        remind_letter_status -> Bool,
        remind_coordinator_digest -> Bool,
        trusted -> Bool,
        disabled -> Bool,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        interests -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        token_hash -> Text,
        email -> Nullable<Text>,
        role -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    facilities (id) {
        id -> BigInt,
        country -> Text,
        kind -> Text,
        name -> Text,
        name_en -> Nullable<Text>,
        postcode -> Nullable<Text>,
        region -> Nullable<Text>,
        district -> Nullable<Text>,
        locality -> Nullable<Text>,
        street -> Nullable<Text>,
        house -> Nullable<Text>,
        building -> Nullable<Text>,
        region_en -> Nullable<Text>,
        district_en -> Nullable<Text>,
        locality_en -> Nullable<Text>,
        street_en -> Nullable<Text>,
        notes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    facility_services (id) {
        id -> BigInt,
        facility_id -> BigInt,
        service -> Text,
        external_id -> Nullable<Text>,
    }
}

diesel::table! {
    prisoners (id) {
        id -> BigInt,
        surname -> Text,
        given_name -> Text,
        patronymic -> Nullable<Text>,
        latin_name -> Nullable<Text>,
        gender -> Nullable<Text>,
        birth_year -> Nullable<Integer>,
        birth_month -> Nullable<Integer>,
        birth_day -> Nullable<Integer>,
        status -> Text,
        measure -> Nullable<Text>,
        rehabilitated -> Bool,
        release_expected_on -> Nullable<Date>,
        health_urgent -> Bool,
        do_not_write -> Bool,
        do_not_write_reason -> Nullable<Text>,
        bio -> Text,
        last_letter_sent_at -> Nullable<Timestamp>,
        last_reply_at -> Nullable<Timestamp>,
        letters_sent_count -> Integer,
        replies_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_key -> Text,
    }
}

diesel::table! {
    prisoner_recognitions (id) {
        id -> BigInt,
        prisoner_id -> BigInt,
        kind -> Text,
        organisation -> Text,
        since -> Nullable<Date>,
        source_url -> Nullable<Text>,
    }
}

diesel::table! {
    prisoner_charges (id) {
        id -> BigInt,
        prisoner_id -> BigInt,
        article -> Text,
    }
}

diesel::table! {
    prisoner_tags (id) {
        id -> BigInt,
        prisoner_id -> BigInt,
        kind -> Text,
        value -> Text,
    }
}

diesel::table! {
    prisoner_sources (id) {
        id -> BigInt,
        prisoner_id -> BigInt,
        url -> Text,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    placements (id) {
        id -> BigInt,
        prisoner_id -> BigInt,
        facility_id -> Nullable<BigInt>,
        state -> Text,
        started_on -> Nullable<Date>,
        ended_on -> Nullable<Date>,
        address_confirmed_at -> Nullable<Timestamp>,
        source -> Nullable<Text>,
        notes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    letters (id) {
        id -> BigInt,
        writer_id -> BigInt,
        prisoner_id -> BigInt,
        placement_id -> Nullable<BigInt>,
        address_snapshot -> Nullable<Text>,
        language -> Text,
        body -> Text,
        channel -> Text,
        status -> Text,
        pen_name -> Nullable<Text>,
        reply_blank -> Bool,
        pages -> Nullable<Integer>,
        cost_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        receipt_number -> Nullable<Text>,
        reply_code -> Nullable<Text>,
        reviewer_id -> Nullable<BigInt>,
        review_note -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        hold_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        returned_to_writer_at -> Nullable<Timestamp>,
        rejected_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        queued_at -> Nullable<Timestamp>,
        held_at -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        censored_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        lost_at -> Nullable<Timestamp>,
        replied_at -> Nullable<Timestamp>,
        submission_key -> Nullable<Text>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        letter_id -> Nullable<BigInt>,
        channel -> Text,
        idempotency_key -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        receipt -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    replies (id) {
        id -> BigInt,
        prisoner_id -> Nullable<BigInt>,
        letter_id -> Nullable<BigInt>,
        writer_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        channel -> Text,
        reply_code -> Nullable<Text>,
        transcription -> Text,
        notes -> Text,
        blank_unused -> Bool,
        match_state -> Text,
        source_message_id -> Nullable<Text>,
        logged_by -> Nullable<BigInt>,
        writer_notified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reply_files (id) {
        id -> BigInt,
        reply_id -> BigInt,
        stored_name -> Text,
        original_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        dedup_key -> Text,
        subject_type -> Nullable<Text>,
        subject_id -> Nullable<BigInt>,
        delivery_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    starter_texts (id) {
        id -> BigInt,
        kind -> Text,
        language -> Text,
        title -> Text,
        body -> Text,
        updated_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    site_settings (key) {
        key -> Text,
        value -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_switches (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        switched_on_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(reminder_switches -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(facility_services -> facilities (facility_id));
diesel::joinable!(prisoner_recognitions -> prisoners (prisoner_id));
diesel::joinable!(prisoner_charges -> prisoners (prisoner_id));
diesel::joinable!(prisoner_tags -> prisoners (prisoner_id));
diesel::joinable!(prisoner_sources -> prisoners (prisoner_id));
diesel::joinable!(placements -> prisoners (prisoner_id));
diesel::joinable!(placements -> facilities (facility_id));
diesel::joinable!(placements -> users (created_by));
diesel::joinable!(letters -> prisoners (prisoner_id));
diesel::joinable!(letters -> placements (placement_id));
diesel::joinable!(deliveries -> letters (letter_id));
diesel::joinable!(replies -> prisoners (prisoner_id));
diesel::joinable!(replies -> letters (letter_id));
diesel::joinable!(reply_files -> replies (reply_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(notifications -> deliveries (delivery_id));
diesel::joinable!(audit_log -> users (actor_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    invitations,
    facilities,
    facility_services,
    prisoners,
    prisoner_recognitions,
    prisoner_charges,
    prisoner_tags,
    prisoner_sources,
    placements,
    letters,
    deliveries,
    replies,
    reply_files,
    notifications,
    audit_log,
    sessions,
    password_resets,
    starter_texts,
    reminder_switches,
);
