-- Full-text index of notes (rowid = notes.id). A table of its own (not external content): the indexer writes
-- both in one transaction, and bm25 ranking and snippets read it directly.
CREATE VIRTUAL TABLE `notes_fts` USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
