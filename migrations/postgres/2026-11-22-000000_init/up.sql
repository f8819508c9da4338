-- Konvert's data model. The SQLite twin of this file differs only in the
-- primary-key type. All timestamps are UTC.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    pen_name TEXT,
    role TEXT NOT NULL,
    password_hash TEXT,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    writes_languages TEXT NOT NULL,
    remind_frequency TEXT NOT NULL,
    remind_digest BOOLEAN NOT NULL,
    remind_dry_spell_days INTEGER,
    remind_birthdays BOOLEAN NOT NULL,
    remind_replies BOOLEAN NOT NULL,
    remind_transfers BOOLEAN NOT NULL,
    remind_letter_status BOOLEAN NOT NULL,
    remind_coordinator_digest BOOLEAN NOT NULL,
    trusted BOOLEAN NOT NULL,
    disabled BOOLEAN NOT NULL,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Sign-up links: the first admin's, and later coordinators' invitations.
-- Only a hash of the token is kept.
CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT,
    role TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE facilities (
    id BIGSERIAL PRIMARY KEY,
    country TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    postcode TEXT,
    region TEXT,
    district TEXT,
    locality TEXT,
    street TEXT,
    house TEXT,
    building TEXT,
    region_en TEXT,
    district_en TEXT,
    locality_en TEXT,
    street_en TEXT,
    notes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX facilities_country_region ON facilities (country, region);

-- Which e-letter services (or e-mail relays) reach a facility, with the
-- service's own identifier for it.
CREATE TABLE facility_services (
    id BIGSERIAL PRIMARY KEY,
    facility_id BIGINT NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    external_id TEXT,
    UNIQUE (facility_id, service)
);

CREATE TABLE prisoners (
    id BIGSERIAL PRIMARY KEY,
    surname TEXT NOT NULL,
    given_name TEXT NOT NULL,
    patronymic TEXT,
    latin_name TEXT,
    gender TEXT,
    birth_year INTEGER,
    birth_month INTEGER,
    birth_day INTEGER,
    status TEXT NOT NULL,
    measure TEXT,
    rehabilitated BOOLEAN NOT NULL,
    release_expected_on DATE,
    health_urgent BOOLEAN NOT NULL,
    do_not_write BOOLEAN NOT NULL,
    do_not_write_reason TEXT,
    bio TEXT NOT NULL,
    last_letter_sent_at TIMESTAMP,
    last_reply_at TIMESTAMP,
    letters_sent_count INTEGER NOT NULL,
    replies_count INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX prisoners_surname ON prisoners (surname);
CREATE INDEX prisoners_last_letter_sent_at ON prisoners (last_letter_sent_at);

CREATE TABLE prisoner_recognitions (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    organisation TEXT NOT NULL,
    since DATE,
    source_url TEXT,
    UNIQUE (prisoner_id, organisation, kind)
);

CREATE TABLE prisoner_charges (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id) ON DELETE CASCADE,
    article TEXT NOT NULL,
    UNIQUE (prisoner_id, article)
);

-- Languages a prisoner reads and their interests: rows, so lists filter on them.
CREATE TABLE prisoner_tags (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (prisoner_id, kind, value)
);
CREATE INDEX prisoner_tags_kind_value ON prisoner_tags (kind, value);

CREATE TABLE prisoner_sources (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT
);

-- Where a prisoner is held, over time. The row with ended_on IS NULL is the
-- current address; an in-transit row has no facility.
CREATE TABLE placements (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id) ON DELETE CASCADE,
    facility_id BIGINT REFERENCES facilities (id),
    state TEXT NOT NULL,
    started_on DATE,
    ended_on DATE,
    address_confirmed_at TIMESTAMP,
    source TEXT,
    notes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX placements_one_open ON placements (prisoner_id) WHERE ended_on IS NULL;
CREATE INDEX placements_facility ON placements (facility_id);

CREATE TABLE letters (
    id BIGSERIAL PRIMARY KEY,
    writer_id BIGINT NOT NULL REFERENCES users (id),
    prisoner_id BIGINT NOT NULL REFERENCES prisoners (id),
    placement_id BIGINT REFERENCES placements (id),
    address_snapshot TEXT,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    pen_name TEXT,
    reply_blank BOOLEAN NOT NULL,
    pages INTEGER,
    cost_minor BIGINT,
    currency TEXT,
    receipt_number TEXT,
    reply_code TEXT UNIQUE,
    reviewer_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    review_note TEXT,
    outcome_note TEXT,
    hold_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    returned_to_writer_at TIMESTAMP,
    rejected_at TIMESTAMP,
    approved_at TIMESTAMP,
    queued_at TIMESTAMP,
    held_at TIMESTAMP,
    sent_at TIMESTAMP,
    delivered_at TIMESTAMP,
    censored_at TIMESTAMP,
    returned_at TIMESTAMP,
    lost_at TIMESTAMP,
    replied_at TIMESTAMP
);
CREATE INDEX letters_writer_status ON letters (writer_id, status);
CREATE INDEX letters_prisoner_sent ON letters (prisoner_id, sent_at);
CREATE INDEX letters_status ON letters (status);

-- The outbox: one row per letter and channel, or per notification e-mail.
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    letter_id BIGINT REFERENCES letters (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_at TIMESTAMP,
    claimed_by TEXT,
    last_error TEXT,
    receipt TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (letter_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

CREATE TABLE replies (
    id BIGSERIAL PRIMARY KEY,
    prisoner_id BIGINT REFERENCES prisoners (id),
    letter_id BIGINT REFERENCES letters (id) ON DELETE SET NULL,
    writer_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    received_at TIMESTAMP NOT NULL,
    channel TEXT NOT NULL,
    reply_code TEXT,
    transcription TEXT NOT NULL,
    notes TEXT NOT NULL,
    blank_unused BOOLEAN NOT NULL,
    match_state TEXT NOT NULL,
    source_message_id TEXT UNIQUE,
    logged_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    writer_notified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX replies_prisoner ON replies (prisoner_id, received_at);
CREATE INDEX replies_match_state ON replies (match_state);

-- Scans live in the data directory under stored_name; never under a public URL.
CREATE TABLE reply_files (
    id BIGSERIAL PRIMARY KEY,
    reply_id BIGINT NOT NULL REFERENCES replies (id) ON DELETE CASCADE,
    stored_name TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- What e-mail went to whom and why. dedup_key is unique per user, reason and
-- period, so a restart can never send the same reminder twice.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    subject_type TEXT,
    subject_id BIGINT,
    delivery_id BIGINT REFERENCES deliveries (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    details TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
