-- Full-text index of notes' passages (note_chunks with seq >= 0; not the whole-note rows), for hybrid search's
-- per-passage scoring: a note is ranked by its best passage too, so a long note that answers in one place is not
-- drowned by its length, and each passage carries its note's title and heading path (embed_text), as the embedder
-- reads it. External content (the view note_passages: the passage rows of note_chunks, so FTS5's integrity check
-- finds every content row indexed): the index holds no second copy of the text. Kept by triggers, so every writer
-- of note_chunks (the indexer, a cascade from notes) keeps it current; a passage's embed_text never changes while
-- its row lives (its hash is made from it), but an update would be followed too.
CREATE VIEW `note_passages` AS SELECT id, embed_text FROM `note_chunks` WHERE seq >= 0;
--> statement-breakpoint
CREATE VIRTUAL TABLE `note_passages_fts` USING fts5(embed_text, content = 'note_passages', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `note_passages_fts_insert` AFTER INSERT ON `note_chunks` WHEN new.seq >= 0 BEGIN
  INSERT INTO `note_passages_fts` (rowid, embed_text) VALUES (new.id, new.embed_text);
END;
--> statement-breakpoint
CREATE TRIGGER `note_passages_fts_delete` AFTER DELETE ON `note_chunks` WHEN old.seq >= 0 BEGIN
  INSERT INTO `note_passages_fts` (note_passages_fts, rowid, embed_text) VALUES ('delete', old.id, old.embed_text);
END;
--> statement-breakpoint
CREATE TRIGGER `note_passages_fts_update` AFTER UPDATE OF embed_text, seq ON `note_chunks` WHEN old.embed_text IS NOT new.embed_text OR (old.seq >= 0) <> (new.seq >= 0) BEGIN
  INSERT INTO `note_passages_fts` (note_passages_fts, rowid, embed_text) SELECT 'delete', old.id, old.embed_text WHERE old.seq >= 0;
  INSERT INTO `note_passages_fts` (rowid, embed_text) SELECT new.id, new.embed_text WHERE new.seq >= 0;
END;
--> statement-breakpoint
INSERT INTO `note_passages_fts` (rowid, embed_text) SELECT id, embed_text FROM `note_chunks` WHERE seq >= 0;
