// The task editor page: one task's fields as a form (saved together, with the version they were read at),
// its acceptance criteria and dependencies (changed at once), related notes, agent runs and history. The page
// keeps the draft and the version it was read at in its state (vscode.setState), so a reload or a hidden tab
// comes back with unsaved edits. A change made meanwhile arrives as the task's new version and is merged field
// by field (src/views/taskEditor/fields.ts): taken where only they changed a field, offered as a choice where both
// did. Plain DOM and @vscode-elements controls, like the board; everything works from the keyboard.
import '../shared/litNonce';
import type * as z from 'zod/mini';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './editor.css';
import { BOARD_PRIORITIES, BOARD_STATUSES, STATUS_LABELS } from '../../views/taskBoard/messages';
import { DRAFT_FIELDS, dirtyFields, draftOf, FIELD_LABELS, mergeDraft, parseMinutes, sameValue, type DraftField, type DraftFields, type FieldConflict } from '../../views/taskEditor/fields';
import {
  DESCRIPTION_MAX,
  editorViewState,
  TITLE_MAX,
  toEditor,
  type CriteriaOp,
  type EditorContext,
  type EditorTask,
  type EditorViewState,
  type FromEditor,
  type TaskRefView,
} from '../../views/taskEditor/messages';
import { fillSelect, showBanner, speak, type CheckboxElement, type SelectElement, type TextFieldElement } from '../shared/controls';
import { h, icon, setChildren } from '../shared/dom';
import { onHostMessage, postToHost, savedState, saveState } from '../shared/vscodeApi';
import { formatMinutes } from '../taskBoard/cardText';

type HostMessage = z.infer<typeof toEditor>;
type SearchResult = Extract<HostMessage, { type: 'searchResults' }>['results'][number];

const post = (m: FromEditor) => postToHost(m);
const STATUS_ICON: Record<string, string> = { pending: 'circle-large-outline', in_progress: 'play-circle', blocked: 'error', done: 'pass-filled', cancelled: 'circle-slash' };
const SOURCE_LABEL: Record<string, string> = { extension: 'VS Code', cli: 'CLI', agent: 'agent' };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');
const who = (actor: string, source: string) => `${actor} (${SOURCE_LABEL[source] ?? source})`;

/** A search box that offers tasks to pick (the parent, a dependency): type, ↓ into the results, Enter picks, Escape leaves. */
class TaskPicker {
  readonly el: HTMLElement;
  readonly field: TextFieldElement;
  private readonly list: HTMLElement;
  private timer: number | undefined;
  private seq = 0;

  constructor(
    private readonly purpose: 'parent' | 'dependency',
    label: string,
    private readonly onPick: (r: SearchResult) => void,
    private readonly nextSeq: () => number,
  ) {
    this.field = h('vscode-textfield', { placeholder: 'Search tasks by words or paste an id', 'aria-label': label, 'data-picker': purpose }) as TextFieldElement;
    this.list = h('ul', { className: 'picker-results', role: 'listbox', 'aria-label': `${label}: results`, hidden: true });
    this.el = h('div', { className: 'picker' }, this.field, this.list);
    this.field.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.search(), 150);
    });
    this.field.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'ArrowDown') {
        (this.list.querySelector('[role="option"]') as HTMLElement | null)?.focus();
        e.preventDefault();
      } else if (e.key === 'Escape') this.clear();
      else if (e.key === 'Enter') {
        clearTimeout(this.timer);
        this.search();
      }
    });
    this.list.addEventListener('keydown', (e: KeyboardEvent) => {
      const at = (e.target as HTMLElement).closest<HTMLElement>('[role="option"]');
      if (!at) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const next = (e.key === 'ArrowDown' ? at.nextElementSibling : at.previousElementSibling) as HTMLElement | null;
        if (next) next.focus();
        else if (e.key === 'ArrowUp') this.field.focus();
      } else if (e.key === 'Enter' || e.key === ' ') this.pick(at);
      else if (e.key === 'Escape') {
        this.clear();
        this.field.focus();
      } else return;
      e.preventDefault();
    });
    this.list.addEventListener('click', (e) => {
      const at = (e.target as HTMLElement).closest<HTMLElement>('[role="option"]');
      if (at) this.pick(at);
    });
  }

  private search(): void {
    const query = this.field.value.trim();
    if (!query) {
      this.show([]);
      return;
    }
    this.seq = this.nextSeq();
    post({ type: 'search', seq: this.seq, purpose: this.purpose, query: query.slice(0, 200) });
  }

  results(seq: number, results: SearchResult[]): void {
    if (seq === this.seq) this.show(results);
  }

  private results_: SearchResult[] = [];

  private show(results: SearchResult[]): void {
    this.results_ = results;
    this.list.hidden = !this.field.value.trim();
    setChildren(
      this.list,
      ...(results.length
        ? results.map((r, i) =>
            h(
              'li',
              { role: 'option', tabindex: -1, 'data-index': i, 'aria-selected': 'false' },
              icon(STATUS_ICON[r.status ?? ''] ?? 'circle-large-outline'),
              h('span', { className: 'result-title' }, r.title),
              r.project ? h('span', { className: 'muted' }, ' (another project)') : null,
            ),
          )
        : [h('li', { className: 'muted', role: 'presentation' }, 'No task found.')]),
    );
  }

  private pick(el: HTMLElement): void {
    const r = this.results_[Number(el.dataset.index)];
    if (!r) return;
    this.clear();
    this.onPick(r);
  }

  clear(): void {
    this.field.value = '';
    this.show([]);
    this.list.hidden = true;
  }
}

class TaskEditor {
  private base: EditorTask | null = null;
  private draft: DraftFields | null = null;
  private conflicts: FieldConflict[] = [];
  private context: EditorContext | null = null;
  private taken: DraftField[] = [];
  private gone = false;
  private saving: string | null = null;
  private requestCounter = 0;
  private previewSeq = 0;
  private searchSeq = 0;
  private descriptionMode: 'write' | 'preview';
  private readonly restored: EditorViewState | null;
  /** After a criteria change: the item to focus once the task's new version is drawn. */
  private focusCriterion: number | null = null;
  private readonly pending = new Map<string, string>();

  private readonly root = h('div', { className: 'editor' });
  private readonly live = h('div', { className: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'editor-live' });
  private readonly banner = h('div', { className: 'banner', role: 'alert', hidden: true });
  private readonly conflictsEl = h('section', { className: 'conflicts', 'aria-label': 'Changes to choose between', hidden: true });
  private readonly saveState = h('span', { className: 'save-state', id: 'save-state' });
  private readonly saveButton = h('vscode-button', { id: 'save', icon: 'save', title: 'Save (Ctrl+S)' }, 'Save') as HTMLElement & { disabled: boolean };
  private readonly revertButton = h('vscode-button', { id: 'revert', secondary: true, icon: 'discard', title: 'Discard unsaved changes' }, 'Revert') as HTMLElement & { disabled: boolean };
  private readonly unlockButton = h('vscode-button', { id: 'unlock', secondary: true, icon: 'unlock', hidden: true }, 'Unlock');
  private readonly title = h('vscode-textfield', { id: 'title', 'aria-label': 'Title', className: 'title-field', maxlength: TITLE_MAX }) as TextFieldElement;
  private readonly titleBadge = h('span', { className: 'secret-badge', hidden: true });
  private readonly description = h('vscode-textarea', { id: 'description', 'aria-label': 'Description (Markdown)', rows: 10, resize: 'vertical', maxlength: DESCRIPTION_MAX }) as TextFieldElement;
  private readonly descriptionBadge = h('span', { className: 'secret-badge', hidden: true });
  private readonly preview = h('div', { className: 'preview markdown-body', id: 'description-preview', tabindex: 0, 'aria-label': 'Description preview', hidden: true });
  private readonly writeTab = h('vscode-button', { secondary: true, 'data-mode': 'write', 'aria-pressed': 'true' }, 'Write');
  private readonly previewTab = h('vscode-button', { secondary: true, 'data-mode': 'preview', 'aria-pressed': 'false' }, 'Preview');
  private readonly status = h('vscode-single-select', { id: 'status', 'aria-label': 'Status' }) as SelectElement;
  private readonly priority = h('vscode-single-select', { id: 'priority', 'aria-label': 'Priority' }) as SelectElement;
  private readonly assignee = h('vscode-single-select', { id: 'assignee', 'aria-label': 'Assignee', combobox: true, creatable: true, filter: 'contains' }) as SelectElement;
  private readonly sprint = h('vscode-single-select', { id: 'sprint', 'aria-label': 'Sprint' }) as SelectElement;
  private readonly estimate = h('vscode-textfield', { id: 'estimate', 'aria-label': 'Estimate (such as 90m, 1.5h, 2d)', placeholder: 'e.g. 90m, 1.5h, 2d' }) as TextFieldElement;
  private readonly tagList = h('ul', { className: 'chips', 'aria-label': 'Tags' });
  private readonly tagInput = h('vscode-textfield', { id: 'tag-input', placeholder: 'Add a tag, then Enter', 'aria-label': 'Add a tag' }) as TextFieldElement;
  private readonly parentView = h('div', { className: 'parent' });
  private readonly parentPicker: TaskPicker;
  private readonly criteriaHeading = h('h2', { id: 'criteria-heading' }, 'Acceptance criteria');
  private readonly criteriaList = h('ol', { className: 'criteria-list', 'aria-labelledby': 'criteria-heading' });
  private readonly criterionInput = h('vscode-textfield', { id: 'criterion-new', placeholder: 'Add a criterion, then Enter', 'aria-label': 'Add an acceptance criterion' }) as TextFieldElement;
  private readonly depsList = h('ul', { className: 'refs', 'aria-label': 'Waits for' });
  private readonly dependantsList = h('ul', { className: 'refs', 'aria-label': 'Waited on by' });
  private readonly depPicker: TaskPicker;
  private readonly notesList = h('ul', { className: 'refs', 'aria-label': 'Related notes' });
  private readonly runsList = h('ul', { className: 'runs', 'aria-label': 'Agent runs' });
  private readonly historyList = h('ol', { className: 'history', 'aria-label': 'History' });
  private readonly details = h('dl', { className: 'details' });
  private readonly projectName = h('span', { className: 'project-name' });

  constructor() {
    this.restored = savedState(editorViewState) ?? null;
    this.descriptionMode = this.restored?.descriptionMode ?? 'write';
    this.parentPicker = new TaskPicker('parent', 'Find a parent task (same project)', (r) => this.setField('parentId', r.id, true), () => ++this.searchSeq);
    this.depPicker = new TaskPicker('dependency', 'Add a dependency: find a task', (r) => this.act('depend', `Now waits for "${r.title}".`, { on: r.id }), () => ++this.searchSeq);
    this.build();
    document.body.append(this.root);
    onHostMessage(toEditor, 'task editor', (m) => this.receive(m));
    window.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') {
        e.preventDefault();
        this.save();
      }
    });
    let scrollTimer: number | undefined;
    window.addEventListener('scroll', () => {
      clearTimeout(scrollTimer);
      scrollTimer = window.setTimeout(() => this.saveViewState(), 200);
    });
    post({ type: 'ready' });
  }

  // ---- layout ------------------------------------------------------------------------------------------------------

  private build(): void {
    const field = (label: string, control: HTMLElement, id: string, ...extra: (HTMLElement | null)[]) =>
      h('div', { className: 'field', 'data-field': id }, h('label', { className: 'field-label', for: id }, label, h('span', { className: 'dirty-mark', title: 'Changed, not saved', 'aria-hidden': 'true' }, ' ●')), control, ...extra);
    this.unlockButton.addEventListener('click', () => post({ type: 'unlock' }));
    const reveal = h('vscode-button', { secondary: true, icon: 'list-tree', id: 'reveal', title: 'Show the task in the Projects view' }, 'Reveal');
    reveal.addEventListener('click', () => post({ type: 'reveal' }));
    this.saveButton.addEventListener('click', () => this.save());
    this.revertButton.addEventListener('click', () => this.revert());
    const header = h(
      'header',
      { className: 'head' },
      h('div', { className: 'title-row', 'data-field': 'title' }, this.title, this.titleBadge, h('span', { className: 'dirty-mark', title: 'Changed, not saved', 'aria-hidden': 'true' }, '●')),
      h('div', { className: 'actions', role: 'toolbar', 'aria-label': 'Task actions' }, this.saveButton, this.revertButton, reveal, this.unlockButton, this.saveState, this.projectName),
    );

    this.title.addEventListener('input', () => this.setField('title', this.title.value, false));
    this.description.addEventListener('input', () => this.setField('description', this.description.value, false));
    for (const tab of [this.writeTab, this.previewTab]) tab.addEventListener('click', () => this.setDescriptionMode(tab.dataset.mode as 'write' | 'preview'));
    const descriptionSection = h(
      'section',
      { className: 'section description', 'data-field': 'description', 'aria-labelledby': 'description-heading' },
      h('div', { className: 'section-head' }, h('h2', { id: 'description-heading' }, 'Description'), h('span', { className: 'dirty-mark', 'aria-hidden': 'true' }, '●'), this.descriptionBadge, h('div', { className: 'tabs', role: 'group', 'aria-label': 'Description view' }, this.writeTab, this.previewTab)),
      this.description,
      this.preview,
    );

    this.status.options = BOARD_STATUSES.map((s) => ({ label: STATUS_LABELS[s], value: s }));
    this.priority.options = BOARD_PRIORITIES.map((p) => ({ label: p[0]!.toUpperCase() + p.slice(1), value: p }));
    this.status.addEventListener('change', () => this.setField('status', this.status.value as DraftFields['status'], false));
    this.priority.addEventListener('change', () => this.setField('priority', this.priority.value as DraftFields['priority'], false));
    this.assignee.addEventListener('change', () => {
      const v = this.assignee.value.trim();
      this.setField('assignee', v ? v.slice(0, 200) : null, false);
    });
    this.sprint.addEventListener('change', () => this.setField('sprintId', this.sprint.value || null, false));
    const commitEstimate = () => {
      const parsed = parseMinutes(this.estimate.value);
      this.estimate.invalid = parsed === undefined;
      const hint = this.root.querySelector<HTMLElement>('#estimate-hint');
      if (hint) hint.textContent = parsed === undefined ? 'Not an estimate: write minutes (90), or 90m, 1.5h, 2d.' : parsed === null ? 'No estimate.' : `${formatMinutes(parsed)} (${parsed} minutes)`;
      if (parsed !== undefined) this.setField('estimatedMinutes', parsed, false);
    };
    this.estimate.addEventListener('input', commitEstimate);
    this.tagInput.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ',') {
        e.preventDefault();
        this.addTags(this.tagInput.value);
      } else if (e.key === 'Backspace' && !this.tagInput.value && this.draft?.tags.length) {
        const last = this.draft.tags[this.draft.tags.length - 1]!;
        this.setField('tags', this.draft.tags.slice(0, -1), true);
        this.say(`Removed tag ${last}.`);
      }
    });
    this.tagInput.addEventListener('blur', () => this.tagInput.value.trim() && this.addTags(this.tagInput.value));
    this.tagList.addEventListener('click', (e) => {
      const tag = (e.target as HTMLElement).closest<HTMLElement>('[data-remove-tag]')?.dataset.removeTag;
      if (tag !== undefined && this.draft) {
        this.setField('tags', this.draft.tags.filter((t) => t !== tag), true);
        this.say(`Removed tag ${tag}.`);
        this.tagInput.focus();
      }
    });
    this.parentView.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      if (target.closest('[data-action="clear-parent"]')) this.setField('parentId', null, true);
      const open = target.closest<HTMLElement>('[data-open-task]')?.dataset.openTask;
      if (open) post({ type: 'openTask', taskId: open });
    });

    const side = h(
      'aside',
      { className: 'side', 'aria-label': 'Fields' },
      field('Status', this.status, 'status'),
      field('Priority', this.priority, 'priority'),
      field('Assignee', this.assignee, 'assignee', h('div', { className: 'hint' }, 'Agents Cairn knows, earlier assignees, or type a name.')),
      h(
        'div',
        { className: 'field', 'data-field': 'tags' },
        h('label', { className: 'field-label', for: 'tag-input' }, 'Tags', h('span', { className: 'dirty-mark', 'aria-hidden': 'true' }, ' ●')),
        this.tagList,
        this.tagInput,
      ),
      field('Estimate', this.estimate, 'estimatedMinutes', h('div', { className: 'hint', id: 'estimate-hint', 'aria-live': 'polite' })),
      field('Sprint', this.sprint, 'sprintId'),
      h(
        'div',
        { className: 'field', 'data-field': 'parentId' },
        h('span', { className: 'field-label' }, 'Parent', h('span', { className: 'dirty-mark', 'aria-hidden': 'true' }, ' ●')),
        this.parentView,
        this.parentPicker.el,
      ),
      h('h2', {}, 'Details'),
      this.details,
    );

    this.criterionInput.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key !== 'Enter') return;
      const text = this.criterionInput.value.trim();
      if (!text) return;
      e.preventDefault();
      this.criterionInput.value = '';
      this.criteria({ add: text.slice(0, 2000) }, `Added "${text}".`);
    });
    this.criteriaList.addEventListener('keydown', (e) => this.onCriterionKey(e));
    this.criteriaList.addEventListener('click', (e) => {
      const btn = (e.target as HTMLElement).closest<HTMLElement>('[data-criterion-action]');
      const row = (e.target as HTMLElement).closest<HTMLElement>('li[data-index]');
      if (!btn || !row) return;
      const i = Number(row.dataset.index);
      const action = btn.dataset.criterionAction;
      if (action === 'up') this.moveCriterion(i, i - 1);
      else if (action === 'down') this.moveCriterion(i, i + 1);
      else if (action === 'remove') this.removeCriterion(i);
    });
    this.criteriaList.addEventListener('change', (e) => {
      const box = (e.target as HTMLElement).closest<CheckboxElement>('vscode-checkbox');
      const row = box?.closest<HTMLElement>('li[data-index]');
      if (!box || !row) return;
      const n = Number(row.dataset.index) + 1;
      const text = this.base?.criteria[n - 1]?.text ?? '';
      this.criteria(box.checked ? { check: n } : { uncheck: n }, box.checked ? `Checked "${text}".` : `Unchecked "${text}".`);
    });
    for (const list of [this.depsList, this.dependantsList]) {
      list.addEventListener('click', (e) => {
        const target = e.target as HTMLElement;
        const open = target.closest<HTMLElement>('[data-open-task]')?.dataset.openTask;
        const remove = target.closest<HTMLElement>('[data-undepend]');
        if (remove) this.act('undepend', `No longer waits for "${remove.dataset.title}".`, { on: remove.dataset.undepend! });
        else if (open) post({ type: 'openTask', taskId: open });
      });
    }
    this.notesList.addEventListener('click', (e) => {
      const path = (e.target as HTMLElement).closest<HTMLElement>('[data-open-note]')?.dataset.openNote;
      if (path) post({ type: 'openNote', path });
    });

    const main = h(
      'main',
      { className: 'main' },
      descriptionSection,
      h('section', { className: 'section', 'aria-labelledby': 'criteria-heading' }, this.criteriaHeading, this.criteriaList, this.criterionInput, h('div', { className: 'hint' }, 'On an item: Space checks it, Alt+↑/↓ moves it, Delete removes it.')),
      h(
        'section',
        { className: 'section', 'aria-labelledby': 'deps-heading' },
        h('h2', { id: 'deps-heading' }, 'Dependencies'),
        h('h3', {}, 'Waits for'),
        this.depsList,
        this.depPicker.el,
        h('h3', {}, 'Waited on by'),
        this.dependantsList,
      ),
      h('section', { className: 'section', 'aria-labelledby': 'notes-heading' }, h('h2', { id: 'notes-heading' }, 'Related notes'), this.notesList),
      h('section', { className: 'section', 'aria-labelledby': 'runs-heading' }, h('h2', { id: 'runs-heading' }, 'Agent runs'), this.runsList),
      h('section', { className: 'section', 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, 'History'), this.historyList),
    );
    this.root.append(header, this.banner, this.conflictsEl, h('div', { className: 'layout' }, main, side), this.live);
    this.root.setAttribute('aria-busy', 'true');
    this.setDescriptionMode(this.descriptionMode, false);
  }

  // ---- messages from the host ---------------------------------------------------------------------------------------

  private receive(m: HostMessage): void {
    switch (m.type) {
      case 'task':
        return this.onTask(m.task, m.reason, m.by);
      case 'context':
        this.context = m.context;
        this.renderContext();
        return;
      case 'preview':
        if (m.seq === this.previewSeq) {
          // Rendered by the host with raw HTML off and only safe links (src/views/taskEditor/descriptionHtml.ts);
          // the page's Content-Security-Policy runs no script in it either way.
          this.preview.innerHTML = m.html || '<p class="muted">Nothing to preview.</p>';
        }
        return;
      case 'searchResults':
        (m.purpose === 'parent' ? this.parentPicker : this.depPicker).results(m.seq, m.results);
        return;
      case 'saveResult':
        return this.onSaveResult(m);
      case 'actionResult': {
        const said = this.pending.get(m.requestId);
        this.pending.delete(m.requestId);
        if (m.ok) {
          if (said) this.say(said);
          this.refocusCriterion();
        } else {
          this.focusCriterion = null;
          this.renderCriteria();
          this.showBanner(m.message ?? 'The change was refused.');
          this.say(`Not changed: ${m.message ?? ''}`);
        }
        return;
      }
      case 'gone':
        this.gone = true;
        this.showBanner(m.message);
        this.renderMeta();
        return;
      case 'error':
        this.showBanner(m.message);
        return;
    }
  }

  private onTask(task: EditorTask, reason: 'open' | 'changed' | 'saved' | 'action', by?: { actor: string; source: string }[]): void {
    this.root.removeAttribute('aria-busy');
    const restored = this.restored && this.restored.taskId === task.id ? this.restored : null;
    if (!this.base || !this.draft) {
      if (restored?.base && restored.draft) {
        // Back after a reload with unsaved edits: merge them with the task as it is now.
        this.base = restored.base;
        this.draft = restored.draft;
        this.conflicts = restored.conflicts ?? [];
        this.renderAllFields();
        this.mergeIn(task, 'changed', undefined);
        if (restored.scrollY) requestAnimationFrame(() => window.scrollTo(0, restored.scrollY!));
        return;
      }
      this.base = task;
      this.draft = draftOf(task);
      this.conflicts = [];
      this.renderAllFields();
      this.renderTaskParts();
      this.report();
      return;
    }
    if (task.version < this.base.version || (task.version === this.base.version && reason !== 'open')) {
      // An older or the same version (our own save, answered twice): nothing new.
      if (task.version === this.base.version && JSON.stringify(task) !== JSON.stringify(this.base)) {
        this.base = task;
        this.renderTaskParts();
      }
      return;
    }
    this.mergeIn(task, reason, by);
  }

  /** The task's newer version: merged into the draft, field by field. */
  private mergeIn(task: EditorTask, reason: 'open' | 'changed' | 'saved' | 'action', by: { actor: string; source: string }[] | undefined): void {
    const base = this.base!;
    const fixed = [...new Set([...(task.lockedFields ?? []), ...(base.lockedFields ?? []), ...(task.damagedFields ?? [])])];
    const r = mergeDraft(draftOf(base), this.draft!, draftOf(task), fixed);
    // Choices still open: settled when the store now holds what the draft holds, else they face the newest value.
    const open: FieldConflict[] = this.conflicts
      .filter((c) => !sameValue(r.draft[c.field], task[c.field]))
      .map((c) => ({ field: c.field, mine: r.draft[c.field], theirs: task[c.field] }));
    for (const c of r.conflicts) if (!open.some((o) => o.field === c.field)) open.push(c);
    this.base = task;
    this.draft = r.draft;
    this.conflicts = open;
    this.taken = r.taken;
    for (const f of [...r.taken, ...fixed]) if (DRAFT_FIELDS.includes(f as DraftField)) this.renderField(f as DraftField);
    this.renderTaskParts();
    if (reason === 'changed' && (r.taken.length || r.conflicts.length)) {
      const names = by?.length ? by.map((b) => who(b.actor, b.source)).join(', ') : 'Someone else';
      const parts: string[] = [];
      if (r.taken.length) parts.push(`changed ${r.taken.map((f) => FIELD_LABELS[f].toLowerCase()).join(', ')} meanwhile; taken into your edits`);
      if (r.conflicts.length) parts.push(`changed ${r.conflicts.map((c) => FIELD_LABELS[c.field].toLowerCase()).join(', ')}, which you changed too: choose below`);
      this.showBanner(`${names} ${parts.join('; ')}.`, 'info');
      this.say(`${names} ${parts.join('; ')}.`);
    } else if (reason === 'changed' && by?.length && !dirtyFields(draftOf(task), this.draft).length) {
      this.say(`Updated: ${by.map((b) => who(b.actor, b.source)).join(', ')} changed the task.`);
    }
    this.report();
  }

  private onSaveResult(m: { requestId: string; ok: boolean; message?: string; conflicts?: { field: DraftField; mine?: unknown; theirs?: unknown }[]; merged?: DraftField[] }): void {
    if (m.requestId !== this.saving) return;
    this.saving = null;
    if (m.ok) {
      const merged = m.merged?.length ? ` Merged with changes made meanwhile to ${m.merged.map((f) => FIELD_LABELS[f].toLowerCase()).join(', ')}.` : '';
      if (merged) this.showBanner(`Saved.${merged}`, 'info');
      else this.hideBanner();
      this.say(`Saved.${merged}`);
    } else {
      for (const c of m.conflicts ?? []) {
        const conflict = { field: c.field, mine: c.mine, theirs: c.theirs };
        const at = this.conflicts.findIndex((x) => x.field === c.field);
        if (at >= 0) this.conflicts[at] = conflict;
        else this.conflicts.push(conflict);
      }
      this.showBanner(m.message ?? 'Not saved.');
      this.say(m.message ?? 'Not saved.');
    }
    this.renderMeta();
    this.renderConflicts();
    this.report();
  }

  // ---- editing -----------------------------------------------------------------------------------------------------

  private setField<F extends DraftField>(f: F, value: DraftFields[F], redraw: boolean): void {
    if (!this.draft || this.gone) return;
    this.draft[f] = value;
    if (redraw) this.renderField(f);
    this.renderMeta();
    this.report();
  }

  private addTags(text: string): void {
    if (!this.draft) return;
    const added = text
      .split(',')
      .map((t) => t.trim().replace(/^#/, '').slice(0, 100))
      .filter((t) => t && !this.draft!.tags.includes(t));
    this.tagInput.value = '';
    if (!added.length) return;
    this.setField('tags', [...this.draft.tags, ...added].slice(0, 100), true);
    this.say(`Added tag ${added.join(', ')}.`);
  }

  private setDescriptionMode(mode: 'write' | 'preview', focus = true): void {
    this.descriptionMode = mode;
    this.description.hidden = mode === 'preview';
    this.preview.hidden = mode === 'write';
    this.writeTab.setAttribute('aria-pressed', String(mode === 'write'));
    this.previewTab.setAttribute('aria-pressed', String(mode === 'preview'));
    this.writeTab.toggleAttribute('secondary', mode !== 'write');
    this.previewTab.toggleAttribute('secondary', mode !== 'preview');
    if (mode === 'preview') {
      this.previewSeq += 1;
      post({ type: 'preview', seq: this.previewSeq, text: this.draft?.description ?? '' });
      if (focus) this.preview.focus();
    } else if (focus) this.description.focus();
    this.saveViewState();
  }

  private save(): void {
    const base = this.base;
    const draft = this.draft;
    if (!base || !draft || this.saving || this.gone) return;
    if (this.conflicts.length) {
      this.showBanner('Choose which value to keep for each field changed on both sides, then save.');
      (this.conflictsEl.querySelector('vscode-button') as HTMLElement | null)?.focus();
      return;
    }
    const dirty = dirtyFields(draftOf(base), draft);
    if (!dirty.length) {
      this.say('Nothing to save.');
      return;
    }
    if (dirty.includes('title') && !draft.title.trim()) {
      this.showBanner('The title must not be empty.');
      this.title.focus();
      return;
    }
    const changes: Record<string, unknown> = {};
    const was: Record<string, unknown> = {};
    for (const f of dirty) {
      changes[f] = f === 'title' ? draft.title.trim() : draft[f];
      was[f] = draftOf(base)[f];
    }
    this.saving = `s${++this.requestCounter}`;
    this.renderMeta();
    post({ type: 'save', requestId: this.saving, expectedVersion: base.version, changes, base: was } as FromEditor);
  }

  private revert(): void {
    if (!this.base) return;
    this.draft = draftOf(this.base);
    this.conflicts = [];
    this.renderAllFields();
    this.hideBanner();
    this.say('Unsaved changes discarded.');
    this.report();
  }

  private resolve(field: DraftField, keep: 'mine' | 'theirs'): void {
    const c = this.conflicts.find((x) => x.field === field);
    if (!c || !this.draft || !this.base) return;
    this.conflicts = this.conflicts.filter((x) => x !== c);
    const value = keep === 'theirs' ? this.base[field] : c.mine;
    (this.draft as unknown as Record<string, unknown>)[field] = Array.isArray(value) ? [...value] : value;
    this.renderField(field);
    this.say(keep === 'mine' ? `Keeping your ${FIELD_LABELS[field].toLowerCase()}; save to write it.` : `Took their ${FIELD_LABELS[field].toLowerCase()}.`);
    if (!this.conflicts.length) this.hideBanner();
    this.renderMeta();
    this.renderConflicts();
    this.report();
    (this.conflictsEl.querySelector('vscode-button') as HTMLElement | null ?? this.saveButton).focus();
  }

  // ---- criteria and dependencies (changed at once) -----------------------------------------------------------------

  private criteria(op: CriteriaOp, said: string): void {
    if (!this.base || this.gone) return;
    const requestId = `c${++this.requestCounter}`;
    this.pending.set(requestId, said);
    post({ type: 'criteria', requestId, expectedVersion: this.base.version, op });
  }

  private act(type: 'depend' | 'undepend', said: string, p: { on: string }): void {
    if (this.gone) return;
    const requestId = `d${++this.requestCounter}`;
    this.pending.set(requestId, said);
    post({ type, requestId, on: p.on });
  }

  private moveCriterion(from: number, to: number): void {
    const items = this.base?.criteria ?? [];
    if (to < 0 || to >= items.length || from === to) return;
    this.focusCriterion = to;
    this.criteria({ move: from + 1, to: to + 1 }, `Moved "${items[from]!.text}" to position ${to + 1} of ${items.length}.`);
  }

  private removeCriterion(i: number): void {
    const items = this.base?.criteria ?? [];
    if (!items[i]) return;
    this.focusCriterion = Math.min(i, items.length - 2);
    this.criteria({ remove: i + 1 }, `Removed "${items[i]!.text}".`);
  }

  private onCriterionKey(e: KeyboardEvent): void {
    const row = (e.target as HTMLElement).closest<HTMLElement>('li[data-index]');
    if (!row || e.target !== row) return;
    const i = Number(row.dataset.index);
    const items = this.base?.criteria ?? [];
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) this.moveCriterion(i, i + (e.key === 'ArrowUp' ? -1 : 1));
    else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') (this.criteriaList.children[i + (e.key === 'ArrowUp' ? -1 : 1)] as HTMLElement | undefined)?.focus();
    else if (e.key === ' ' || e.key === 'Enter') {
      const done = items[i]?.done;
      this.focusCriterion = i;
      this.criteria(done ? { uncheck: i + 1 } : { check: i + 1 }, done ? `Unchecked "${items[i]!.text}".` : `Checked "${items[i]!.text}".`);
    } else if (e.key === 'Delete') this.removeCriterion(i);
    else return;
    e.preventDefault();
  }

  // ---- drawing -----------------------------------------------------------------------------------------------------

  private renderAllFields(): void {
    for (const f of DRAFT_FIELDS) this.renderField(f);
    this.renderTaskParts();
  }

  /** Puts a field's draft value into its control (never while that control is being typed into with the same value). */
  private renderField(f: DraftField): void {
    const d = this.draft;
    if (!d) return;
    const locked = (x: string) => this.base?.lockedFields?.includes(x) || this.base?.damagedFields?.includes(x);
    switch (f) {
      case 'title':
        if (this.title.value !== d.title) this.title.value = d.title;
        this.title.disabled = !!locked('title') || this.gone;
        break;
      case 'description':
        if (this.description.value !== d.description) this.description.value = d.description;
        this.description.disabled = !!locked('description') || this.gone;
        if (this.descriptionMode === 'preview') this.setDescriptionMode('preview', false);
        break;
      case 'status':
        fillSelect(this.status, BOARD_STATUSES.map((s) => ({ label: STATUS_LABELS[s], value: s })), d.status);
        break;
      case 'priority':
        fillSelect(this.priority, BOARD_PRIORITIES.map((p) => ({ label: p[0]!.toUpperCase() + p.slice(1), value: p })), d.priority);
        break;
      case 'assignee':
        this.fillAssignees();
        break;
      case 'tags':
        setChildren(
          this.tagList,
          ...d.tags.map((t) => h('li', { className: 'chip' }, h('span', {}, `#${t}`), h('button', { type: 'button', className: 'chip-remove', 'data-remove-tag': t, 'aria-label': `Remove tag ${t}`, title: `Remove tag ${t}` }, icon('close')))),
        );
        break;
      case 'estimatedMinutes': {
        const parsed = parseMinutes(this.estimate.value);
        if (parsed !== d.estimatedMinutes) this.estimate.value = d.estimatedMinutes === null ? '' : formatMinutes(d.estimatedMinutes);
        this.estimate.invalid = false;
        break;
      }
      case 'sprintId':
        this.fillSprints();
        break;
      case 'parentId':
        this.renderParent();
        break;
    }
    this.renderMeta();
  }

  private fillAssignees(): void {
    const value = this.draft?.assignee ?? '';
    const people = this.context?.assignees ?? [];
    fillSelect(
      this.assignee,
      [{ label: 'Unassigned', value: '' }, ...people.map((p) => ({ label: p.name, value: p.name, description: p.kind === 'agent' ? `agent${p.description ? ` · ${p.description}` : ''}` : 'assigned before' }))],
      value,
    );
  }

  private fillSprints(): void {
    const value = this.draft?.sprintId ?? '';
    const sprints = this.context?.sprints ?? [];
    fillSelect(this.sprint, [{ label: 'No sprint', value: '' }, ...sprints.map((s) => ({ label: `${s.name} (${s.status})`, value: s.id }))], value);
  }

  private refLabel(ref: TaskRefView | null, id: string): string {
    return ref?.title ?? (ref && ref.status === null ? `${id} (deleted)` : id);
  }

  private renderParent(): void {
    const id = this.draft?.parentId ?? null;
    if (!id) {
      setChildren(this.parentView, h('span', { className: 'muted' }, 'No parent.'));
      return;
    }
    const known = this.context?.parent?.id === id ? this.context.parent : null;
    setChildren(
      this.parentView,
      h('button', { type: 'button', className: 'link', 'data-open-task': id, title: 'Open the parent task' }, icon(STATUS_ICON[known?.status ?? ''] ?? 'circle-large-outline'), ` ${known ? this.refLabel(known, id) : id}`),
      h('vscode-button', { secondary: true, icon: 'close', 'data-action': 'clear-parent', 'aria-label': 'Remove the parent', title: 'Remove the parent' }),
    );
  }

  /** Everything drawn from the task beyond the draft: criteria, secret-field badges, details. */
  private renderTaskParts(): void {
    this.renderCriteria();
    this.renderSecrets();
    this.renderDetails();
    this.renderMeta();
    this.renderConflicts();
    this.saveViewState();
  }

  private renderSecrets(): void {
    const t = this.base;
    let anyLocked = false;
    for (const [f, badge] of [
      ['title', this.titleBadge],
      ['description', this.descriptionBadge],
    ] as const) {
      const secret = t?.secretFields?.includes(f);
      const locked = t?.lockedFields?.includes(f);
      const damaged = t?.damagedFields?.includes(f);
      anyLocked ||= !!locked;
      badge.hidden = !secret;
      if (!secret) continue;
      setChildren(
        badge,
        icon(damaged ? 'warning' : locked ? 'lock' : 'unlock'),
        damaged ? ' Encrypted, damaged: restore from a backup' : locked ? ' Encrypted, locked' : ' Encrypted (unlocked)',
      );
      badge.title = damaged ? `The ${f} failed its integrity check.` : locked ? `The ${f} is encrypted and the store is locked on this machine: unlock to read or change it.` : `The ${f} is stored encrypted and is not searchable.`;
    }
    this.unlockButton.hidden = !anyLocked;
  }

  private renderDetails(): void {
    const t = this.base;
    if (!t) return;
    const rows: [string, string][] = [
      ['Id', t.id],
      ['Version', String(t.version)],
      ['Created', when(t.createdAt)],
      ['Updated', when(t.updatedAt)],
      ['Started', when(t.startedAt)],
      ['Completed', when(t.completedAt)],
    ];
    if (t.actualMinutes !== null) rows.push(['Actual time', formatMinutes(t.actualMinutes)]);
    if (t.tokensIn !== null || t.tokensOut !== null) rows.push(['Tokens', `${t.tokensIn ?? 0} in / ${t.tokensOut ?? 0} out`]);
    if (t.qualityScore !== null) rows.push(['Quality', String(t.qualityScore)]);
    setChildren(this.details, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    document.title = t.title;
  }

  private renderCriteria(): void {
    const items = this.base?.criteria ?? [];
    const done = items.filter((c) => c.done).length;
    this.criteriaHeading.textContent = items.length ? `Acceptance criteria (${done}/${items.length})` : 'Acceptance criteria';
    setChildren(
      this.criteriaList,
      ...items.map((c, i) => {
        const box = h('vscode-checkbox', { 'aria-label': `Done: ${c.text}`, tabindex: -1 }) as CheckboxElement;
        box.checked = c.done;
        box.disabled = this.gone;
        return h(
          'li',
          { className: `criterion${c.done ? ' done' : ''}`, tabindex: 0, 'data-index': i, 'aria-label': `${i + 1} of ${items.length}: ${c.text}, ${c.done ? 'done' : 'not done'}` },
          box,
          h('span', { className: 'criterion-text' }, c.text),
          h('span', { className: 'criterion-actions' },
            h('vscode-button', { secondary: true, icon: 'arrow-up', 'data-criterion-action': 'up', 'aria-label': `Move "${c.text}" up`, title: 'Move up (Alt+↑)', disabled: i === 0 || this.gone, tabindex: -1 }),
            h('vscode-button', { secondary: true, icon: 'arrow-down', 'data-criterion-action': 'down', 'aria-label': `Move "${c.text}" down`, title: 'Move down (Alt+↓)', disabled: i === items.length - 1 || this.gone, tabindex: -1 }),
            h('vscode-button', { secondary: true, icon: 'trash', 'data-criterion-action': 'remove', 'aria-label': `Remove "${c.text}"`, title: 'Remove (Delete)', disabled: this.gone, tabindex: -1 }),
          ),
        );
      }),
    );
    if (!items.length) this.criteriaList.append(h('li', { className: 'muted empty-row' }, 'No acceptance criteria yet.'));
    this.refocusCriterion();
  }

  /** Keeps the keyboard on the item just changed (its row was drawn anew), until the change is answered. */
  private refocusCriterion(): void {
    if (this.focusCriterion === null) return;
    const row = this.criteriaList.children[this.focusCriterion] as HTMLElement | undefined;
    if (row && document.activeElement !== row && (document.activeElement === document.body || this.criteriaList.contains(document.activeElement))) row.focus();
    if (!this.pending.size) this.focusCriterion = null;
  }

  private renderContext(): void {
    const c = this.context;
    if (!c) return;
    this.projectName.textContent = `in ${c.project.name}`;
    this.fillAssignees();
    this.fillSprints();
    this.renderParent();
    const ref = (r: TaskRefView, removable: boolean) =>
      h(
        'li',
        { className: 'ref' },
        icon(STATUS_ICON[r.status ?? ''] ?? 'question', r.status ? STATUS_LABELS[r.status] : 'deleted'),
        h('button', { type: 'button', className: 'link', 'data-open-task': r.status ? r.id : undefined, disabled: !r.status, title: r.status ? 'Open this task' : 'This task was deleted' }, this.refLabel(r, r.id)),
        r.status ? h('span', { className: 'muted' }, ` ${STATUS_LABELS[r.status]}`) : null,
        removable ? h('vscode-button', { secondary: true, icon: 'close', 'data-undepend': r.id, 'data-title': r.title ?? r.id, 'aria-label': `Stop waiting for "${r.title ?? r.id}"`, title: 'Remove this dependency' }) : null,
      );
    setChildren(this.depsList, ...(c.dependsOn.length ? c.dependsOn.map((r) => ref(r, true)) : [h('li', { className: 'muted' }, 'Waits for nothing.')]));
    setChildren(this.dependantsList, ...(c.dependants.length ? c.dependants.map((r) => ref(r, false)) : [h('li', { className: 'muted' }, 'No task waits for this one.')]));
    setChildren(
      this.notesList,
      ...(c.notes.length
        ? c.notes.map((n) =>
            n.path
              ? h(
                  'li',
                  { className: 'ref' },
                  icon('book'),
                  h('button', { type: 'button', className: 'link', 'data-open-note': n.path, title: `Open ${n.path}` }, n.title ?? n.path),
                  h('span', { className: 'muted' }, n.via === 'task' ? ' listed in the task' : ` names this task${n.line ? ` (line ${n.line})` : ''}`),
                )
              : h('li', { className: 'ref muted' }, icon('book'), ` ${n.name ?? n.title ?? '?'} (not in the vault)`),
          )
        : [h('li', { className: 'muted' }, 'No note names this task.')]),
    );
    setChildren(
      this.runsList,
      ...(c.runs.length
        ? c.runs.map((r) =>
            h(
              'li',
              { className: `run outcome-${r.outcome}` },
              h(
                'div',
                { className: 'run-head' },
                icon('hubot'),
                h('strong', {}, ` ${r.agentName}`),
                h('span', { className: 'outcome' }, r.outcome),
                h('span', { className: 'muted' }, when(r.startedAt ?? r.createdAt)),
              ),
              h(
                'div',
                { className: 'muted' },
                [
                  r.durationMs !== null ? `${formatMinutes(r.durationMs / 60_000)}` : null,
                  r.tokensIn !== null || r.tokensOut !== null ? `${r.tokensIn ?? 0} in / ${r.tokensOut ?? 0} out tokens` : null,
                  r.qualityScore !== null ? `quality ${r.qualityScore}` : null,
                  r.errors ? `${r.errors} errors` : null,
                ]
                  .filter(Boolean)
                  .join(' · '),
              ),
              r.notes ? h('div', { className: 'run-notes' }, r.notes.length > 400 ? `${r.notes.slice(0, 399)}…` : r.notes) : null,
            ),
          )
        : [h('li', { className: 'muted' }, 'No agent has run on this task.')]),
    );
    setChildren(
      this.historyList,
      ...c.history.map((e) =>
        h(
          'li',
          { className: `event source-${e.source}` },
          h('div', { className: 'event-head' }, icon(e.source === 'agent' ? 'hubot' : 'person', e.source === 'agent' ? 'agent' : 'person'), h('strong', {}, ` ${e.actor}`), h('span', { className: 'muted' }, ` (${SOURCE_LABEL[e.source] ?? e.source}) `), e.summary, h('span', { className: 'muted when' }, ` · ${when(e.at)} · v${e.version}`)),
          e.changes.length ? h('ul', { className: 'event-changes' }, ...e.changes.map((ch) => h('li', {}, h('span', { className: 'muted' }, `${ch.field}: `), `${ch.from} → ${ch.to}`))) : null,
        ),
      ),
      c.historyMore ? h('li', { className: 'muted' }, 'Older events: cairn events --aggregate task in a terminal.') : null,
    );
  }

  private renderMeta(): void {
    const base = this.base;
    const draft = this.draft;
    const dirty = base && draft ? dirtyFields(draftOf(base), draft) : [];
    for (const el of this.root.querySelectorAll<HTMLElement>('[data-field]')) {
      el.classList.toggle('dirty', dirty.includes(el.dataset.field as DraftField));
      el.classList.toggle('conflict', this.conflicts.some((c) => c.field === el.dataset.field));
    }
    this.saveButton.disabled = !dirty.length || !!this.saving || this.gone;
    this.revertButton.disabled = (!dirty.length && !this.conflicts.length) || this.gone;
    this.saveState.textContent = this.gone
      ? 'Deleted'
      : this.saving
        ? 'Saving…'
        : this.conflicts.length
          ? `${this.conflicts.length} to choose · version ${base?.version ?? ''}`
          : dirty.length
            ? `Unsaved: ${dirty.map((f) => FIELD_LABELS[f].toLowerCase()).join(', ')}`
            : `Saved · version ${base?.version ?? ''}`;
  }

  private renderConflicts(): void {
    this.conflictsEl.hidden = !this.conflicts.length;
    const show = (f: DraftField, v: unknown) => {
      if (v === null || v === undefined || v === '') return '(none)';
      if (f === 'status') return STATUS_LABELS[v as keyof typeof STATUS_LABELS] ?? String(v);
      if (f === 'estimatedMinutes') return formatMinutes(Number(v));
      if (f === 'sprintId') return this.context?.sprints.find((s) => s.id === v)?.name ?? String(v);
      if (Array.isArray(v)) return v.join(', ') || '(none)';
      const s = String(v);
      return s.length > 300 ? `${s.slice(0, 299)}…` : s;
    };
    setChildren(
      this.conflictsEl,
      h('h2', {}, 'Changed on both sides'),
      ...this.conflicts.map((c) => {
        const mine = h('vscode-button', { 'data-keep': 'mine', 'data-conflict': c.field }, 'Keep mine');
        const theirs = h('vscode-button', { secondary: true, 'data-keep': 'theirs', 'data-conflict': c.field }, 'Take theirs');
        mine.addEventListener('click', () => this.resolve(c.field, 'mine'));
        theirs.addEventListener('click', () => this.resolve(c.field, 'theirs'));
        return h(
          'div',
          { className: 'conflict-row', 'data-conflict-field': c.field, role: 'group', 'aria-label': `${FIELD_LABELS[c.field]}: changed on both sides` },
          h('strong', {}, FIELD_LABELS[c.field]),
          h('div', { className: 'versions' }, h('div', {}, h('span', { className: 'muted' }, 'Yours: '), h('span', { className: 'mine-value' }, show(c.field, c.mine))), h('div', {}, h('span', { className: 'muted' }, 'Theirs: '), h('span', { className: 'theirs-value' }, show(c.field, c.theirs)))),
          h('div', { className: 'choices' }, mine, theirs),
        );
      }),
    );
  }

  // ---- state and messages to the user ------------------------------------------------------------------------------

  private report(): void {
    this.saveViewState();
    if (!this.base || !this.draft) return;
    post({ type: 'state', version: this.base.version, dirty: dirtyFields(draftOf(this.base), this.draft), conflicts: this.conflicts.map((c) => c.field), taken: this.taken });
  }

  private saveViewState(): void {
    if (!this.base) return;
    const dirty = this.draft ? dirtyFields(draftOf(this.base), this.draft).length > 0 : false;
    saveState({
      taskId: this.base.id,
      base: this.base,
      ...(this.draft && (dirty || this.conflicts.length) ? { draft: this.draft, conflicts: this.conflicts } : {}),
      descriptionMode: this.descriptionMode,
      scrollY: Math.max(0, window.scrollY),
    });
  }

  private say(text: string): void {
    speak(this.live, text);
  }

  /** A warning, or news (a change taken in, a merged save); the level is also the banner's icon. */
  private showBanner(message: string, level: 'warning' | 'info' = 'warning'): void {
    this.banner.className = `banner ${level}`;
    showBanner(this.banner, message, level);
  }

  private hideBanner(): void {
    this.banner.hidden = true;
  }
}

new TaskEditor();
