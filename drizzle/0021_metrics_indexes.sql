-- The blocked and stale lists read tasks by status, longest unchanged first (src/store/metrics/lists.ts).
CREATE INDEX `tasks_status_updated_idx` ON `tasks` (`status`,`updated_at`,`project_id`);
--> statement-breakpoint
-- Dashboard metrics (src/store/metrics/): what the log says about tasks and agent runs, kept by triggers so a
-- figure is a read of a few rows, never a scan of the log. Derived: never backed up (snapshot/tables.ts); every
-- path that writes the log (a write, a restore, a sync, an erase) keeps it current, since it hangs on the log's
-- own inserts and deletes. Times are the events' created_at as UTC (strftime normalises an offset), ordered by
-- (time, version, event id): the same on every machine, whatever order the events arrived in.
--
-- metrics_task_timeline: one row per task event that creates, deletes or moves a task (status, sprint, estimate).
CREATE TABLE `metrics_task_timeline` (
  `task_id` text NOT NULL,
  `at` text NOT NULL,
  `version` integer NOT NULL,
  `event_id` text NOT NULL,
  -- created (also a restore that brought it back: the whole row), changed, deleted (also a restore that removed it)
  `kind` text NOT NULL,
  `project_id` text,
  -- the status it took ('deleted' for a deletion), or null when the event left it
  `status` text,
  `sprint_set` integer NOT NULL,
  `sprint_id` text,
  `estimate_set` integer NOT NULL,
  `estimated_minutes` real,
  PRIMARY KEY (`task_id`, `at`, `version`, `event_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `metrics_task_timeline_sprint_idx` ON `metrics_task_timeline` (`sprint_id`, `task_id`) WHERE `sprint_id` IS NOT NULL;
--> statement-breakpoint
-- metrics_task_facts: per task, from its timeline: project, created, first in progress, the last time it became done
-- (while it is done), its status now ('deleted' once deleted).
CREATE TABLE `metrics_task_facts` (
  `task_id` text PRIMARY KEY NOT NULL,
  `project_id` text NOT NULL,
  `created_at` text,
  `started_at` text,
  `done_at` text,
  `status` text,
  -- done_at - started_at (cycle time) and done_at - created_at (lead time), in ms, for done tasks
  `cycle_ms` integer,
  `lead_ms` integer
);
--> statement-breakpoint
CREATE INDEX `metrics_task_facts_done_idx` ON `metrics_task_facts` (`done_at`, `project_id`, `cycle_ms`, `lead_ms`) WHERE `done_at` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `metrics_task_facts_project_done_idx` ON `metrics_task_facts` (`project_id`, `done_at`, `cycle_ms`, `lead_ms`) WHERE `done_at` IS NOT NULL;
--> statement-breakpoint
-- metrics_task_contribs: what each task adds to the series (at a time, +1/-1): flow:<status> (tasks in a status),
-- done (completions: the last time a task became done, while it is done). metrics_rollup sums them.
CREATE TABLE `metrics_task_contribs` (
  `task_id` text NOT NULL,
  `at` text NOT NULL,
  `series` text NOT NULL,
  `project_id` text NOT NULL,
  `delta` integer NOT NULL,
  PRIMARY KEY (`task_id`, `at`, `series`)
) WITHOUT ROWID;
--> statement-breakpoint
-- metrics_rollup: the series summed per UTC day (grain d, slot YYYY-MM-DD) and quarter hour (q, YYYY-MM-DDTHH:MM),
-- per project and for the whole store (project '*'): a bucket in any time zone (every offset in use is whole quarter
-- hours) is whole days and the quarters of a day or two. Also event:<source>:<actor> (events written, whole store).
CREATE TABLE `metrics_rollup` (
  `grain` text NOT NULL,
  `project_id` text NOT NULL,
  `series` text NOT NULL,
  `slot` text NOT NULL,
  `value` integer NOT NULL,
  PRIMARY KEY (`grain`, `project_id`, `series`, `slot`)
) WITHOUT ROWID;
--> statement-breakpoint
-- metrics_run_contribs: each agent run's measures, under the project of its task ('' without one) at its start.
CREATE TABLE `metrics_run_contribs` (
  `run_id` text PRIMARY KEY NOT NULL,
  `project_id` text NOT NULL,
  `agent` text NOT NULL,
  `at` text NOT NULL,
  `success` integer NOT NULL,
  `tokens_in` integer NOT NULL,
  `tokens_out` integer NOT NULL,
  `errors` integer NOT NULL,
  `quality_sum` real NOT NULL,
  `quality_n` integer NOT NULL,
  `duration_sum` integer NOT NULL,
  `duration_n` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metrics_run_rollup` (
  `grain` text NOT NULL,
  `project_id` text NOT NULL,
  `agent` text NOT NULL,
  `slot` text NOT NULL,
  `runs` integer NOT NULL,
  `success` integer NOT NULL,
  `tokens_in` integer NOT NULL,
  `tokens_out` integer NOT NULL,
  `errors` integer NOT NULL,
  `quality_sum` real NOT NULL,
  `quality_n` integer NOT NULL,
  `duration_sum` integer NOT NULL,
  `duration_n` integer NOT NULL,
  PRIMARY KEY (`grain`, `project_id`, `agent`, `slot`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The grains: UTC days (a time's slot is its first 10 characters) and quarter hours (its minutes taken down to 00, 15,
-- 30 or 45).
CREATE VIEW `metrics_grains` AS SELECT 'd' AS grain UNION ALL SELECT 'q';
--> statement-breakpoint
-- Task events as timeline rows. A created event holds the row; a change { from, to }; a restore { change, from, to }.
CREATE VIEW `metrics_task_timeline_v` AS
SELECT seq, task_id, at, version, event_id, kind, project_id,
  CASE WHEN kind = 'deleted' THEN 'deleted' ELSE json_extract(data, src || '.status') END AS status,
  CASE WHEN kind = 'created' OR json_type(data, src || '.sprintId') IS NOT NULL THEN 1 ELSE 0 END AS sprint_set,
  CASE WHEN kind = 'deleted' THEN NULL ELSE json_extract(data, src || '.sprintId') END AS sprint_id,
  CASE WHEN kind = 'created' OR json_type(data, src || '.estimatedMinutes') IS NOT NULL THEN 1 ELSE 0 END AS estimate_set,
  CASE WHEN kind = 'deleted' THEN NULL ELSE json_extract(data, src || '.estimatedMinutes') END AS estimated_minutes
FROM (
  SELECT seq, aggregate_id AS task_id, coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at) AS at, version, id AS event_id, data,
    CASE
      WHEN type = 'task.deleted' OR (type = 'task.restored' AND json_extract(data, '$.change') = 'removed') THEN 'deleted'
      WHEN type = 'task.created' OR (type = 'task.restored' AND json_extract(data, '$.change') = 'added') THEN 'created'
      ELSE 'changed'
    END AS kind,
    CASE WHEN type = 'task.created' THEN '$' ELSE '$.to' END AS src,
    coalesce(json_extract(data, '$.projectId'), json_extract(data, '$.to.projectId'), json_extract(data, '$.from.projectId')) AS project_id
  FROM events
  WHERE aggregate_type = 'task' AND json_valid(data)
)
WHERE kind <> 'changed' OR json_type(data, '$.to.status') IS NOT NULL OR json_type(data, '$.to.sprintId') IS NOT NULL OR json_type(data, '$.to.estimatedMinutes') IS NOT NULL;
--> statement-breakpoint
-- A task's status rows in order (k orders them as (at, version, event_id) do), with the status it counts in after
-- each: its status while it exists (from a created row to a deleted one), none otherwise (a change stamped before its
-- creation by a clock behind counts nowhere). Read for one task at a time into metrics_task_status, which the two
-- views below read.
CREATE VIEW `metrics_task_status_v` AS
SELECT task_id, at, kind, status, k, counted,
  lag(counted) OVER (PARTITION BY task_id ORDER BY k) AS prev,
  project_id,
  max(k) OVER (PARTITION BY task_id) AS last_k,
  coalesce(max(CASE WHEN counted IS NOT 'done' THEN k END) OVER (PARTITION BY task_id), '') AS last_not_done
FROM (
  SELECT task_id, at, kind, status, k, project_id,
    CASE WHEN substr(life, -8) = char(1) || 'created' THEN status END AS counted
  FROM (
    SELECT task_id, at, kind, status,
      at || ' ' || printf('%012d', version) || ' ' || event_id AS k,
      -- the latest creation or deletion so far: k, then its kind
      max(CASE WHEN kind <> 'changed' THEN at || ' ' || printf('%012d', version) || ' ' || event_id || char(1) || kind END)
        OVER (PARTITION BY task_id ORDER BY at, version, event_id ROWS UNBOUNDED PRECEDING) AS life,
      coalesce(max(project_id) OVER (PARTITION BY task_id), '') AS project_id
    FROM metrics_task_timeline WHERE status IS NOT NULL
  )
);
--> statement-breakpoint
CREATE TABLE `metrics_task_status` (
  `task_id` text NOT NULL,
  `at` text NOT NULL,
  `kind` text NOT NULL,
  `status` text NOT NULL,
  `k` text NOT NULL,
  `counted` text,
  `prev` text,
  `project_id` text NOT NULL,
  `last_k` text NOT NULL,
  `last_not_done` text NOT NULL,
  PRIMARY KEY (`task_id`, `k`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Done: the first of the rows that count it done after the last one that does not (the last time it became done),
-- while it is done. Started: the first time it counted in progress.
CREATE VIEW `metrics_task_facts_v` AS
-- (Durations: whole seconds by julianday, then the milliseconds as written: julianday alone is off by 1 ms at times.)
SELECT task_id, project_id, created_at, started_at, done_at, status,
  CAST(round((julianday(substr(done_at, 1, 19)) - julianday(substr(started_at, 1, 19))) * 86400) AS INTEGER) * 1000
    + CAST(substr(done_at, 21, 3) AS INTEGER) - CAST(substr(started_at, 21, 3) AS INTEGER) AS cycle_ms,
  CAST(round((julianday(substr(done_at, 1, 19)) - julianday(substr(created_at, 1, 19))) * 86400) AS INTEGER) * 1000
    + CAST(substr(done_at, 21, 3) AS INTEGER) - CAST(substr(created_at, 21, 3) AS INTEGER) AS lead_ms
FROM (
  SELECT task_id, max(project_id) AS project_id,
    min(CASE WHEN kind = 'created' THEN at END) AS created_at,
    min(CASE WHEN counted = 'in_progress' THEN at END) AS started_at,
    min(CASE WHEN counted = 'done' AND k > last_not_done THEN at END) AS done_at,
    max(CASE WHEN k = last_k THEN coalesce(counted, 'deleted') END) AS status
  FROM metrics_task_status GROUP BY task_id
);
--> statement-breakpoint
-- Flow: +1 to the status a row counts in, -1 to the one the row before counted in; done: +1 when it was last done.
CREATE VIEW `metrics_task_contribs_v` AS
SELECT task_id, at, series, project_id, sum(delta) AS delta FROM (
  SELECT task_id, at, 'flow:' || counted AS series, project_id, 1 AS delta FROM metrics_task_status WHERE counted IS NOT NULL
  UNION ALL
  SELECT task_id, at, 'flow:' || prev, project_id, -1 FROM metrics_task_status WHERE prev IS NOT NULL
  UNION ALL
  SELECT task_id, min(at), 'done', project_id, 1 FROM metrics_task_status WHERE counted = 'done' AND k > last_not_done GROUP BY task_id, project_id
)
GROUP BY task_id, at, series, project_id HAVING sum(delta) <> 0;
--> statement-breakpoint
CREATE VIEW `metrics_run_contribs_v` AS
SELECT r.id AS run_id,
  coalesce((SELECT project_id FROM tasks WHERE id = r.task_id), (SELECT nullif(project_id, '') FROM metrics_task_facts WHERE task_id = r.task_id), '') AS project_id,
  r.agent_name AS agent,
  coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(r.started_at, r.created_at)), r.created_at) AS at,
  CASE WHEN r.outcome = 'success' THEN 1 ELSE 0 END AS success,
  coalesce(r.tokens_in, 0) AS tokens_in, coalesce(r.tokens_out, 0) AS tokens_out, r.errors AS errors,
  coalesce(r.quality_score, 0) AS quality_sum, CASE WHEN r.quality_score IS NULL THEN 0 ELSE 1 END AS quality_n,
  coalesce(r.duration_ms, 0) AS duration_sum, CASE WHEN r.duration_ms IS NULL THEN 0 ELSE 1 END AS duration_n
FROM agent_runs r;
--> statement-breakpoint
-- Backfill from the log and the runs as they are, before the triggers exist.
INSERT INTO `metrics_task_timeline` SELECT task_id, at, version, event_id, kind, project_id, status, sprint_set, sprint_id, estimate_set, estimated_minutes FROM `metrics_task_timeline_v`;
--> statement-breakpoint
INSERT INTO `metrics_task_status` SELECT * FROM `metrics_task_status_v`;
--> statement-breakpoint
INSERT INTO `metrics_task_facts` SELECT * FROM `metrics_task_facts_v`;
--> statement-breakpoint
INSERT INTO `metrics_task_contribs` SELECT * FROM `metrics_task_contribs_v`;
--> statement-breakpoint
DELETE FROM `metrics_task_status`;
--> statement-breakpoint
INSERT INTO `metrics_rollup`
SELECT g.grain, c.project_id, c.series,
  CASE g.grain WHEN 'd' THEN substr(c.at, 1, 10) ELSE substr(c.at, 1, 14) || CASE WHEN substr(c.at, 15, 2) < '15' THEN '00' WHEN substr(c.at, 15, 2) < '30' THEN '15' WHEN substr(c.at, 15, 2) < '45' THEN '30' ELSE '45' END END AS slot,
  sum(c.delta)
FROM (SELECT at, series, project_id, delta FROM metrics_task_contribs UNION ALL SELECT at, series, '*', delta FROM metrics_task_contribs) c, metrics_grains g
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO `metrics_rollup`
SELECT g.grain, '*', 'event:' || e.source || ':' || e.actor,
  CASE g.grain WHEN 'd' THEN substr(e.at, 1, 10) ELSE substr(e.at, 1, 14) || CASE WHEN substr(e.at, 15, 2) < '15' THEN '00' WHEN substr(e.at, 15, 2) < '30' THEN '15' WHEN substr(e.at, 15, 2) < '45' THEN '30' ELSE '45' END END AS slot,
  count(*)
FROM (SELECT source, actor, coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at) AS at FROM events) e, metrics_grains g
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO `metrics_run_contribs` SELECT * FROM `metrics_run_contribs_v`;
--> statement-breakpoint
INSERT INTO `metrics_run_rollup`
SELECT g.grain, c.project_id, c.agent,
  CASE g.grain WHEN 'd' THEN substr(c.at, 1, 10) ELSE substr(c.at, 1, 14) || CASE WHEN substr(c.at, 15, 2) < '15' THEN '00' WHEN substr(c.at, 15, 2) < '30' THEN '15' WHEN substr(c.at, 15, 2) < '45' THEN '30' ELSE '45' END END AS slot,
  count(*), sum(success), sum(tokens_in), sum(tokens_out), sum(errors), sum(quality_sum), sum(quality_n), sum(duration_sum), sum(duration_n)
FROM (SELECT * FROM metrics_run_contribs UNION ALL SELECT run_id, '*', agent, at, success, tokens_in, tokens_out, errors, quality_sum, quality_n, duration_sum, duration_n FROM metrics_run_contribs) c, metrics_grains g
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
-- The log: a task event becomes a timeline row; every event counts for activity.
CREATE TRIGGER `metrics_events_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO `metrics_task_timeline` SELECT task_id, at, version, event_id, kind, project_id, status, sprint_set, sprint_id, estimate_set, estimated_minutes FROM `metrics_task_timeline_v` WHERE new.aggregate_type = 'task' AND seq = new.seq;
  INSERT INTO `metrics_rollup` (grain, project_id, series, slot, value)
  SELECT g.grain, '*', 'event:' || new.source || ':' || new.actor,
    CASE g.grain WHEN 'd' THEN substr(e.at, 1, 10) ELSE substr(e.at, 1, 14) || CASE WHEN substr(e.at, 15, 2) < '15' THEN '00' WHEN substr(e.at, 15, 2) < '30' THEN '15' WHEN substr(e.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    1
  FROM (SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at), new.created_at) AS at) e, metrics_grains g WHERE true
  ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_events_delete` AFTER DELETE ON `events` BEGIN
  DELETE FROM `metrics_task_timeline` WHERE old.aggregate_type = 'task' AND task_id = old.aggregate_id AND event_id = old.id;
  INSERT INTO `metrics_rollup` (grain, project_id, series, slot, value)
  SELECT g.grain, '*', 'event:' || old.source || ':' || old.actor,
    CASE g.grain WHEN 'd' THEN substr(e.at, 1, 10) ELSE substr(e.at, 1, 14) || CASE WHEN substr(e.at, 15, 2) < '15' THEN '00' WHEN substr(e.at, 15, 2) < '30' THEN '15' WHEN substr(e.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    -1
  FROM (SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', old.created_at), old.created_at) AS at) e, metrics_grains g WHERE true
  ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;
--> statement-breakpoint
-- A task's timeline changed: recompute its facts, and change only the contributions that differ.
CREATE TABLE `metrics_task_refresh` (`task_id` text PRIMARY KEY NOT NULL);
--> statement-breakpoint
CREATE TRIGGER `metrics_task_refresh_run` AFTER INSERT ON `metrics_task_refresh` BEGIN
  INSERT INTO `metrics_task_status` SELECT * FROM `metrics_task_status_v` WHERE task_id = new.task_id;
  DELETE FROM `metrics_task_facts` WHERE task_id = new.task_id;
  INSERT INTO `metrics_task_facts` SELECT * FROM `metrics_task_facts_v`;
  DELETE FROM `metrics_task_contribs` WHERE task_id = new.task_id
    AND (at, series, project_id, delta) NOT IN (SELECT at, series, project_id, delta FROM `metrics_task_contribs_v`);
  INSERT INTO `metrics_task_contribs` SELECT * FROM `metrics_task_contribs_v` v
    WHERE NOT EXISTS (SELECT 1 FROM `metrics_task_contribs` c WHERE c.task_id = new.task_id AND c.at = v.at AND c.series = v.series);
  DELETE FROM `metrics_task_status`;
  DELETE FROM `metrics_task_refresh` WHERE task_id = new.task_id;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_task_timeline_insert` AFTER INSERT ON `metrics_task_timeline` BEGIN
  INSERT OR IGNORE INTO `metrics_task_refresh` VALUES (new.task_id);
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_task_timeline_delete` AFTER DELETE ON `metrics_task_timeline` BEGIN
  INSERT OR IGNORE INTO `metrics_task_refresh` VALUES (old.task_id);
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_task_contribs_insert` AFTER INSERT ON `metrics_task_contribs` BEGIN
  INSERT INTO `metrics_rollup` (grain, project_id, series, slot, value)
  SELECT g.grain, p.project_id, new.series,
    CASE g.grain WHEN 'd' THEN substr(new.at, 1, 10) ELSE substr(new.at, 1, 14) || CASE WHEN substr(new.at, 15, 2) < '15' THEN '00' WHEN substr(new.at, 15, 2) < '30' THEN '15' WHEN substr(new.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    new.delta
  FROM metrics_grains g, (SELECT new.project_id AS project_id UNION ALL SELECT '*') p WHERE true
  ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_task_contribs_delete` AFTER DELETE ON `metrics_task_contribs` BEGIN
  INSERT INTO `metrics_rollup` (grain, project_id, series, slot, value)
  SELECT g.grain, p.project_id, old.series,
    CASE g.grain WHEN 'd' THEN substr(old.at, 1, 10) ELSE substr(old.at, 1, 14) || CASE WHEN substr(old.at, 15, 2) < '15' THEN '00' WHEN substr(old.at, 15, 2) < '30' THEN '15' WHEN substr(old.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    -old.delta
  FROM metrics_grains g, (SELECT old.project_id AS project_id UNION ALL SELECT '*') p WHERE true
  ON CONFLICT DO UPDATE SET value = value + excluded.value;
END;
--> statement-breakpoint
-- Agent runs: a run's measures are added under its project; a change (its task deleted: task_id set null) moves them.
CREATE TRIGGER `metrics_agent_runs_insert` AFTER INSERT ON `agent_runs` BEGIN
  INSERT INTO `metrics_run_contribs` SELECT * FROM `metrics_run_contribs_v` WHERE run_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_agent_runs_update` AFTER UPDATE ON `agent_runs` BEGIN
  DELETE FROM `metrics_run_contribs` WHERE run_id = old.id;
  INSERT INTO `metrics_run_contribs` SELECT * FROM `metrics_run_contribs_v` WHERE run_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_agent_runs_delete` AFTER DELETE ON `agent_runs` BEGIN
  DELETE FROM `metrics_run_contribs` WHERE run_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_run_contribs_insert` AFTER INSERT ON `metrics_run_contribs` BEGIN
  INSERT INTO `metrics_run_rollup` (grain, project_id, agent, slot, runs, success, tokens_in, tokens_out, errors, quality_sum, quality_n, duration_sum, duration_n)
  SELECT g.grain, p.project_id, new.agent,
    CASE g.grain WHEN 'd' THEN substr(new.at, 1, 10) ELSE substr(new.at, 1, 14) || CASE WHEN substr(new.at, 15, 2) < '15' THEN '00' WHEN substr(new.at, 15, 2) < '30' THEN '15' WHEN substr(new.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    1, new.success, new.tokens_in, new.tokens_out, new.errors, new.quality_sum, new.quality_n, new.duration_sum, new.duration_n
  FROM metrics_grains g, (SELECT new.project_id AS project_id UNION ALL SELECT '*') p WHERE true
  ON CONFLICT DO UPDATE SET runs = runs + excluded.runs, success = success + excluded.success, tokens_in = tokens_in + excluded.tokens_in,
    tokens_out = tokens_out + excluded.tokens_out, errors = errors + excluded.errors, quality_sum = quality_sum + excluded.quality_sum,
    quality_n = quality_n + excluded.quality_n, duration_sum = duration_sum + excluded.duration_sum, duration_n = duration_n + excluded.duration_n;
END;
--> statement-breakpoint
CREATE TRIGGER `metrics_run_contribs_delete` AFTER DELETE ON `metrics_run_contribs` BEGIN
  INSERT INTO `metrics_run_rollup` (grain, project_id, agent, slot, runs, success, tokens_in, tokens_out, errors, quality_sum, quality_n, duration_sum, duration_n)
  SELECT g.grain, p.project_id, old.agent,
    CASE g.grain WHEN 'd' THEN substr(old.at, 1, 10) ELSE substr(old.at, 1, 14) || CASE WHEN substr(old.at, 15, 2) < '15' THEN '00' WHEN substr(old.at, 15, 2) < '30' THEN '15' WHEN substr(old.at, 15, 2) < '45' THEN '30' ELSE '45' END END,
    -1, -old.success, -old.tokens_in, -old.tokens_out, -old.errors, -old.quality_sum, -old.quality_n, -old.duration_sum, -old.duration_n
  FROM metrics_grains g, (SELECT old.project_id AS project_id UNION ALL SELECT '*') p WHERE true
  ON CONFLICT DO UPDATE SET runs = runs + excluded.runs, success = success + excluded.success, tokens_in = tokens_in + excluded.tokens_in,
    tokens_out = tokens_out + excluded.tokens_out, errors = errors + excluded.errors, quality_sum = quality_sum + excluded.quality_sum,
    quality_n = quality_n + excluded.quality_n, duration_sum = duration_sum + excluded.duration_sum, duration_n = duration_n + excluded.duration_n;
END;
