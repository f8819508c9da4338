-- Organisation-wide choices coordinators make in the web interface, such as
-- whether the public counts page is on. One row per setting.
CREATE TABLE site_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
