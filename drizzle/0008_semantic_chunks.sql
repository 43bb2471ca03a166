CREATE TABLE `embedding_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`embedder_id` text NOT NULL,
	`dimensions` integer NOT NULL,
	`state` blob,
	`fitted_chunks` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `note_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`note_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`headings` text NOT NULL,
	`line` integer NOT NULL,
	`text` text NOT NULL,
	`embed_text` text NOT NULL,
	`hash` text NOT NULL,
	`embedded` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `note_chunks_note_hash_idx` ON `note_chunks` (`note_id`,`hash`);--> statement-breakpoint
CREATE INDEX `note_chunks_pending_idx` ON `note_chunks` (`embedded`);