-- A passage's text is stored once: note_chunks.embed_text (title › heading path, a newline, the passage) holds it, and
-- `text` becomes a virtual column that reads it from text_at on (the prefix's length, kept per row: a title may hold a
-- newline). The indexer wrote every passage twice (a cold index of a 55 MB vault stored 148 MB of passage text).
ALTER TABLE `note_chunks` ADD `text_at` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
UPDATE `note_chunks` SET `text_at` = length(`embed_text`) - length(`text`) + 1;
--> statement-breakpoint
ALTER TABLE `note_chunks` DROP COLUMN `text`;
--> statement-breakpoint
ALTER TABLE `note_chunks` ADD `text` text GENERATED ALWAYS AS (substr(embed_text, text_at)) VIRTUAL NOT NULL;
