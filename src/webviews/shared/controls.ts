// What the pages share of the @vscode-elements controls: the properties they set on them, filling a select, and the
// messages to the user (the alert banner, the screen reader's live region).
import { h, icon, setChildren } from './dom';

export interface Option {
  label: string;
  value: string;
  description?: string;
}
export type SelectElement = HTMLElement & { value: string; options: (Option & { selected?: boolean })[]; disabled: boolean };
export type TextFieldElement = HTMLElement & { value: string; disabled: boolean; invalid: boolean };
export type CheckboxElement = HTMLElement & { checked: boolean; disabled: boolean };

/** Sets a select's options with `value` selected (added, shown as `label`, when it is not among them). */
export function fillSelect(el: SelectElement, options: Option[], value: string, label = value): void {
  if (!options.some((o) => o.value === value)) options.push({ label, value });
  el.options = options.map((o) => ({ ...o, selected: o.value === value }));
  el.value = value;
}

/** Has a screen reader read `text` from the live region (cleared first, so the same sentence twice is read twice). */
export function speak(live: HTMLElement, text: string): void {
  live.textContent = '';
  requestAnimationFrame(() => (live.textContent = text));
}

/** Shows the banner with a message, behind the codicon `iconName`, and a Dismiss button that hides it. */
export function showBanner(banner: HTMLElement, message: string, iconName = 'warning'): void {
  const close = h('vscode-button', { secondary: true, className: 'dismiss' }, 'Dismiss');
  close.addEventListener('click', () => (banner.hidden = true));
  setChildren(banner, icon(iconName), h('span', { className: 'message' }, message), close);
  banner.hidden = false;
}
