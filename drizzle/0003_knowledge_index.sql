CREATE TABLE `note_headings` (
	`note_id` integer NOT NULL,
	`level` integer NOT NULL,
	`text` text NOT NULL,
	`line` integer NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `note_headings_note_idx` ON `note_headings` (`note_id`);--> statement-breakpoint
CREATE TABLE `note_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`note_id` integer NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`heading` text,
	`block` text,
	`alias` text,
	`line` integer NOT NULL,
	`context` text NOT NULL,
	`target_path` text,
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `note_links_note_idx` ON `note_links` (`note_id`);--> statement-breakpoint
CREATE INDEX `note_links_target_path_idx` ON `note_links` (`target_path`);--> statement-breakpoint
CREATE TABLE `note_tags` (
	`note_id` integer NOT NULL,
	`tag` text NOT NULL,
	`tag_key` text NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `note_tags_note_idx` ON `note_tags` (`note_id`);--> statement-breakpoint
CREATE INDEX `note_tags_key_idx` ON `note_tags` (`tag_key`);--> statement-breakpoint
CREATE TABLE `notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`path` text NOT NULL,
	`name_key` text NOT NULL,
	`title` text NOT NULL,
	`front_matter` text,
	`aliases` text DEFAULT '[]' NOT NULL,
	`diagnostics` text DEFAULT '[]' NOT NULL,
	`size` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notes_path_unique` ON `notes` (`path`);--> statement-breakpoint
CREATE INDEX `notes_name_key_idx` ON `notes` (`name_key`);--> statement-breakpoint
CREATE TABLE `vault_files` (
	`path` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` real NOT NULL,
	`hash` text NOT NULL,
	`indexed_at` text NOT NULL
);
