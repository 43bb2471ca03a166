-- search_nodes no longer reads the graph's trigram indexes (it searches the entities in memory:
-- src/store/graph/entityCorpus.ts), and keeping them cost half of every entity create: they are dropped, with the
-- trigger lines that kept them. The search index (search_items, search_items_fts) is kept as it was.
DROP TRIGGER IF EXISTS `search_observation_trigram_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `search_entity_insert`;
--> statement-breakpoint
CREATE TRIGGER `search_entity_insert` AFTER INSERT ON `graph_entities` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('entity', new.name);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name), title, body FROM `search_entity_text` WHERE item_id = new.name;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `search_entity_update`;
--> statement-breakpoint
CREATE TRIGGER `search_entity_update` AFTER UPDATE OF name, entity_type ON `graph_entities` BEGIN
  UPDATE `search_items` SET item_id = new.name, embedded = 0 WHERE kind = 'entity' AND item_id = old.name;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_entity_text` WHERE item_id = new.name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.name);
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `search_entity_delete`;
--> statement-breakpoint
CREATE TRIGGER `search_entity_delete` AFTER DELETE ON `graph_entities` BEGIN
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.name);
  DELETE FROM `search_items` WHERE kind = 'entity' AND item_id = old.name;
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `search_observation_delete`;
--> statement-breakpoint
CREATE TRIGGER `search_observation_delete` AFTER DELETE ON `graph_observations` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = old.entity_name;
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = old.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.entity_name);
END;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `search_observation_update`;
--> statement-breakpoint
CREATE TRIGGER `search_observation_update` AFTER UPDATE OF entity_name, content ON `graph_observations` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = old.entity_name;
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'entity' AND item_id = new.entity_name;
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = old.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = old.entity_name);
  UPDATE `search_items_fts` SET body = (SELECT body FROM `search_entity_text` WHERE item_id = new.entity_name) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'entity' AND item_id = new.entity_name);
END;
--> statement-breakpoint
DROP TABLE IF EXISTS `graph_names_trigram`;
--> statement-breakpoint
DROP TABLE IF EXISTS `graph_observations_trigram`;
