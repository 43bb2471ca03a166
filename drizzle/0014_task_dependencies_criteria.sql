ALTER TABLE `tasks` ADD `depends_on` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `criteria` text DEFAULT '[]' NOT NULL;