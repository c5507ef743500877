// The web view's page script (plain browser JavaScript, no framework): renders an execution (its diagram coloured by the
// run, its timeline, a span's data on click or Enter, a fan-out job's counts) or the session's list (executions, state
// machines), from the JSON embedded in the page (`sdp trace --html`) or read from the page's server (`sdp serve`).
(function () {
  'use strict';

  /** Status told by an icon and a word, never by colour alone. */
  const STATUS = {
    SUCCEEDED: ['✔', 'succeeded'], FAILED: ['✖', 'failed'], CAUGHT: ['⚠', 'caught'], ABORTED: ['■', 'aborted'],
    TIMED_OUT: ['⏱', 'timed out'], RUNNING: ['⟳', 'running'],
  };
  const OUTCOME = {
    'failed': ['✖', 'failed'], 'caught': ['⚠', 'failed, caught'], 'running': ['⟳', 'running'], 'retried': ['↻', 'retried, then succeeded'],
    'succeeded': ['✔', 'succeeded'], 'not-reached': ['○', 'not reached'],
  };
  /** How often a running execution, or the session's list, is read again. */
  const POLL_MS = 1000;

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
    return node;
  }

  function duration(ms) {
    if (ms === undefined) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60000) return `${Number((ms / 1000).toFixed(2))} s`;
    return `${Number((ms / 60000).toFixed(2))} min`;
  }

  function statusBadge(status) {
    const [icon, word] = STATUS[status] || ['?', status];
    return el('span', { class: `status status-${status.toLowerCase()}` }, el('span', { 'aria-hidden': 'true' }, `${icon} `), word);
  }

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }

  let chartCount = 0;
  async function renderChart(container, text) {
    container.replaceChildren();
    if (!window.mermaid) {
      container.append(el('p', {}, 'The diagram needs the mermaid package (npm install mermaid); its source:'), el('pre', {}, text));
      return;
    }
    try {
      const { svg } = await window.mermaid.render(`chart-${++chartCount}`, text);
      container.innerHTML = svg;
    } catch (error) {
      container.append(el('p', {}, `The diagram could not be drawn: ${error.message}`), el('pre', {}, text));
    }
  }

  // ---- one execution ----

  /** What the user chose, kept across the re-renders of a running execution. */
  const choices = { expanded: new Set(), selected: undefined, diagram: undefined };

  function renderExecution(root, view) {
    const rowsById = new Map(view.rows.map((row) => [row.id, row]));
    const visible = (row) => !row.collapsedUnder || (choices.expanded.has(row.collapsedUnder) && visible(rowsById.get(row.collapsedUnder)));
    const now = Date.now();
    const total = Math.max(1, view.durationMs ?? (view.status === 'RUNNING' ? now - view.start : 0),
      ...view.rows.map((row) => row.offsetMs + (row.durationMs ?? 0)));

    const header = el('header', { class: 'execution-header' },
      el('h1', {}, view.name, ' ', statusBadge(view.status)),
      el('p', { class: 'meta' },
        view.stateMachine ? `${view.stateMachine} · ` : '',
        `started ${new Date(view.start).toISOString().replace('T', ' ').replace('Z', ' UTC')} · `,
        `duration ${view.durationMs === undefined ? 'running' : duration(view.durationMs)}`),
      view.error !== undefined ? el('p', { class: 'execution-error', role: 'alert' }, `Error: ${view.error}`) : undefined);

    const details = el('section', { id: 'details', class: 'details', 'aria-live': 'polite', 'aria-label': 'Selected span' });
    const select = (row) => {
      choices.selected = row.id;
      for (const tr of root.querySelectorAll('tr.span-row')) tr.setAttribute('aria-selected', String(tr.dataset.id === row.id));
      renderDetails(details, row);
    };

    const tbody = el('tbody', {});
    for (const row of view.rows) {
      if (!visible(row)) continue;
      const isSummary = row.kind === 'Iterations';
      const left = (row.offsetMs / total) * 100;
      const width = ((row.durationMs ?? (view.status === 'RUNNING' ? now - view.start - row.offsetMs : 0)) / total) * 100;
      // Expanding or collapsing a summary row selects it too: the re-render shows its figures.
      const toggle = () => {
        choices.selected = row.id;
        if (choices.expanded.has(row.id)) choices.expanded.delete(row.id);
        else choices.expanded.add(row.id);
        renderExecution(root, view);
        root.querySelector(`tr[data-id="${CSS.escape(row.id)}"]`)?.focus();
      };
      const name = isSummary
        ? el('button', { 'type': 'button', 'class': 'expand', 'aria-expanded': String(choices.expanded.has(row.id)), 'onclick': (e) => { e.stopPropagation(); toggle(); } },
          el('span', { 'aria-hidden': 'true' }, choices.expanded.has(row.id) ? '▾ ' : '▸ '), row.name)
        : el('span', {}, row.name, el('span', { class: 'kind' }, ` ${row.kind}`));
      const tr = el('tr', {
        'class': `span-row${isSummary ? ' summary-row' : ''}`, 'tabindex': '0', 'data-id': row.id, 'data-status': row.status,
        'aria-selected': String(choices.selected === row.id),
        'onclick': () => select(row),
        'onkeydown': (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            // The expand button's own Enter and Space click it.
            if (e.target !== tr) return;
            e.preventDefault();
            if (isSummary && e.key === ' ') toggle();
            else select(row);
          } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling)?.focus();
          }
        },
      },
      el('td', { class: 'name', style: `padding-left:${0.4 + row.depth * 1.1}em` }, name),
      el('td', { class: 'status-cell' }, statusBadge(row.status), row.retries > 0 ? el('span', { class: 'retries' }, ` ↻ ${row.retries}`) : undefined),
      el('td', { class: 'bar-cell', 'aria-hidden': 'true' },
        el('div', { class: `bar bar-${row.status.toLowerCase()}`, style: `left:${left.toFixed(3)}%;width:${Math.max(width, 0.3).toFixed(3)}%` })),
      el('td', { class: 'duration' }, `+${duration(row.offsetMs)}`, el('br', {}), duration(row.durationMs)));
      tbody.append(tr);
    }
    const timeline = el('section', { class: 'timeline', 'aria-labelledby': 'timeline-title' },
      el('h2', { id: 'timeline-title' }, 'Timeline'),
      el('p', { class: 'hint' }, 'Click a span, or focus it and press Enter, to see its input, output, error and retries; ↑ ↓ move between rows. A ▸ row expands on a click or Space.'),
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Span'), el('th', { scope: 'col' }, 'Status'),
          el('th', { scope: 'col', class: 'bar-head' }, `0 – ${duration(total)}`), el('th', { scope: 'col' }, 'Start / duration'))),
        tbody));

    const diagramSection = view.diagram === undefined ? undefined : el('section', { class: 'diagram', 'aria-labelledby': 'diagram-title' },
      el('h2', { id: 'diagram-title' }, 'Diagram'),
      el('div', { class: 'chart', id: 'execution-chart' }),
      el('ul', { class: 'states', 'aria-label': 'States by outcome' }, view.states.map((state) => {
        const [icon, word] = OUTCOME[state.outcome];
        const extra = [state.entered > 1 ? `entered ${state.entered}×` : '', state.retries > 0 ? `${state.retries} retries` : ''].filter(Boolean).join(', ');
        return el('li', { 'class': `outcome outcome-${state.outcome}`, 'data-state': state.name },
          el('span', { 'aria-hidden': 'true' }, `${icon} `), el('strong', {}, state.name), ` ${word}${extra ? ` (${extra})` : ''}`);
      })));

    const jobs = renderJobs(view);
    const previousChart = root.querySelector('#execution-chart');
    root.replaceChildren(header, el('div', { class: 'layout' },
      el('div', { class: 'main-column' }, diagramSection, timeline, jobs), el('aside', { class: 'side-column' }, details)));
    const selected = view.rows.find((row) => row.id === choices.selected);
    if (selected) select(selected);
    else details.append(el('p', { class: 'hint' }, 'No span selected.'));
    const chart = root.querySelector('#execution-chart');
    if (chart) {
      // The chart is drawn again only when the run changed it; otherwise the drawn one is kept.
      if (previousChart && choices.diagram === view.diagram) chart.replaceWith(previousChart);
      else {
        choices.diagram = view.diagram;
        void renderChart(chart, view.diagram);
      }
    }
  }

  function renderDetails(details, row) {
    details.replaceChildren(el('h2', {}, row.name), el('p', {}, statusBadge(row.status), ` · ${row.kind}`));
    const facts = el('dl', {});
    const fact = (term, value) => facts.append(el('dt', {}, term), el('dd', {}, value));
    fact('Start', `+${duration(row.offsetMs)}`);
    fact('Duration', duration(row.durationMs));
    if (row.summary) {
      fact('Iterations', String(row.summary.count));
      fact('Durations', `min ${duration(row.summary.minMs)}, median ${duration(row.summary.medianMs)}, max ${duration(row.summary.maxMs)}`);
    }
    fact('Retries', row.retries > 0 ? `${row.retries}${row.retriedErrors ? ` (after ${row.retriedErrors.join(', ')})` : ''}` : 'none');
    if (row.error !== undefined) fact('Error', el('span', { class: 'error' }, row.error));
    details.append(facts);
    const block = (title, text) => details.append(el('h3', {}, title), el('pre', { class: 'data' }, pretty(text)));
    if (row.cause !== undefined) block('Cause', row.cause);
    if (row.input !== undefined) block('Input', row.input);
    if (row.output !== undefined) block('Output', row.output);
  }

  function renderJobs(view) {
    if (!view.jobs?.length && !view.queues?.length) return undefined;
    const section = el('section', { 'class': 'jobs', 'aria-labelledby': 'jobs-title' }, el('h2', { id: 'jobs-title' }, 'Fan-out'));
    for (const job of view.jobs ?? []) {
      section.append(el('h3', {}, `Job ${job.jobId} `, job.reconciled ? el('span', { class: 'status status-succeeded' }, '✔ reconciled') : el('span', { class: 'status status-failed' }, '✖ not reconciled')),
        el('table', { class: 'counts' },
          el('thead', {}, el('tr', {}, ['items', 'stored', 'failed', 'dead-lettered'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, el('tr', { 'data-job': job.jobId }, [job.items, job.stored, job.failed, job.deadLettered].map((n) => el('td', {}, String(n)))))));
      if (job.failedItems.length > 0) {
        section.append(el('h4', {}, 'Failed items'), el('ul', { class: 'failed-items' },
          job.failedItems.map((item) => el('li', {}, `chunk ${item.chunkIndex} item ${item.index}: `, el('span', { class: 'error' }, item.error)))));
      }
    }
    if (view.queues?.length) section.append(renderQueues(view.queues));
    return section;
  }

  function renderQueues(queues) {
    return el('div', {}, el('h3', {}, 'Queues (since serve started)'), el('table', { class: 'counts queues' },
      el('thead', {}, el('tr', {}, ['queue', 'processed', 'failed deliveries', 'dead-lettered'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, queues.map((q) => el('tr', { 'data-queue': q.path },
        el('td', {}, q.path), [q.processed, q.failed, q.deadLettered].map((n) => el('td', {}, String(n))))))));
  }

  // ---- the session: executions and state machines ----

  const drawnMachines = new Set();
  function renderSession(root, session) {
    let executions = root.querySelector('#executions');
    if (!executions) {
      executions = el('section', { 'id': 'executions', 'aria-labelledby': 'executions-title' });
      root.replaceChildren(el('header', {}, el('h1', {}, `${session.stack}: the local run`)), executions,
        el('section', { 'id': 'machines', 'aria-labelledby': 'machines-title' }, el('h2', { id: 'machines-title' }, 'State machines')));
    }
    executions.replaceChildren(el('h2', { id: 'executions-title' }, `Executions (${session.executions.length}), newest first`),
      session.executions.length === 0 ? el('p', {}, 'None yet: start one through the API, or wait for a schedule.')
        : el('table', {},
          el('thead', {}, el('tr', {}, ['Execution', 'State machine', 'Status', 'Started', 'Duration', 'Job'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, session.executions.map((e) => el('tr', { 'data-execution': e.name },
            el('td', {}, el('a', { href: e.path }, e.name)),
            el('td', {}, e.stateMachine), el('td', {}, statusBadge(e.status)),
            el('td', {}, new Date(e.start).toISOString().slice(11, 19)), el('td', {}, duration(e.durationMs)),
            el('td', {}, e.jobs ? e.jobs.map((j) => `${j.items} items: ${j.stored} stored, ${j.failed} failed, ${j.deadLettered} dead-lettered`).join('; ') : ''))))));
    let queues = root.querySelector('#queues');
    if (!queues) {
      queues = el('section', { id: 'queues' });
      executions.after(queues);
    }
    queues.replaceChildren(...session.queues ? [renderQueues(session.queues)] : []);
    const machines = root.querySelector('#machines');
    for (const machine of session.stateMachines) {
      if (drawnMachines.has(machine.id)) continue;
      drawnMachines.add(machine.id);
      const chart = el('div', { class: 'chart' });
      machines.append(el('article', { class: 'machine' }, el('h3', {}, machine.id), chart));
      void renderChart(chart, machine.diagram);
    }
  }

  // ---- start ----

  async function start() {
    if (window.mermaid) window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' });
    const root = document.getElementById('app');
    const embedded = document.getElementById('view-data');
    if (embedded) {
      renderExecution(root, JSON.parse(embedded.textContent));
      return;
    }
    const source = root.dataset.source;
    const kind = root.dataset.page;
    let last;
    const poll = async () => {
      let keepPolling = true;
      try {
        const response = await fetch(source);
        if (!response.ok) {
          root.replaceChildren(el('p', { role: 'alert' }, `${response.status}: ${await response.text()}`));
          return;
        }
        const text = await response.text();
        const data = JSON.parse(text);
        if (text !== last) {
          last = text;
          if (kind === 'execution') renderExecution(root, data);
          else renderSession(root, data);
        }
        keepPolling = kind !== 'execution' || data.status === 'RUNNING';
      } catch (error) {
        root.dataset.error = String(error);
      }
      root.dataset.loaded = 'true';
      if (keepPolling) setTimeout(poll, POLL_MS);
    };
    await poll();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else void start();
}());
