-- The performance monitor's slow-query log (src/store/slowQueryLog.ts): every process that opens the store adds
-- the statements it found slow, so `cairn doctor` and VS Code's Check Store see the extension's, the CLI's and
-- cairn mcp's alike. Machine-local: never backed up (snapshot/tables.ts).
CREATE TABLE `slow_queries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`ms` real NOT NULL,
	`sql` text NOT NULL,
	`source` text NOT NULL,
	`pid` integer NOT NULL
);
--> statement-breakpoint
-- Bounded: the newest 500 are kept, the oldest dropped as new ones come.
CREATE TRIGGER `slow_queries_bounded` AFTER INSERT ON `slow_queries` BEGIN
	DELETE FROM `slow_queries` WHERE `id` <= new.`id` - 500;
END;
