-- The few who may not be written to (do-not-write, released, deceased), so
-- that the dashboard's unfiltered count is the table's size less these:
-- counting the writable directly walked every prisoner on each request. The
-- predicate is the one prisoners::NOT_WRITABLE spells; a partial index is
-- only used for a query that repeats it.
CREATE INDEX prisoners_not_writable ON prisoners (id)
    WHERE do_not_write OR status IN ('released', 'deceased');
