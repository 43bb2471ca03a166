-- Wikilinks in front-matter properties are links since this version: make the next index run re-read and re-parse
-- every note once (the catalog no longer matches any file), so they are indexed without waiting for each note to
-- change, and a rename finds the notes whose properties link to what it moves.
UPDATE vault_files SET mtime_ms = -1, hash = '';
