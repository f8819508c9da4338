-- A letter that was sent (and perhaps delivered, censored, returned, lost or
-- replied to since) never waits on a send screen again, and a rejected one
-- never goes out. `konvert demo` and the old "mark all as posted" left such
-- letters' outbox rows waiting by hand (or pending); finish them as the app
-- would have: sent when the letter was, or cancelled for a rejected letter.
UPDATE deliveries
SET state = 'sent',
    finished_at = COALESCE(
        finished_at,
        (SELECT letters.sent_at FROM letters WHERE letters.id = deliveries.letter_id),
        updated_at
    )
WHERE state IN ('manual', 'pending')
  AND letter_id IN (
    SELECT id FROM letters
    WHERE status IN ('sent', 'delivered', 'censored', 'returned', 'lost', 'replied')
  );

UPDATE deliveries
SET state = 'cancelled',
    finished_at = COALESCE(finished_at, updated_at)
WHERE state IN ('manual', 'pending')
  AND letter_id IN (SELECT id FROM letters WHERE status = 'rejected');
