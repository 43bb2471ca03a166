CREATE TABLE `graph_entities` (
	`name` text PRIMARY KEY NOT NULL,
	`entity_type` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `graph_observations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entity_name` text NOT NULL,
	`content` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`entity_name`) REFERENCES `graph_entities`(`name`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `graph_observations_entity_content_idx` ON `graph_observations` (`entity_name`,`content`);--> statement-breakpoint
CREATE TABLE `graph_relations` (
	`from_name` text NOT NULL,
	`to_name` text NOT NULL,
	`relation_type` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`from_name`, `to_name`, `relation_type`),
	FOREIGN KEY (`from_name`) REFERENCES `graph_entities`(`name`) ON UPDATE cascade ON DELETE cascade,
	FOREIGN KEY (`to_name`) REFERENCES `graph_entities`(`name`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `graph_relations_to_idx` ON `graph_relations` (`to_name`);