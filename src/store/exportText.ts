// An export as the file it is written to (by `cairn export --out` and VS Code's Export Store): type imports only,
// so the extension does not bundle the exporter.
import type { JsonExport, MarkdownExport } from './export';

/** JSON rows, or the project documents one after another. */
export function exportText(result: JsonExport | MarkdownExport): string {
  return 'tables' in result ? JSON.stringify(result, null, 2) + '\n' : result.documents.map((d) => d.markdown).join('\n---\n\n');
}
