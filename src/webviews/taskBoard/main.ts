// The task board page: a toolbar of filters, one column per shown status (in one swimlane per sprint or assignee
// when lanes are on, lanes.ts), each drawing only the cards in view (windowing.ts) from pages the host reads from
// the backend (columnCache.ts). Cards move between columns and within one by mouse (drag and drop) or keyboard
// (keyboardMove.ts); a move shows at once and is put back, with the store's reason, if the store refuses it. Filters, shown columns, scroll positions and the selected card live in the page's state
// (vscode.setState), so a reload or a hidden tab comes back where it was. No framework: plain DOM and
// @vscode-elements controls.
import '../shared/litNonce';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './board.css';
import type * as z from 'zod/mini';
import type { TaskStatus } from '../../store/schema';
import {
  BOARD_PRIORITIES,
  BOARD_STATUSES,
  boardViewState,
  DEFAULT_VIEW_STATE,
  MAX_PAGE,
  STATUS_LABELS,
  toWebview,
  type BoardCard,
  type BoardFilter,
  type BoardViewState,
  type FromWebview,
  type LaneMode,
} from '../../views/taskBoard/messages';
import { fillSelect, showBanner, speak, type CheckboxElement, type Option, type SelectElement, type TextFieldElement } from '../shared/controls';
import { h, icon, setChildren } from '../shared/dom';
import { onHostMessage, postToHost, savedState, saveState } from '../shared/vscodeApi';
import { ageDays, cardLabel, formatMinutes, isStale } from './cardText';
import { ColumnCache, type ColumnSnapshot } from './columnCache';
import { announce, dropOf, pickUp, step, stepLane, stepWithin, type Held } from './keyboardMove';
import { laneChange, laneFields, laneFilter, NO_LANES, orderLanes, type Lane } from './lanes';
import { pageRequests, pagesOf, scrollToShow, visibleRange } from './windowing';

/** A card's slot: its height plus the gap below it (board.css keeps cards at ROW_HEIGHT - 8 px). */
const ROW_HEIGHT = 96;
const PAGE_SIZE = 50;
const DRAG_TYPE = 'application/x-cairn-task';
/** Lanes drawn at most (each is a row of columns); the rest are reached by the filters. */
const MAX_LANES_SHOWN = 100;

/** One column of one swimlane (the only lane, key "", when there are none). */
interface ColumnView {
  status: TaskStatus;
  lane: string;
  /** `${lane}|${status}`: its cache, its pages in flight. */
  key: string;
  section: HTMLElement;
  scroller: HTMLElement;
  spacer: HTMLElement;
  count: HTMLElement;
  newTask: HTMLElement;
  newTaskField: TextFieldElement;
  /** Drawn cards by id (placeholders by "@index"). */
  drawn: Map<string, HTMLElement>;
  /** Where a card dragged within the column would land. */
  dropLine: HTMLElement;
}

type HostMessage = z.infer<typeof toWebview>;
const post = (m: FromWebview) => postToHost(m);

class TaskBoard {
  private state: BoardViewState;
  private projects: { id: string; name: string }[] = [];
  private sprints: { id: string; name: string; projectId: string }[] = [];
  private me = '';
  private facets = { assignees: [] as string[], tags: [] as string[] };
  /** Each column's cards, by its key (lane and status). */
  private readonly caches = new Map<string, ColumnCache>();
  /** Every column of every lane, lane by lane. */
  private columns: ColumnView[] = [];
  private lanes: Lane[] = [NO_LANES];
  /** More lanes have cards than are shown. */
  private lanesCut = false;
  private seq = 0;
  /** The newest query that replaces every column (a filter change, the store changed); older answers are dropped. */
  private resetSeq = -1;
  private readonly resetPending = new Set<number>();
  private readonly inflight = new Set<string>();
  private held: Held | null = null;
  /** The held card's column as it was when picked up (↑/↓ move the card in it; Escape or ←/→ put it back). */
  private heldSnapshot: ColumnSnapshot | null = null;
  private dragId: string | null = null;
  private refreshDeferred = false;
  private readonly pendingMoves = new Map<string, { title: string; restore: () => void; cell: string; taskId: string }>();
  private moveCounter = 0;
  /** Scroll positions to put back once the columns have their heights (after a reload of the page). */
  private scrollToRestore: Record<string, number> | null;
  private lastPainted = '';
  private renderQueued = false;
  private started = false;
  private readonly now = () => Date.now();
  /** The card each element was drawn from: a fresh read redraws only the cards whose content changed. */
  private readonly drawnCard = new WeakMap<HTMLElement, BoardCard>();
  /** Same content (a dependency finished changes a card without changing its version). */
  private readonly sameCard = (a: BoardCard | undefined, b: BoardCard) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

  private readonly root = h('div', { className: 'board' });
  private readonly toolbar = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Board filters' });
  private readonly banner = h('div', { className: 'banner', role: 'alert', hidden: true });
  private readonly columnsEl = h('div', { className: 'columns' });
  private readonly live = h('div', { className: 'sr-only', 'aria-live': 'assertive', 'aria-atomic': 'true', id: 'board-live' });
  private readonly selects: Record<'project' | 'sprint' | 'assignee' | 'tag' | 'priority', SelectElement>;
  private readonly laneSelect = h('vscode-single-select', { 'aria-label': 'Swimlanes', 'data-filter': 'lanes', className: 'filter' }) as SelectElement;
  private readonly textField: TextFieldElement;
  private readonly columnToggles = new Map<TaskStatus, CheckboxElement>();
  /** Set while typed text waits to become the filter. */
  private textTimer: number | undefined;

  constructor() {
    const saved = savedState(boardViewState);
    this.state = saved ?? structuredClone(DEFAULT_VIEW_STATE);
    this.scrollToRestore = saved ? { ...saved.scroll } : null;
    const select = (label: string, key: string) => h('vscode-single-select', { 'aria-label': label, 'data-filter': key, className: 'filter' }) as SelectElement;
    this.selects = {
      project: select('Project', 'project'),
      sprint: select('Sprint', 'sprint'),
      assignee: select('Assignee', 'assignee'),
      tag: select('Tag', 'tag'),
      priority: select('Priority', 'priority'),
    };
    this.textField = h('vscode-textfield', { placeholder: 'Filter by text or id', 'aria-label': 'Filter by text', 'data-filter': 'text', className: 'filter text' }) as TextFieldElement;
    this.lanes = this.laneMode() === 'none' ? [NO_LANES] : [];
    this.buildToolbar();
    this.root.append(this.toolbar, this.banner, this.columnsEl, this.live);
    document.body.append(this.root);
    this.buildColumns();
    onHostMessage(toWebview, 'task board', (m) => this.receive(m));
    window.addEventListener('resize', () => this.queueRender());
    post({ type: 'ready' });
  }

  // ---- messages from the host --------------------------------------------------------------------------------------

  private receive(m: HostMessage): void {
    switch (m.type) {
      case 'init':
        this.projects = m.projects;
        this.sprints = m.sprints;
        this.me = m.me;
        if (m.filter) this.setFilter(m.filter, false);
        this.fillToolbar();
        if (!this.started || m.filter) {
          this.started = true;
          this.reload();
        }
        return;
      case 'setFilter':
        this.setFilter(m.filter, true);
        return;
      case 'columns':
        this.applyColumns(m);
        return;
      case 'changed':
        if (this.held || this.pendingMoves.size) this.refreshDeferred = true;
        else this.reload();
        return;
      case 'moveResult':
        this.moveResult(m);
        return;
      case 'created':
        if (m.ok) this.say('Task created.');
        else this.showBanner(m.message ?? 'The task was not created.');
        return;
      case 'error':
        this.showBanner(m.message);
        return;
    }
  }

  private setFilter(filter: BoardFilter, reload: boolean): void {
    this.state.filter = filter;
    this.state.scroll = {};
    for (const c of this.columns) c.scroller.scrollTop = 0;
    this.saveState();
    this.fillToolbar();
    if (reload) this.reload();
  }

  private laneMode(): LaneMode {
    return this.state.lanes ?? 'none';
  }

  private cache(lane: string, status: TaskStatus): ColumnCache {
    const key = `${lane}|${status}`;
    let c = this.caches.get(key);
    if (!c) this.caches.set(key, (c = new ColumnCache()));
    return c;
  }

  private cacheOf(col: ColumnView): ColumnCache {
    return this.cache(col.lane, col.status);
  }

  /** Where a card is: its column (of its lane), that column's cards, its position. */
  private cellOf(id: string): { col: ColumnView; cache: ColumnCache; index: number } | undefined {
    for (const col of this.columns) {
      const cache = this.cacheOf(col);
      const index = cache.indexOf(id);
      if (index >= 0) return { col, cache, index };
    }
    return undefined;
  }

  /** A column's scroll position in the page's state (by status alone without lanes, as before there were lanes). */
  private scrollKey(col: ColumnView): string {
    return col.lane ? col.key : col.status;
  }

  /**
   * Asks again for every shown column, from the rows in view (the store changed, or the filter did). With lanes,
   * first which lanes have cards; each lane's columns are asked for when the answer comes.
   */
  private reload(): void {
    this.seq += 1;
    this.resetSeq = this.seq;
    // An earlier reset still unanswered is superseded: its answer is dropped, and must not hold back what is painted.
    this.resetPending.clear();
    this.inflight.clear();
    if (!this.state.shown.length) {
      this.render();
      return;
    }
    const mode = this.laneMode();
    if (mode !== 'none') {
      this.resetPending.add(this.seq);
      post({ type: 'query', seq: this.seq, filter: this.state.filter, columns: this.state.shown.map((status) => ({ status, offset: 0, limit: 0 })), facets: true, lanes: mode });
      return;
    }
    this.queryLane('', true, this.seq);
  }

  /** Asks for the rows in view of a lane's columns, as part of a reset. */
  private queryLane(lane: string, facets: boolean, seq = ++this.seq): void {
    const cols = this.columns.filter((c) => c.lane === lane);
    if (!cols.length) return;
    this.resetPending.add(seq);
    const columns = cols.map((c) => {
      const scrollTop = this.scrollToRestore?.[this.scrollKey(c)] ?? c.scroller.scrollTop;
      const height = c.scroller.clientHeight || 600;
      const pages = pagesOf({ start: Math.floor(scrollTop / ROW_HEIGHT), end: Math.ceil((scrollTop + height) / ROW_HEIGHT) + 1 }, PAGE_SIZE);
      const first = pages[0] ?? 0;
      const last = pages[pages.length - 1] ?? 0;
      for (let p = first; p <= last; p++) this.inflight.add(`${c.key}:${p}`);
      return { status: c.status, offset: first * PAGE_SIZE, limit: Math.min(MAX_PAGE, (last - first + 1) * PAGE_SIZE) };
    });
    post({ type: 'query', seq, filter: laneFilter(this.state.filter, lane), columns, facets, ...(lane ? { lane } : {}) });
  }

  private applyColumns(m: Extract<HostMessage, { type: 'columns' }>): void {
    if (m.seq < this.resetSeq) return; // asked before the filter or the store changed
    const isReset = this.resetPending.delete(m.seq);
    if (m.facets) {
      this.facets = m.facets;
      this.fillToolbar();
    }
    if (m.lanes) {
      // Which lanes have cards: draw them, then ask for each one's columns.
      const f = this.state.filter;
      const found = orderLanes(this.laneMode(), m.lanes.slice(0, MAX_LANES_SHOWN), this.sprints, (id) => this.projects.find((p) => p.id === id)?.name ?? '', !f.projectId);
      this.lanesCut = m.lanes.length > MAX_LANES_SHOWN;
      this.setLanes(found);
      for (const lane of this.lanes) this.queryLane(lane.key, false);
      this.render();
      return;
    }
    const lane = m.lane ?? '';
    if (!this.lanes.some((l) => l.key === lane)) return; // a lane no longer shown
    for (const col of m.columns) {
      const cache = this.cache(lane, col.status);
      if (isReset) cache.reset(col.total);
      cache.applyPage(col.offset, col.cards, col.total);
      for (let p = Math.floor(col.offset / PAGE_SIZE); p * PAGE_SIZE < col.offset + Math.max(col.cards.length, 1); p++) this.inflight.delete(`${lane}|${col.status}:${p}`);
    }
    if (this.scrollToRestore) {
      // The spacers need their heights before the scroll positions can be put back.
      this.render(false);
      for (const c of this.columns) {
        if (c.lane !== lane) continue;
        c.scroller.scrollTop = this.scrollToRestore[this.scrollKey(c)] ?? 0;
        delete this.scrollToRestore[this.scrollKey(c)];
      }
      if (!this.columns.some((c) => c.lane !== lane && this.scrollToRestore![this.scrollKey(c)] !== undefined)) this.scrollToRestore = null;
    }
    this.render();
    this.restoreFocus();
  }

  /** The lanes to draw (with lanes on): the columns are built again only when the lanes themselves changed. */
  private setLanes(lanes: Lane[]): void {
    const same = lanes.length === this.lanes.length && lanes.every((l, i) => l.key === this.lanes[i]!.key && l.label === this.lanes[i]!.label);
    this.lanes = lanes;
    if (!same) this.buildColumns();
    else for (const l of lanes) this.columnsEl.querySelector(`.lane[data-lane="${CSS.escape(l.key)}"] .lane-total`)?.replaceChildren(String(l.total));
  }

  private moveResult(m: { moveId: string; ok: boolean; version?: number; message?: string }): void {
    const pending = this.pendingMoves.get(m.moveId);
    this.pendingMoves.delete(m.moveId);
    if (!pending) return;
    if (m.ok) {
      const cache = this.caches.get(pending.cell) ?? new ColumnCache();
      const at = cache.indexOf(pending.taskId);
      const card = cache.get(at);
      if (card && m.version !== undefined) card.version = m.version;
    } else {
      pending.restore();
      this.render();
      this.restoreFocus();
      const message = m.message ?? 'The store refused the move.';
      this.showBanner(`"${pending.title}" was put back. ${message}`);
      this.say(`"${pending.title}" could not be moved and was put back. ${message}`);
      this.refreshDeferred = true;
    }
    this.reloadIfDeferred();
  }

  // ---- toolbar -------------------------------------------------------------------------------------------------------

  private buildToolbar(): void {
    const labelled = (text: string, control: HTMLElement) => h('label', { className: 'field' }, h('span', { className: 'field-label' }, text), control);
    const filters = h(
      'div',
      { className: 'filters' },
      labelled('Project', this.selects.project),
      labelled('Sprint', this.selects.sprint),
      labelled('Assignee', this.selects.assignee),
      labelled('Tag', this.selects.tag),
      labelled('Priority', this.selects.priority),
      labelled('Text', this.textField),
      labelled('Swimlanes', this.laneSelect),
    );
    const toggles = h('div', { className: 'column-toggles', role: 'group', 'aria-label': 'Columns shown' }, h('span', { className: 'field-label' }, 'Columns'));
    for (const s of BOARD_STATUSES) {
      const box = h('vscode-checkbox', { label: STATUS_LABELS[s], 'data-status': s }) as CheckboxElement;
      box.checked = this.state.shown.includes(s);
      box.addEventListener('change', () => {
        const shown = BOARD_STATUSES.filter((x) => (x === s ? box.checked : this.state.shown.includes(x)));
        this.state.shown = shown;
        this.saveState();
        this.buildColumns();
        this.reload();
      });
      this.columnToggles.set(s, box);
      toggles.append(box);
    }
    this.toolbar.append(filters, toggles);

    for (const [key, el] of Object.entries(this.selects)) {
      el.addEventListener('change', () => this.filterChanged(key as keyof typeof this.selects, el.value));
    }
    this.laneSelect.addEventListener('change', () => {
      const mode = (['none', 'sprint', 'assignee'] as const).find((m) => m === this.laneSelect.value) ?? 'none';
      if (mode === this.laneMode()) return;
      this.state.lanes = mode;
      this.state.scroll = {};
      this.saveState();
      this.lanes = mode === 'none' ? [NO_LANES] : [];
      this.buildColumns();
      this.reload();
      this.say(mode === 'none' ? 'Swimlanes off.' : `Swimlanes by ${mode}.`);
    });
    this.textField.addEventListener('input', () => {
      clearTimeout(this.textTimer);
      this.textTimer = window.setTimeout(() => {
        this.textTimer = undefined;
        if (this.textField.value === this.state.filter.text) return;
        this.setFilter({ ...this.state.filter, text: this.textField.value.slice(0, 200) }, true);
      }, 200);
    });
  }

  private filterChanged(key: keyof typeof this.selects, value: string): void {
    const f = { ...this.state.filter };
    if (key === 'project') {
      f.projectId = value || null;
      if (f.sprint.kind === 'id' && f.projectId && !this.sprints.some((s) => s.id === (f.sprint as { id: string }).id && s.projectId === f.projectId)) f.sprint = { kind: 'any' };
    } else if (key === 'sprint') f.sprint = value === '' ? { kind: 'any' } : value === '@none' ? { kind: 'none' } : { kind: 'id', id: value };
    else if (key === 'assignee') f.assignee = value === '' ? { kind: 'any' } : value === '@mine' ? { kind: 'mine' } : value === '@unassigned' ? { kind: 'unassigned' } : { kind: 'name', name: value.replace(/^=/, '') };
    else if (key === 'tag') f.tag = value || null;
    else if (key === 'priority') f.priority = (BOARD_PRIORITIES as readonly string[]).includes(value) ? (value as BoardFilter['priority']) : null;
    if (JSON.stringify(f) === JSON.stringify(this.state.filter)) return;
    this.setFilter(f, true);
  }

  /** The filter lists, with the current filter selected. */
  private fillToolbar(): void {
    const f = this.state.filter;
    const fill = (el: SelectElement, options: Option[], value: string) => fillSelect(el, options, value, value.replace(/^[=@]/, ''));
    fill(this.selects.project, [{ label: 'All projects', value: '' }, ...this.projects.map((p) => ({ label: p.name, value: p.id }))], f.projectId ?? '');
    const sprints = this.sprints.filter((s) => !f.projectId || s.projectId === f.projectId);
    const projectName = (id: string) => this.projects.find((p) => p.id === id)?.name ?? '';
    fill(
      this.selects.sprint,
      [{ label: 'Any sprint', value: '' }, { label: 'No sprint', value: '@none' }, ...sprints.map((s) => ({ label: f.projectId ? s.name : `${s.name} (${projectName(s.projectId)})`, value: s.id }))],
      f.sprint.kind === 'any' ? '' : f.sprint.kind === 'none' ? '@none' : f.sprint.id,
    );
    fill(
      this.selects.assignee,
      [
        { label: 'Anyone', value: '' },
        { label: `Mine (${this.me || 'me'})`, value: '@mine' },
        { label: 'Unassigned', value: '@unassigned' },
        ...this.facets.assignees.map((a) => ({ label: a, value: `=${a}` })),
      ],
      f.assignee.kind === 'any' ? '' : f.assignee.kind === 'mine' ? '@mine' : f.assignee.kind === 'unassigned' ? '@unassigned' : `=${f.assignee.name}`,
    );
    fill(this.selects.tag, [{ label: 'Any tag', value: '' }, ...this.facets.tags.map((t) => ({ label: `#${t}`, value: t }))], f.tag ?? '');
    fill(this.selects.priority, [{ label: 'Any priority', value: '' }, ...BOARD_PRIORITIES.map((p) => ({ label: p[0].toUpperCase() + p.slice(1), value: p }))], f.priority ?? '');
    // Not while the user is typing: an answer arriving between two keystrokes must not wipe what was typed.
    if (this.textField.value !== f.text && this.textTimer === undefined) this.textField.value = f.text;
    for (const [s, box] of this.columnToggles) box.checked = this.state.shown.includes(s);
    fill(this.laneSelect, [{ label: 'None', value: 'none' }, { label: 'By sprint', value: 'sprint' }, { label: 'By assignee', value: 'assignee' }], this.laneMode());
  }

  // ---- columns -------------------------------------------------------------------------------------------------------

  /** Builds the columns of every lane (one lane, key "", without lanes); a column's cards stay while its key does. */
  private buildColumns(): void {
    const laned = this.laneMode() !== 'none';
    if (!laned) this.lanes = [NO_LANES];
    this.columns = this.lanes.flatMap((lane) => this.state.shown.map((status) => this.buildColumn(status, lane)));
    const keys = new Set(this.columns.map((c) => c.key));
    for (const key of [...this.caches.keys()]) if (!keys.has(key)) this.caches.delete(key);
    this.columnsEl.classList.toggle('laned', laned);
    this.columnsEl.style.setProperty('--column-count', String(Math.max(1, this.state.shown.length)));
    if (!laned) setChildren(this.columnsEl, ...this.columns.map((c) => c.section));
    else {
      setChildren(
        this.columnsEl,
        ...this.lanes.map((lane) =>
          h(
            'section',
            { className: 'lane', 'data-lane': lane.key, 'aria-label': `Swimlane ${lane.label}` },
            h('header', { className: 'lane-header' }, h('h2', {}, lane.label), h('vscode-badge', { variant: 'counter', className: 'lane-total' }, String(lane.total))),
            h('div', { className: 'lane-cells' }, ...this.columns.filter((c) => c.lane === lane.key).map((c) => c.section)),
          ),
        ),
      );
      if (!this.lanes.length && this.state.shown.length) this.columnsEl.append(h('p', { className: 'empty' }, 'No task matches the filters.'));
      if (this.lanesCut) this.columnsEl.append(h('p', { className: 'empty' }, `Only the first ${MAX_LANES_SHOWN} lanes are shown: filter to see the others.`));
    }
    if (!this.state.shown.length) this.columnsEl.append(h('p', { className: 'empty' }, 'No columns shown: tick one under Columns.'));
    // New column elements start at the top: put back the scroll positions the page's state keeps.
    if (laned) this.scrollToRestore = { ...this.state.scroll };
  }

  private buildColumn(status: TaskStatus, lane: Lane): ColumnView {
    const count = h('vscode-badge', { variant: 'counter', className: 'count' }, '0');
    const addButton = h('vscode-button', { secondary: true, 'aria-label': `New task in ${STATUS_LABELS[status]}`, title: `New task in ${STATUS_LABELS[status]}`, className: 'add', 'data-action': 'new-task' }, '+');
    const newTaskField = h('vscode-textfield', { placeholder: 'Title, then Enter', 'aria-label': `Title of the new task in ${STATUS_LABELS[status]}` }) as TextFieldElement;
    const newTask = h('div', { className: 'new-task', hidden: true }, newTaskField);
    const dropLine = h('div', { className: 'drop-line', hidden: true, 'aria-hidden': 'true' });
    const spacer = h('div', { className: 'spacer' }, dropLine);
    const where = lane.key ? `${lane.label}, ${STATUS_LABELS[status]}` : STATUS_LABELS[status];
    const scroller = h('div', { className: 'scroller', role: 'list', 'aria-label': `${where} tasks` }, spacer);
    const section = h(
      'section',
      { className: 'column', 'data-status': status, 'data-lane': lane.key, 'aria-label': where },
      h('header', { className: 'column-header' }, h('h2', {}, STATUS_LABELS[status]), count, addButton),
      newTask,
      scroller,
    );
    const view: ColumnView = { status, lane: lane.key, key: `${lane.key}|${status}`, section, scroller, spacer, count, newTask, newTaskField, drawn: new Map(), dropLine };

    addButton.addEventListener('click', () => {
      newTask.hidden = !newTask.hidden;
      if (!newTask.hidden) requestAnimationFrame(() => newTaskField.focus());
    });
    newTaskField.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        newTask.hidden = true;
        addButton.focus();
      } else if (e.key === 'Enter') {
        const title = newTaskField.value.trim();
        if (!title) return;
        const f = this.state.filter;
        // In a lane, the new task gets the lane's sprint or assignee too.
        post({ type: 'create', requestId: `c${++this.moveCounter}`, status, title: title.slice(0, 500), projectId: f.projectId, ...laneFields(lane.key, f) });
        newTaskField.value = '';
      }
    });
    scroller.addEventListener('scroll', () => {
      this.state.scroll[this.scrollKey(view)] = scroller.scrollTop;
      this.queueRender(true);
    });
    // Mouse: drop a dragged card on any part of another column (in another lane, it takes that lane's sprint or
    // assignee), or between two cards of its own column (a line shows where).
    section.addEventListener('dragover', (e: DragEvent) => {
      if (!this.dragId) return;
      const from = this.cellOf(this.dragId);
      if (!from) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      if (from.col === view) {
        const slot = this.slotAt(view, e.clientY);
        dropLine.hidden = false;
        dropLine.style.transform = `translateY(${slot * ROW_HEIGHT - 5}px)`;
      } else section.classList.add('drop-target');
    });
    section.addEventListener('dragleave', (e: DragEvent) => {
      if (!section.contains(e.relatedTarget as Node | null)) {
        section.classList.remove('drop-target');
        dropLine.hidden = true;
      }
    });
    section.addEventListener('drop', (e: DragEvent) => {
      e.preventDefault();
      section.classList.remove('drop-target');
      dropLine.hidden = true;
      const id = this.dragId ?? e.dataTransfer?.getData(DRAG_TYPE);
      this.dragId = null;
      const cell = id ? this.cellOf(id) : undefined;
      const card = cell?.cache.get(cell.index);
      if (!cell || !card) return;
      if (cell.col !== view) {
        this.moveCard(card, status, lane.key);
        return;
      }
      // Within the column: the slot is a gap between cards (0: above the first), counted with the card still in it.
      const cache = this.cacheOf(view);
      const from = cell.index;
      const slot = this.slotAt(view, e.clientY);
      const to = slot > from ? slot - 1 : slot;
      if (to !== from) {
        const snapshot = cache.snapshot();
        if (cache.moveTo(card.id, to)) this.reorderCard(card, snapshot);
        else this.showBanner('Scroll so that the place to drop it is loaded, then drop it again.');
      }
    });
    scroller.addEventListener('keydown', (e: KeyboardEvent) => this.onCardKey(e, view));
    scroller.addEventListener('dblclick', (e: MouseEvent) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('.card[data-id]')?.dataset.id;
      if (id) post({ type: 'open', taskId: id });
    });
    scroller.addEventListener('focusin', (e: FocusEvent) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('.card[data-id]')?.dataset.id;
      if (id && id !== this.state.selected) {
        this.state.selected = id;
        this.saveState();
        this.markSelected();
      }
    });
    scroller.addEventListener('dragstart', (e: DragEvent) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.card[data-id]');
      if (!el || !e.dataTransfer) return;
      this.dragId = el.dataset.id!;
      e.dataTransfer.setData(DRAG_TYPE, this.dragId);
      e.dataTransfer.effectAllowed = 'move';
      el.classList.add('dragging');
    });
    scroller.addEventListener('dragend', (e: DragEvent) => {
      (e.target as HTMLElement).closest('.card')?.classList.remove('dragging');
      this.dragId = null;
      for (const c of this.columns) {
        c.section.classList.remove('drop-target');
        c.dropLine.hidden = true;
      }
    });
    return view;
  }

  private queueRender(saveScroll = false): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
      if (saveScroll) this.saveState();
    });
  }

  /** Draws the rows in view of every column; asks for the pages they need that are not loaded. */
  private render(load = true): void {
    const missing: { col: ColumnView; pages: number[] }[] = [];
    const now = this.now();
    // A lane's columns are as tall as its fullest one needs, up to four cards (they scroll past that).
    if (this.laneMode() !== 'none') {
      for (const el of this.columnsEl.querySelectorAll<HTMLElement>('.lane')) {
        const most = Math.max(0, ...this.columns.filter((c) => c.lane === el.dataset.lane).map((c) => this.cacheOf(c).total));
        el.style.setProperty('--lane-rows', String(Math.max(1, Math.min(4, most))));
      }
    }
    for (const col of this.columns) {
      const cache = this.cacheOf(col);
      const lane = col.lane ? `${this.lanes.find((l) => l.key === col.lane)?.label ?? ''}, ` : '';
      col.count.textContent = String(cache.total);
      col.section.setAttribute('aria-label', `${lane}${STATUS_LABELS[col.status]}, ${cache.total} ${cache.total === 1 ? 'task' : 'tasks'}`);
      col.spacer.style.height = `${cache.total * ROW_HEIGHT}px`;
      const range = visibleRange(col.scroller.scrollTop, col.scroller.clientHeight, ROW_HEIGHT, cache.total);
      const keep = new Set<string>();
      const need: number[] = [];
      for (let i = range.start; i < range.end; i++) {
        const card = cache.get(i);
        const key = card ? card.id : `@${i}`;
        keep.add(key);
        let el = col.drawn.get(key);
        if (card && el && this.drawnCard.get(el) !== card && !this.sameCard(this.drawnCard.get(el), card)) {
          const hadFocus = el === document.activeElement;
          el.remove();
          el = this.cardElement(card, now);
          col.spacer.append(el);
          col.drawn.set(key, el);
          if (hadFocus) el.focus({ preventScroll: true });
        } else if (!el) {
          el = card ? this.cardElement(card, now) : h('div', { className: 'card placeholder', 'aria-hidden': 'true' }, 'Loading…');
          col.spacer.append(el);
          col.drawn.set(key, el);
        }
        if (card) this.drawnCard.set(el, card);
        el.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
        el.setAttribute('aria-posinset', String(i + 1));
        el.setAttribute('aria-setsize', String(cache.total));
        if (!card) need.push(i);
      }
      for (const [key, el] of col.drawn) {
        if (!keep.has(key)) {
          el.remove();
          col.drawn.delete(key);
        }
      }
      if (need.length) missing.push({ col, pages: pagesOf({ start: need[0], end: need[need.length - 1] + 1 }, PAGE_SIZE).filter((p) => !this.inflight.has(`${col.key}:${p}`)) });
    }
    this.markSelected();
    if (this.held) this.markHeld();
    if (load) this.loadPages(missing);
    this.reportPainted();
  }

  private loadPages(missing: { col: ColumnView; pages: number[] }[]): void {
    // One query per lane (its filter narrowed to it).
    for (const lane of new Set(missing.map((m) => m.col.lane))) {
      const columns = missing
        .filter((m) => m.col.lane === lane)
        .flatMap((m) => {
          const reqs = pageRequests(m.pages, PAGE_SIZE, MAX_PAGE);
          // One range per column per query (the message names each column once); the rest follow on the next render.
          const first = reqs[0];
          if (!first) return [];
          for (let p = first.offset / PAGE_SIZE; p < (first.offset + first.limit) / PAGE_SIZE; p++) this.inflight.add(`${m.col.key}:${p}`);
          return [{ status: m.col.status, offset: first.offset, limit: first.limit }];
        });
      if (!columns.length) continue;
      this.seq += 1;
      post({ type: 'query', seq: this.seq, filter: laneFilter(this.state.filter, lane), columns, facets: false, ...(lane ? { lane } : {}) });
    }
  }

  private reportPainted(): void {
    const ids: string[] = [];
    for (const col of this.columns) for (const key of col.drawn.keys()) if (!key.startsWith('@')) ids.push(key);
    const totals: Partial<Record<TaskStatus, number>> = {};
    for (const c of this.columns) totals[c.status] = (totals[c.status] ?? 0) + this.cacheOf(c).total;
    for (const s of this.state.shown) totals[s] ??= 0;
    const signature = `${ids.join(',')}|${JSON.stringify(totals)}`;
    if (signature === this.lastPainted || this.resetPending.size) return;
    this.lastPainted = signature;
    post({ type: 'painted', cardIds: ids.slice(0, 2000), totals });
  }

  private cardElement(card: BoardCard, now: number): HTMLElement {
    const meta = h('div', { className: 'meta' });
    meta.append(h('span', { className: `priority priority-${card.priority}`, title: `Priority: ${card.priority}` }, card.priority));
    if (card.assignee) meta.append(h('span', { className: 'assignee', title: `Assigned to ${card.assignee}` }, icon('person'), card.assignee));
    if (card.estimatedMinutes !== null) meta.append(h('span', { className: 'estimate', title: 'Estimate' }, icon('watch'), formatMinutes(card.estimatedMinutes)));
    if (card.criteriaTotal > 0) {
      meta.append(
        h(
          'span',
          { className: `criteria${card.criteriaDone === card.criteriaTotal ? ' complete' : ''}`, title: `Acceptance criteria: ${card.criteriaDone} of ${card.criteriaTotal} done` },
          icon('checklist'),
          `${card.criteriaDone}/${card.criteriaTotal}`,
        ),
      );
    }
    if (card.waitingOn > 0) {
      meta.append(h('span', { className: 'waiting', title: `Waits on ${card.waitingOn} of ${card.dependsOn} dependencies not done` }, icon('lock'), `waits on ${card.waitingOn}`));
    }
    if (isStale(card, now)) meta.append(h('span', { className: 'stale', title: `Untouched for ${ageDays(card.updatedAt, now)} days` }, icon('history'), `${ageDays(card.updatedAt, now)}d`));
    const tags = h('div', { className: 'tags' }, ...card.tags.slice(0, 6).map((t) => h('span', { className: 'tag' }, `#${t}`)));
    return h(
      'div',
      {
        className: `card${card.waitingOn > 0 ? ' is-waiting' : ''}${isStale(card, now) ? ' is-stale' : ''}`,
        role: 'listitem',
        tabindex: 0,
        draggable: 'true',
        'data-id': card.id,
        'data-version': card.version,
        // The card's context menu (package.json webview/context): Open Task, Reveal Task.
        'data-vscode-context': JSON.stringify({ webviewSection: 'taskCard', taskId: card.id, preventDefaultContextMenuItems: true }),
        'aria-label': cardLabel(card, now),
      },
      h('div', { className: 'title', title: card.title }, card.lockedFields?.includes('title') ? icon('lock') : null, card.title),
      meta,
      tags,
    );
  }

  private markSelected(): void {
    for (const col of this.columns) for (const [key, el] of col.drawn) el.classList.toggle('selected', key === this.state.selected);
  }

  private markHeld(): void {
    for (const col of this.columns) {
      col.section.classList.toggle('drop-target', !!this.held && dropOf(this.held) === 'column' && col.lane === this.held.toLane && col.status === this.held.to);
      for (const [key, el] of col.drawn) el.classList.toggle('held', !!this.held && key === this.held.taskId);
    }
  }

  private restoreFocus(): void {
    const id = this.state.selected;
    if (!id || !document.activeElement || document.activeElement === document.body) return;
    const active = (document.activeElement as HTMLElement).closest?.('.card');
    if (active && (active as HTMLElement).dataset.id !== id) return;
    for (const col of this.columns) {
      const el = col.drawn.get(id);
      if (el && el !== document.activeElement) el.focus({ preventScroll: true });
    }
  }

  private findCard(id: string): BoardCard | undefined {
    const cell = this.cellOf(id);
    return cell?.cache.get(cell.index);
  }

  // ---- keyboard --------------------------------------------------------------------------------------------------------

  private onCardKey(e: KeyboardEvent, col: ColumnView): void {
    const el = (e.target as HTMLElement).closest<HTMLElement>('.card[data-id]');
    if (!el) return;
    const card = this.findCard(el.dataset.id!);
    if (!card) return;
    const shown = this.state.shown;
    const key = e.key === ' ' ? 'Space' : e.key;
    if (this.held) {
      const own = this.cache(this.held.fromLane, this.held.from);
      const putBack = () => {
        if (this.heldSnapshot && this.held && this.held.index !== this.held.fromIndex) {
          own.restore(this.heldSnapshot);
          this.render();
          this.focusCard(this.held.taskId);
        }
      };
      if (key === 'ArrowLeft' || key === 'ArrowRight' || (e.altKey && (key === 'ArrowUp' || key === 'ArrowDown'))) {
        putBack();
        const delta = key === 'ArrowLeft' || key === 'ArrowUp' ? -1 : 1;
        this.held = e.altKey ? stepLane(this.held, this.lanes, delta) : step(this.held, shown, delta);
        this.markHeld();
        this.say(announce.over(this.held));
      } else if (key === 'ArrowUp' || key === 'ArrowDown') {
        // Within its own column: the card moves at once, the store is asked when it is dropped.
        const next = stepWithin(this.held, key === 'ArrowUp' ? -1 : 1);
        if (next.index !== this.held.index && own.moveTo(this.held.taskId, next.index)) {
          this.held = next;
          const view = this.columns.find((c) => c.lane === next.fromLane && c.status === next.from);
          if (view) view.scroller.scrollTop = scrollToShow(next.index, view.scroller.scrollTop, view.scroller.clientHeight, ROW_HEIGHT);
          this.render();
          this.focusCard(next.taskId);
          this.say(announce.at(next));
        } else if (dropOf(this.held) === 'column') this.say(announce.over(this.held));
        else this.say(announce.at(this.held));
      } else if (key === 'Space' || key === 'Enter') {
        const held = this.held;
        const snapshot = this.heldSnapshot;
        this.held = null;
        this.heldSnapshot = null;
        this.markHeld();
        this.say(announce.dropped(held));
        const drop = dropOf(held);
        if (drop === 'column') this.moveCard(card, held.to, held.toLane);
        else if (drop === 'within' && snapshot) this.reorderCard(card, snapshot);
        else this.reloadIfDeferred();
      } else if (key === 'Escape') {
        putBack();
        const held = this.held;
        this.held = null;
        this.heldSnapshot = null;
        this.markHeld();
        this.say(announce.cancelled(held));
        this.reloadIfDeferred();
      } else if (key !== 'Tab') return;
      e.preventDefault();
      return;
    }
    const cache = this.cacheOf(col);
    const index = cache.indexOf(card.id);
    const laneCols = this.columns.filter((c) => c.lane === col.lane);
    if (key === 'Space') {
      const lane = this.lanes.find((l) => l.key === col.lane) ?? NO_LANES;
      this.held = pickUp(card, index, cache.total, lane);
      this.heldSnapshot = cache.snapshot();
      this.markHeld();
      this.say(announce.pickedUp(this.held, this.lanes.length > 1));
    } else if (key === 'ArrowDown' || key === 'ArrowUp') {
      const down = key === 'ArrowDown';
      // Past the end of a lane's column: the same column of the next (or previous) lane that has cards.
      const atEnd = down ? index >= cache.total - 1 : index <= 0;
      const other = atEnd ? this.neighbourLaneColumn(col, down ? 1 : -1) : undefined;
      if (other) this.focusRow(other, down ? 0 : this.cacheOf(other).total - 1);
      else this.focusRow(col, Math.max(0, Math.min(cache.total - 1, index + (down ? 1 : -1))));
    } else if (key === 'Home' || key === 'End') {
      this.focusRow(col, key === 'Home' ? 0 : cache.total - 1);
    } else if (key === 'ArrowLeft' || key === 'ArrowRight') {
      const next = laneCols[laneCols.indexOf(col) + (key === 'ArrowLeft' ? -1 : 1)];
      if (next && this.cacheOf(next).total > 0) {
        const rowInView = Math.floor((index * ROW_HEIGHT - col.scroller.scrollTop) / ROW_HEIGHT);
        const target = Math.floor(next.scroller.scrollTop / ROW_HEIGHT) + Math.max(0, rowInView);
        this.focusRow(next, Math.min(this.cacheOf(next).total - 1, target));
      }
    } else if (key === 'Enter') {
      post({ type: 'open', taskId: card.id });
    } else return;
    e.preventDefault();
  }

  /** Scrolls row `index` of a column into view and focuses its card (once its page is loaded). */
  private focusRow(col: ColumnView, index: number): void {
    if (index < 0) return;
    col.scroller.scrollTop = scrollToShow(index, col.scroller.scrollTop, col.scroller.clientHeight, ROW_HEIGHT);
    this.render();
    const card = this.cacheOf(col).get(index);
    if (!card) return;
    this.state.selected = card.id;
    this.saveState();
    col.drawn.get(card.id)?.focus({ preventScroll: true });
    this.markSelected();
  }

  /** The store changed while a card was held or a move unanswered: reload once neither is so. */
  private reloadIfDeferred(): void {
    if (this.refreshDeferred && !this.pendingMoves.size && !this.held) {
      this.refreshDeferred = false;
      this.reload();
    }
  }

  /** The same column in the next (+1) or previous (-1) lane that has cards in it. */
  private neighbourLaneColumn(col: ColumnView, delta: 1 | -1): ColumnView | undefined {
    const same = this.columns.filter((c) => c.status === col.status);
    for (let i = same.indexOf(col) + delta; i >= 0 && i < same.length; i += delta) if (this.cacheOf(same[i]!).total > 0) return same[i];
    return undefined;
  }

  private focusCard(id: string): void {
    for (const col of this.columns) {
      const el = col.drawn.get(id);
      if (el) el.focus({ preventScroll: true });
    }
  }

  /** The gap between cards under a point of a column (0: above the first card; total: below the last). */
  private slotAt(col: ColumnView, clientY: number): number {
    const top = col.spacer.getBoundingClientRect().top;
    return Math.max(0, Math.min(this.cacheOf(col).total, Math.round((clientY - top) / ROW_HEIGHT)));
  }

  // ---- moves -----------------------------------------------------------------------------------------------------------

  /**
   * A card already moved within its column (in the cache): asks the store to place it between its new neighbours,
   * with the version it showed; `snapshot` (the column before) puts it back if the store refuses.
   */
  private reorderCard(card: BoardCard, snapshot: ColumnSnapshot): void {
    const cell = this.cellOf(card.id);
    if (!cell) return;
    const cache = cell.cache;
    const place = cache.neighbours(card.id);
    if (!place) {
      cache.restore(snapshot);
      this.render();
      this.showBanner('Scroll so that the cards around the place to drop it are loaded, then move it again.');
      return;
    }
    const moveId = `m${++this.moveCounter}`;
    this.pendingMoves.set(moveId, { title: card.title, cell: cell.col.key, taskId: card.id, restore: () => cache.restore(snapshot) });
    this.state.selected = card.id;
    this.saveState();
    this.render();
    this.focusCard(card.id);
    post({ type: 'reorder', moveId, taskId: card.id, expectedVersion: card.version, after: place.after, before: place.before });
  }

  /** Moves the card at once (into another lane: with that lane's sprint or assignee); the host's answer keeps it there or puts it back. */
  private moveCard(card: BoardCard, to: TaskStatus, toLane: string): void {
    const fromLane = this.cellOf(card.id)?.col.lane ?? '';
    const from = this.cache(fromLane, card.status);
    const target = this.cache(toLane, to);
    const snapshots: [ColumnCache, ColumnSnapshot][] = [
      [from, from.snapshot()],
      [target, target.snapshot()],
    ];
    const change = toLane !== fromLane ? laneChange(toLane) : {};
    from.remove(card.id);
    const at = target.insert({ ...card, status: to, ...change });
    const moveId = `m${++this.moveCounter}`;
    this.pendingMoves.set(moveId, { title: card.title, cell: `${toLane}|${to}`, taskId: card.id, restore: () => snapshots.forEach(([c, s]) => c.restore(s)) });
    this.state.selected = card.id;
    this.saveState();
    const col = this.columns.find((c) => c.lane === toLane && c.status === to);
    if (col && at >= 0) col.scroller.scrollTop = scrollToShow(at, col.scroller.scrollTop, col.scroller.clientHeight, ROW_HEIGHT);
    this.render();
    if (col) col.drawn.get(card.id)?.focus({ preventScroll: true });
    post({ type: 'move', moveId, taskId: card.id, expectedVersion: card.version, status: to, ...change });
  }

  // ---- messages to the user ----------------------------------------------------------------------------------------------

  private say(text: string): void {
    speak(this.live, text);
  }

  private showBanner(message: string): void {
    showBanner(this.banner, message);
  }

  private saveState(): void {
    saveState(this.state);
  }
}

new TaskBoard();
