CREATE TABLE `memories` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`content` text NOT NULL,
	`importance` real DEFAULT 0.5 NOT NULL,
	`confidence` real DEFAULT 1 NOT NULL,
	`source` text DEFAULT 'observation' NOT NULL,
	`project_id` text,
	`expires_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	CONSTRAINT "memories_type_check" CHECK(type in ('fact', 'preference', 'decision', 'pattern', 'context')),
	CONSTRAINT "memories_source_check" CHECK(source in ('user', 'inference', 'observation')),
	CONSTRAINT "memories_importance_check" CHECK(importance >= 0 and importance <= 1),
	CONSTRAINT "memories_confidence_check" CHECK(confidence >= 0 and confidence <= 1)
);
--> statement-breakpoint
CREATE INDEX `memories_project_idx` ON `memories` (`project_id`);--> statement-breakpoint
CREATE INDEX `memories_expires_idx` ON `memories` (`expires_at`);--> statement-breakpoint
CREATE TABLE `memory_access` (
	`memory_id` text PRIMARY KEY NOT NULL,
	`last_accessed_at` text NOT NULL,
	`access_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`memory_id`) REFERENCES `memories`(`id`) ON UPDATE no action ON DELETE cascade
);
