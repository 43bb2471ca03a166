CREATE TABLE `crypto_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`key_id` text NOT NULL,
	`wrapped` text NOT NULL,
	`kdf` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
