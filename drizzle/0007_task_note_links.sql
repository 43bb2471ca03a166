CREATE TABLE `note_task_refs` (
	`note_id` integer NOT NULL,
	`task_id` text NOT NULL,
	`via` text NOT NULL,
	`line` integer NOT NULL,
	PRIMARY KEY(`note_id`, `task_id`, `via`),
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `note_task_refs_task_idx` ON `note_task_refs` (`task_id`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `notes` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Task ids in notes are read by the indexer: make the next index run re-read every note once, so notes indexed
-- before this migration get their links to tasks (a warm run would skip them as unchanged).
UPDATE `vault_files` SET `mtime_ms` = -1, `hash` = '';
