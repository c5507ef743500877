/**
 * A structural check of the flowcharts `toMermaid` writes, as far as it can go without
 * Mermaid's own parser (which needs a DOM and is not a dependency): every line is one of
 * the statements it writes, quoted labels hold no raw quote and only well-formed entity
 * codes, subgraphs are closed, ids are defined once and every edge joins defined ids.
 * Returns the problems found, none for a valid chart.
 */
export function mermaidProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  if (!/^flowchart (TD|LR)$/.test(lines[0])) problems.push(`line 1 is not a flowchart header: ${lines[0]}`);
  const label = '"((?:[^"#]|#(?:[a-z]+|\\d+);)*)"';
  const shapes = [`\\(\\(${label}\\)\\)`, `\\(\\(\\(${label}\\)\\)\\)`, `\\[${label}\\]`, `\\{${label}\\}`, `\\[/${label}/\\]`, `\\{\\{${label}\\}\\}`, `\\(\\[${label}\\]\\)`, `>${label}\\]`];
  const node = new RegExp(`^(\\w+)(?:${shapes.join('|')})$`);
  const subgraph = new RegExp(`^subgraph (\\w+)\\[${label}\\]$`);
  const edge = new RegExp(`^(\\w+) (?:-->|-\\.->)(?:\\|${label}\\|)? (\\w+)$`);
  const defined = new Set<string>();
  const define = (id: string, at: number) => {
    if (defined.has(id)) problems.push(`line ${at}: id ${id} is defined twice`);
    if (/^(end|subgraph|graph|flowchart|style|class|classDef|click|linkStyle|direction|default)$/.test(id)) problems.push(`line ${at}: id ${id} is a keyword`);
    defined.add(id);
  };
  const edges: Array<[string, string, number]> = [];
  const classed: Array<[string, number]> = [];
  let depth = 0;
  lines.slice(1).forEach((raw, i) => {
    const at = i + 2;
    const line = raw.trim();
    let match: RegExpExecArray | null;
    if (line.startsWith('%% ')) return;
    if ((match = subgraph.exec(line))) {
      define(match[1], at);
      depth++;
    } else if (line === 'end') {
      if (--depth < 0) problems.push(`line ${at}: end without subgraph`);
    } else if ((match = node.exec(line))) {
      define(match[1], at);
    } else if ((match = edge.exec(line))) {
      edges.push([match[1], match.at(-1)!, at]);
    } else if (/^classDef \w+ [\w:#,-]+$/.test(line)) {
      return;
    } else if ((match = /^class ([\w,]+) \w+$/.exec(line))) {
      classed.push(...match[1].split(',').map((id): [string, number] => [id, at]));
    } else {
      problems.push(`line ${at}: not a statement of these charts: ${line}`);
    }
  });
  if (depth > 0) problems.push(`${depth} subgraph(s) not closed`);
  for (const [from, to, at] of edges) {
    for (const id of [from, to]) if (!defined.has(id)) problems.push(`line ${at}: edge from or to undefined id ${id}`);
  }
  for (const [id, at] of classed) if (!defined.has(id)) problems.push(`line ${at}: class on undefined id ${id}`);
  return problems;
}
