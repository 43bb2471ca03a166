CREATE TABLE `agent_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`agent` text NOT NULL,
	`project_id` text,
	`task_id` text,
	`started_at` text NOT NULL,
	`ended_at` text,
	`tokens_in` integer,
	`tokens_out` integer,
	`summary` text,
	`message_count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	CONSTRAINT "agent_sessions_message_count_check" CHECK(message_count >= 0)
);
--> statement-breakpoint
CREATE INDEX `agent_sessions_agent_idx` ON `agent_sessions` (`agent`,`started_at`);--> statement-breakpoint
CREATE INDEX `agent_sessions_project_idx` ON `agent_sessions` (`project_id`);--> statement-breakpoint
CREATE INDEX `agent_sessions_task_idx` ON `agent_sessions` (`task_id`);--> statement-breakpoint
CREATE TABLE `session_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`role` text NOT NULL,
	`content` text NOT NULL,
	`tool_calls` text,
	`tokens` integer,
	`created_at` text NOT NULL,
	`sealed_fields` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `agent_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "session_messages_role_check" CHECK(role in ('user', 'assistant', 'system', 'tool'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `session_messages_session_seq_idx` ON `session_messages` (`session_id`,`seq`);--> statement-breakpoint
CREATE INDEX `session_messages_created_idx` ON `session_messages` (`created_at`);--> statement-breakpoint
ALTER TABLE `memories` ADD `sealed_fields` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Sessions and messages in the one search index (search_items, drizzle/0017_search_items.sql), kept by triggers in
-- the same way, each kind's text one view. A session: its agent and task (the task's title, or its id when the title
-- is secret) are the title, its summary the body. A message: the session's agent and the role are the title, the
-- content the body. Encrypted content (enc:v1:…) is left out: a secret message is not searchable. (The tables are new
-- here, so there is nothing to fill the index from.)
CREATE VIEW `search_session_text` AS
  SELECT a.id AS item_id,
    a.agent || coalesce(char(10) || (SELECT CASE WHEN t.title LIKE 'enc:v1:%' THEN t.id ELSE t.title END FROM `tasks` t WHERE t.id = a.task_id), '') AS title,
    coalesce(a.summary, '') AS body
  FROM `agent_sessions` a;
--> statement-breakpoint
CREATE VIEW `search_message_text` AS
  SELECT m.id AS item_id,
    coalesce((SELECT a.agent || ' ' FROM `agent_sessions` a WHERE a.id = m.session_id), '') || m.role AS title,
    CASE WHEN m.content LIKE 'enc:v1:%' THEN '' ELSE m.content END AS body
  FROM `session_messages` m;
--> statement-breakpoint
CREATE TRIGGER `search_session_insert` AFTER INSERT ON `agent_sessions` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('session', new.id);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'session' AND item_id = new.id), title, body FROM `search_session_text` WHERE item_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_session_update` AFTER UPDATE OF agent, task_id, summary ON `agent_sessions` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'session' AND item_id = new.id;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_session_text` WHERE item_id = new.id) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'session' AND item_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_session_delete` AFTER DELETE ON `agent_sessions` BEGIN
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'session' AND item_id = old.id);
  DELETE FROM `search_items` WHERE kind = 'session' AND item_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_message_insert` AFTER INSERT ON `session_messages` BEGIN
  INSERT INTO `search_items` (kind, item_id) VALUES ('message', new.id);
  INSERT INTO `search_items_fts` (rowid, title, body) SELECT (SELECT id FROM `search_items` WHERE kind = 'message' AND item_id = new.id), title, body FROM `search_message_text` WHERE item_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_message_update` AFTER UPDATE OF session_id, role, content ON `session_messages` BEGIN
  UPDATE `search_items` SET embedded = 0 WHERE kind = 'message' AND item_id = new.id;
  UPDATE `search_items_fts` SET (title, body) = (SELECT title, body FROM `search_message_text` WHERE item_id = new.id) WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'message' AND item_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `search_message_delete` AFTER DELETE ON `session_messages` BEGIN
  DELETE FROM `search_items_fts` WHERE rowid = (SELECT id FROM `search_items` WHERE kind = 'message' AND item_id = old.id);
  DELETE FROM `search_items` WHERE kind = 'message' AND item_id = old.id;
END;
