-- One full-text index over everything that is not a note: tasks (title, description, acceptance criteria), graph
-- entities (name; type and observations) and memories (type; content). Each row of search_items is one searchable
-- item; its FTS row has the same rowid (AUTOINCREMENT: an id is never reused, so a vector left behind for a removed
-- item can never be read as another's). Kept by triggers, so a restore or a sync that writes rows keeps it current.
-- Encrypted values (enc:v1:…) are left out: a secret field is not searchable. Derived: never backed up.
-- `embedded` = 0 marks an item whose vector (for search by meaning) is missing or out of date.
-- Beside it, two trigram indexes answer the MCP memory server's search_nodes (a case-insensitive substring of an
-- entity's name, type or any observation) without scanning: graph_names_trigram (rowid = the entity's search_items
-- id, kept by the same triggers) and graph_observations_trigram (external content: graph_observations by its id).
-- What each kind puts in the index is one view per kind (search_<kind>_text: item_id, title, body), read by its
-- triggers and by the backfill below, so each rule is written once.
CREATE TABLE `search_items` (
  `id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
  `kind` text NOT NULL,
  `item_id` text NOT NULL,
  `embedded` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_items_kind_item_idx` ON `search_items` (`kind`, `item_id`);
--> statement-breakpoint
CREATE INDEX `search_items_pending_idx` ON `search_items` (`embedded`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_items_fts` USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE VIRTUAL TABLE `graph_names_trigram` USING fts5(name, type, tokenize = 'trigram');
--> statement-breakpoint
CREATE VIRTUAL TABLE `graph_observations_trigram` USING fts5(content, content = 'graph_observations', content_rowid = 'id', tokenize = 'trigram');
--> statement-breakpoint
-- What each kind puts in the index. Encrypted values are left out.
CREATE VIEW `search_task_text` AS
  SELECT t.id AS item_id,
    CASE WHEN t.title LIKE 'enc:v1:%' THEN '' ELSE t.title END AS title,
    CASE WHEN t.description LIKE 'enc:v1:%' THEN '' ELSE t.description END
      || coalesce((SELECT char(10) || group_concat(json_extract(value, '$.text'), char(10)) FROM json_each(CASE WHEN json_valid(t.criteria) THEN t.criteria ELSE '[]' END)), '') AS body
  FROM `tasks` t;
--> statement-breakpoint
CREATE VIEW `search_entity_text` AS
  SELECT e.name AS item_id, e.name AS title,
    e.entity_type || coalesce((SELECT char(10) || group_concat(o.content, char(10)) FROM `graph_observations` o WHERE o.entity_name = e.name), '') AS body
  FROM `graph_entities` e;
--> statement-breakpoint
CREATE VIEW `search_memory_text` AS
  SELECT m.id AS item_id, m.type AS title, CASE WHEN m.content LIKE 'enc:v1:%' THEN '' ELSE m.content END AS body
  FROM `memories` m;
--> statement-breakpoint
-- Tasks ---------------------------------------------------------------------------------------------------------
CREATE TRIGGER `search_task_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('task', new.id);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'task' AND item_id = new.id), title, body FROM `search_task_text` WHERE item_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_task_update` AFTER UPDATE OF title, description, criteria ON `tasks` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'task' AND item_id = new.id;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_task_text` WHERE item_id = new.id) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'task' AND item_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_task_delete` AFTER DELETE ON `tasks` BEGIN
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'task' AND item_id = old.id);
  DELETE FROM `search_items` WHERE kind = 'task' AND item_id = old.id;
END;
--> statement-breakpoint
-- Graph entities: the name is the title; the type and every observation are the body ------------------------------
CREATE TRIGGER `search_entity_insert` AFTER INSERT ON `graph_entities` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('entity', new.name);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name), title, body FROM `search_entity_text` WHERE item_id = new.name;
  INSERT INTO `graph_names_trigram` (rowid, name, type) VALUES ((SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name), new.name, new.entity_type);
END;
--> statement-breakpoint
CREATE TRIGGER `search_entity_update` AFTER UPDATE OF name, entity_type ON `graph_entities` BEGIN
  UPDATE `search_items` SET item_id = new.name, embedded = 0 WHERE kind = 'entity' AND item_id = old.name;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_entity_text` WHERE item_id = new.name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name);
  UPDATE `graph_names_trigram` SET name = new.name, type = new.entity_type WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_entity_delete` AFTER DELETE ON `graph_entities` BEGIN
  DELETE FROM `graph_names_trigram` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.name);
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.name);
  DELETE FROM `search_items` WHERE kind = 'entity' AND item_id = old.name;
END;
--> statement-breakpoint
CREATE TRIGGER `search_observation_trigram_insert` AFTER INSERT ON `graph_observations` BEGIN
  INSERT INTO `graph_observations_trigram` (rowid, content) VALUES (new.id, new.content);
END;
--> statement-breakpoint
-- Only where the entity is already indexed: a batch of new entities inserts its observations first, and each
-- entity's row is then written once, with all of them (src/store/graph/graph.ts, createEntities).
CREATE TRIGGER `search_observation_insert` AFTER INSERT ON `graph_observations`
WHEN EXISTS (SELECT 1 FROM `search_items` WHERE kind = 'entity' AND item_id = new.entity_name) BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = new.entity_name;
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = new.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.entity_name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_observation_delete` AFTER DELETE ON `graph_observations` BEGIN
  INSERT INTO `graph_observations_trigram` (graph_observations_trigram, rowid, content) VALUES ('delete', old.id, old.content);
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = old.entity_name;
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = old.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.entity_name);
END;
--> statement-breakpoint
CREATE TRIGGER `search_observation_update` AFTER UPDATE OF entity_name, content ON `graph_observations` BEGIN
  INSERT INTO `graph_observations_trigram` (graph_observations_trigram, rowid, content) VALUES ('delete', old.id, old.content);
  INSERT INTO `graph_observations_trigram` (rowid, content) VALUES (new.id, new.content);
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = old.entity_name;
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = new.entity_name;
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = old.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.entity_name);
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = new.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.entity_name);
END;
--> statement-breakpoint
-- Memories: the type is the title, the content the body (memories_fts, which recall read, is folded in here) --------
DROP TRIGGER IF EXISTS `memories_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `memories_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `memories_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `memories_fts`;
--> statement-breakpoint
CREATE TRIGGER `search_memory_insert` AFTER INSERT ON `memories` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('memory', new.id);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'memory' AND item_id = new.id), title, body FROM `search_memory_text` WHERE item_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_memory_update` AFTER UPDATE OF type, content ON `memories` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'memory' AND item_id = new.id;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_memory_text` WHERE item_id = new.id) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'memory' AND item_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_memory_delete` AFTER DELETE ON `memories` BEGIN
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'memory' AND item_id = old.id);
  DELETE FROM `search_items` WHERE kind = 'memory' AND item_id = old.id;
END;
--> statement-breakpoint
-- What is already there ------------------------------------------------------------------------------------------
INSERT INTO `search_items` (kind, item_id) SELECT 'task', id FROM `tasks`;
--> statement-breakpoint
INSERT INTO `search_items` (kind, item_id) SELECT 'entity', name FROM `graph_entities`;
--> statement-breakpoint
INSERT INTO `search_items` (kind, item_id) SELECT 'memory', id FROM `memories`;
--> statement-breakpoint
INSERT INTO `search_items_fts` (rowid, title, body)
  SELECT s.id, v.title, v.body FROM `search_items` s JOIN `search_task_text` v ON s.kind = 'task' AND v.item_id = s.item_id;
--> statement-breakpoint
INSERT INTO `search_items_fts` (rowid, title, body)
  SELECT s.id, v.title, v.body FROM `search_items` s JOIN `search_entity_text` v ON s.kind = 'entity' AND v.item_id = s.item_id;
--> statement-breakpoint
INSERT INTO `search_items_fts` (rowid, title, body)
  SELECT s.id, v.title, v.body FROM `search_items` s JOIN `search_memory_text` v ON s.kind = 'memory' AND v.item_id = s.item_id;
--> statement-breakpoint
INSERT INTO `graph_names_trigram` (rowid, name, type)
  SELECT s.id, e.name, e.entity_type FROM `search_items` s JOIN `graph_entities` e ON s.kind = 'entity' AND e.name = s.item_id;
--> statement-breakpoint
INSERT INTO `graph_observations_trigram` (graph_observations_trigram) VALUES ('rebuild');
