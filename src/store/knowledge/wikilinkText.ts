// The inside of a wikilink, `Note#Heading|alias`, split into its parts: shared by the Markdown parser, the
// front-matter link reader, rename and navigation, so they all read a link the same way.

export interface WikilinkParts {
  target: string;
  heading?: string;
  block?: string;
  alias?: string;
}

/** `Note#Heading|alias` → parts; null when nothing is linked (`[[]]`, `[[|x]]`, `[[#]]`). */
export function splitWikilink(inner: string): WikilinkParts | null {
  let pipe = inner.indexOf('|');
  const aliasStart = pipe + 1;
  if (pipe > 0 && inner.charCodeAt(pipe - 1) === 0x5c /* \ */) pipe--; // `\|`, as Obsidian writes it in tables
  const ref = pipe === -1 ? inner : inner.slice(0, pipe);
  const alias = pipe === -1 ? undefined : inner.slice(aliasStart).trim() || undefined;
  const hash = ref.indexOf('#');
  const target = (hash === -1 ? ref : ref.slice(0, hash)).trim();
  const sub = hash === -1 ? '' : ref.slice(hash + 1).trim();
  const out: WikilinkParts = { target };
  if (sub.startsWith('^')) {
    if (sub.length > 1) out.block = sub.slice(1).trim();
  } else if (sub) out.heading = sub;
  if (!target && !out.heading && !out.block) return null;
  if (alias !== undefined) out.alias = alias;
  return out;
}
