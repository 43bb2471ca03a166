// Colours made see-through for the charts' areas (pure: no DOM, so it is tested on its own).
/** `color` at the given opacity: #rgb, #rrggbb(aa) and rgb()/rgba() are understood; anything else is left opaque. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(c);
  if (m) {
    const hex = m[1]!.length <= 4 ? [...m[1]!].map((x) => x + x).join('') : m[1]!;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  m = /^rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/i.exec(c);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : c;
}
