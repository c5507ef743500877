/**
 * The README's generated diagrams: one ```mermaid block per state machine between
 * `<!-- diagram: <id> -->` and `<!-- /diagram -->`, so a test can compare them with the
 * assembly and `npm run diagrams` can rewrite them, leaving the prose around them alone.
 */
const BLOCK = /<!-- diagram: (\S+) -->\n```mermaid\n([\s\S]*?)```\n<!-- \/diagram -->/g;

/** The diagram text of each marked block of `markdown`, by state machine id. */
export function readmeDiagrams(markdown: string): Map<string, string> {
  return new Map([...markdown.matchAll(BLOCK)].map((match) => [match[1], match[2]]));
}

/** One marked block, as `readmeDiagrams` reads it. */
export function diagramBlock(id: string, mermaid: string): string {
  return `<!-- diagram: ${id} -->\n\`\`\`mermaid\n${mermaid}\`\`\`\n<!-- /diagram -->`;
}

/**
 * `markdown` with each marked block's diagram replaced by the one of `diagrams` with its id.
 * `missing`: ids of `diagrams` without a block; `unknown`: blocks whose id `diagrams` lacks (left as they are).
 */
export function updateReadmeDiagrams(markdown: string, diagrams: ReadonlyMap<string, string>): { text: string; missing: string[]; unknown: string[] } {
  const unknown: string[] = [];
  const text = markdown.replace(BLOCK, (block, id: string) => {
    const diagram = diagrams.get(id);
    if (diagram === undefined) {
      unknown.push(id);
      return block;
    }
    return diagramBlock(id, diagram);
  });
  const present = readmeDiagrams(markdown);
  return { text, missing: [...diagrams.keys()].filter((id) => !present.has(id)), unknown };
}
