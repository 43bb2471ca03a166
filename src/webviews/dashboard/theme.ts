// The charts' colours and font, read from VS Code's theme variables (--vscode-*) on the page, never a palette of our
// own: dark, light and high-contrast themes each get their own. Read again when the theme changes (VS Code sets a
// class on <body>: vscode-dark, vscode-light, vscode-high-contrast).
import { withAlpha } from './color';

export interface ChartTheme {
  foreground: string;
  grid: string;
  fontFamily: string;
  fontSize: number;
  /** Series colours: VS Code's chart colours (blue, green, orange, red, purple, yellow), then the foreground, then a
   *  muted one (what is set aside, e.g. cancelled tasks). */
  palette: string[];
  /** A colour made see-through, for areas. */
  translucent(color: string): string;
}

const CHART_COLORS = ['blue', 'green', 'orange', 'red', 'purple', 'yellow'] as const;
const FALLBACK: Record<(typeof CHART_COLORS)[number], string> = { blue: '#3794ff', green: '#89d185', orange: '#d18616', red: '#f14c4c', purple: '#b180d7', yellow: '#cca700' };

export function readTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-charts-foreground', v('--vscode-foreground', '#cccccc'));
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  return {
    foreground,
    grid: v('--vscode-charts-lines', withAlpha(foreground, 0.25)),
    fontFamily: v('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(v('--vscode-font-size', '13')) - 1 || 12,
    palette: [...CHART_COLORS.map((c) => v(`--vscode-charts-${c}`, FALLBACK[c])), foreground, v('--vscode-disabledForeground', withAlpha(foreground, 0.5))],
    translucent: (color) => withAlpha(color, highContrast ? 0.6 : 0.35),
  };
}
