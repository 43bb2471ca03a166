-- Which fields of a row are stored encrypted, recorded apart from the values: plain text in a field marked here is
-- tampering, not a field that was never secret. Rows written before this version are marked from their values.
ALTER TABLE `agent_runs` ADD `sealed_fields` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `sealed_fields` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
UPDATE `agent_runs` SET `sealed_fields` = '["notes"]' WHERE substr(`notes`, 1, 7) = 'enc:v1:';--> statement-breakpoint
UPDATE `tasks` SET `sealed_fields` = CASE
  WHEN substr(`title`, 1, 7) = 'enc:v1:' AND substr(`description`, 1, 7) = 'enc:v1:' THEN '["description","title"]'
  WHEN substr(`title`, 1, 7) = 'enc:v1:' THEN '["title"]'
  ELSE '["description"]'
END WHERE substr(`title`, 1, 7) = 'enc:v1:' OR substr(`description`, 1, 7) = 'enc:v1:';
