CREATE TABLE `agent_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_name` text NOT NULL,
	`task_id` text,
	`started_at` text,
	`duration_ms` integer,
	`tokens_in` integer,
	`tokens_out` integer,
	`quality_score` real,
	`errors` integer DEFAULT 0 NOT NULL,
	`outcome` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "agent_runs_outcome_check" CHECK(outcome in ('success', 'failure', 'partial', 'cancelled')),
	CONSTRAINT "agent_runs_quality_check" CHECK(quality_score is null or (quality_score >= 0 and quality_score <= 1)),
	CONSTRAINT "agent_runs_errors_check" CHECK(errors >= 0)
);
--> statement-breakpoint
CREATE INDEX `agent_runs_agent_name_idx` ON `agent_runs` (`agent_name`);--> statement-breakpoint
CREATE INDEX `agent_runs_task_idx` ON `agent_runs` (`task_id`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`path` text NOT NULL,
	`dir` text NOT NULL,
	`name` text,
	`name_line` integer,
	`description` text,
	`model` text,
	`color` text,
	`tools` text,
	`extra` text DEFAULT '{}' NOT NULL,
	`body` text NOT NULL,
	`diagnostics` text DEFAULT '[]' NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` real NOT NULL,
	`hash` text NOT NULL,
	`indexed_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_path_unique` ON `agents` (`path`);--> statement-breakpoint
CREATE INDEX `agents_name_idx` ON `agents` (`name`);