-- The dashboard's "longest without a letter" order, walked in index order so
-- that the first page reads about a hundred prisoners instead of sorting all
-- of them. The expression must match the ORDER BY that
-- prisoners::directory_page issues: never written to first (NULLs), then the
-- oldest last letter.
CREATE INDEX prisoners_lacking_mail
    ON prisoners ((last_letter_sent_at IS NOT NULL), last_letter_sent_at, surname, id);
-- Counting who may be written to reads this index alone, not the table.
CREATE INDEX prisoners_writable ON prisoners (do_not_write, status);
