-- Full-text index of the memories (recall): its own copy of each memory's content, kept by triggers, so a
-- restore or a sync that writes memories keeps it current. Derived: never backed up (virtual tables are not).
CREATE VIRTUAL TABLE `memories_fts` USING fts5(memory_id UNINDEXED, content, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `memories_fts` (memory_id, content) SELECT id, content FROM `memories`;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_insert` AFTER INSERT ON `memories` BEGIN
  INSERT INTO `memories_fts` (memory_id, content) VALUES (new.id, new.content);
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_delete` AFTER DELETE ON `memories` BEGIN
  DELETE FROM `memories_fts` WHERE memory_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_update` AFTER UPDATE OF content ON `memories` BEGIN
  DELETE FROM `memories_fts` WHERE memory_id = old.id;
  INSERT INTO `memories_fts` (memory_id, content) VALUES (new.id, new.content);
END;
