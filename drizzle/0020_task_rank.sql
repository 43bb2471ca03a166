-- A task's place in its board column (src/store/taskRank.ts): null until its card is first moved within a column.
ALTER TABLE `tasks` ADD `rank` real;
