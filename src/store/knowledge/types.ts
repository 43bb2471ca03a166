// What parsing one Markdown note yields: the shapes the indexer stores. Positions are 1-based lines.

export interface NoteDiagnostic {
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface ParsedHeading {
  level: number;
  text: string;
  line: number;
}

export interface ParsedLink {
  /** [[wikilink]], ![[embed]], or a Markdown link [text](path.md) / [text](src/code.ts). */
  kind: 'wikilink' | 'embed' | 'markdown';
  /** The note name or path as written, without #heading, #^block or |alias; '' for a link to a heading of the same note. */
  target: string;
  heading?: string;
  block?: string;
  alias?: string;
  line: number;
  /** The whole source line the link stands on, trimmed (what a backlinks list shows). */
  context: string;
}

export interface ParsedNote {
  /** Front matter `title`, else the first level-1 heading, else the file name without `.md`. */
  title: string;
  /** The YAML front matter as parsed (null when there is none or it is broken). */
  frontMatter: Record<string, unknown> | null;
  aliases: string[];
  /** Inline `#tags` and front-matter tags, without `#`, nested ones as `a/b`, de-duplicated (case-insensitively). */
  tags: string[];
  headings: ParsedHeading[];
  links: ParsedLink[];
  /** Block ids (`^id` at the end of a paragraph). */
  blockIds: { id: string; line: number }[];
  /** The note's text without its front matter: what full-text search indexes. */
  body: string;
  /** Problems found while parsing (broken YAML, …); the note is still indexed. */
  diagnostics: NoteDiagnostic[];
}
