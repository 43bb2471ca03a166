-- The Projects tree reads a level at a time (src/store/taskTree.ts): a project's, a sprint's, a parent task's or a
-- group's tasks in id order, each index holding what decides whether and where a task shows (parent, status,
-- assignee; priority for its groups), so a page and its total read no row they do not return.
DROP INDEX `tasks_project_id_idx`;--> statement-breakpoint
DROP INDEX `tasks_parent_idx`;--> statement-breakpoint
CREATE INDEX `tasks_tree_idx` ON `tasks` (`project_id`,`sprint_id`,`id`,`parent_id`,`status`,`assignee`);--> statement-breakpoint
CREATE INDEX `tasks_project_id_idx` ON `tasks` (`project_id`,`id`,`status`,`assignee`,`priority`);--> statement-breakpoint
CREATE INDEX `tasks_parent_idx` ON `tasks` (`parent_id`,`id`,`project_id`,`status`,`assignee`);