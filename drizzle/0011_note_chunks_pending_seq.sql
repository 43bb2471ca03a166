DROP INDEX `note_chunks_pending_idx`;--> statement-breakpoint
CREATE INDEX `note_chunks_pending_idx` ON `note_chunks` (`embedded`,`seq`);