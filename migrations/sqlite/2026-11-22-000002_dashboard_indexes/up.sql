-- The dashboard's "longest without a letter" order, walked in index order so
-- that the first page reads about a hundred prisoners instead of sorting all
-- of them. The leading terms must match the ORDER BY that
-- prisoners::directory_page issues: never written to first (NULLs), then the
-- oldest last letter. The trailing columns are what the page filters on, so
-- that rows are skipped in the index and the count of who may be written to
-- reads this index alone. (A second index on just those two columns tempted
-- SQLite's planner into sorting every prisoner again.)
CREATE INDEX prisoners_lacking_mail
    ON prisoners ((last_letter_sent_at IS NOT NULL), last_letter_sent_at, surname, id, do_not_write, status);
-- The facility filter lists every facility in this order on each request.
CREATE INDEX facilities_listed ON facilities (country, region, name);
-- Open drafts for the page's prisoners: without it PostgreSQL intersected
-- the page's letters with every draft in the table (letters_status).
CREATE INDEX letters_prisoner_status ON letters (prisoner_id, status);
