DROP INDEX replies_state_received;
DROP INDEX replies_writer;
DROP INDEX replies_received;
DROP TABLE reminder_switches;
