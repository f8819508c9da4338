-- The repair cannot be undone: which rows were stale is not recorded, and
-- putting finished letters back on the send screens would be the bug again.
SELECT 1;
