CREATE TABLE `conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`table_name` text,
	`row_key` text,
	`path` text,
	`copy_path` text,
	`fields` text NOT NULL,
	`mine` text,
	`theirs` text,
	`base` text,
	`machine` text NOT NULL,
	`theirs_commit` text NOT NULL,
	`detected_at` text NOT NULL,
	`resolution` text,
	`resolved_at` text,
	`resolved_by` text
);
--> statement-breakpoint
CREATE INDEX `conflicts_open_idx` ON `conflicts` (`resolution`,`detected_at`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`applied_commit` text NOT NULL,
	`applied_at` text NOT NULL
);
--> statement-breakpoint
DROP INDEX `events_aggregate_version_idx`;--> statement-breakpoint
CREATE INDEX `events_aggregate_version_idx` ON `events` (`aggregate_type`,`aggregate_id`,`version`);