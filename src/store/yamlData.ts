// A parsed YAML front matter as plain data (what JSON can hold), for the note and agent-file parsers: the two ways
// a few bytes of YAML can defeat a reader are refused with the reason instead of crashing or exhausting it.
import { isScalar, visit, type Document, type Node } from 'yaml';

/**
 * Each key written again in the same mapping, at any depth, in document order: what yaml's `uniqueKeys` reports, found
 * in linear time (that option compares every key with every other: 15 s for 30,000 keys). Parse with
 * `uniqueKeys: false` and ask this.
 */
export function repeatedKeys(doc: Document): Node[] {
  const found: Node[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) found.push(pair.key as Node);
        seen.add(key);
      }
    },
  });
  return found;
}

/** Alias uses allowed while building the value (yaml's guard against "billion laughs" alias bombs). */
export const MAX_YAML_ALIASES = 100;

/**
 * The document's value, or why it cannot be had: too many aliases (an alias bomb), or an alias used inside the node
 * its anchor names (`x: &x\n  y: *x`: a value that contains itself, which no JSON can hold). An alias can only name
 * an anchor defined before it, so a value contains itself exactly when some alias sits inside its own anchor's node.
 */
export function plainYamlValue(doc: Document): { value: unknown } | { problem: string } {
  try {
    let circular: string | undefined;
    visit(doc, {
      Alias(_key, node, path) {
        const source = node.resolve(doc);
        if (!source || !path.includes(source)) return undefined;
        circular = `the alias *${node.source} is used inside the value &${node.source} names, so that value would contain itself`;
        return visit.BREAK;
      },
    });
    return circular ? { problem: circular } : { value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    const message = (err as Error).message;
    if (/alias count/i.test(message)) return { problem: `its aliases (*name) expand to more than ${MAX_YAML_ALIASES} copies (an "alias bomb")` };
    if (err instanceof RangeError) return { problem: 'it is nested too deeply' };
    return { problem: message.split('\n')[0]! };
  }
}
