import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemblyStateMachines, stateMachineDiagram } from '../../tools/diagram/assembly';
import { diagramBlock, readmeDiagrams, updateReadmeDiagrams } from '../../tools/diagram/readme';
import { exampleAssembly } from '../support/example-app';

const UPDATE = 'run `npm run diagrams` to rewrite the README\'s diagrams from the example app';

describe('the README embeds the current diagram of every example state machine', () => {
  const readme = readmeDiagrams(fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8'));
  const machines = assemblyStateMachines(exampleAssembly().assemblyDir);

  test('there are example state machines to check', () => {
    expect(machines.length).toBeGreaterThan(0);
  });

  test('every diagram in the README is of an example state machine', () => {
    const ids = new Set(machines.map((m) => m.id));
    expect([...readme.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });

  test.each(machines.map((m) => [m.id, m] as const))('%s', (id, machine) => {
    const expected = stateMachineDiagram(machine);
    const embedded = readme.get(id);
    if (embedded === undefined) {
      throw new Error(`README.md has no diagram of ${id}: add its markers and block, which \`npm run diagrams\` prints:\n\n${diagramBlock(id, expected)}`);
    }
    if (embedded !== expected) {
      const [a, b] = [embedded.split('\n'), expected.split('\n')];
      const line = a.findIndex((text, i) => text !== b[i]);
      throw new Error(`README.md's diagram of ${id} is out of date (first difference at its line ${line + 1}:\n`
        + `  README:   ${a[line]}\n  assembly: ${b[line]}\n); ${UPDATE}`);
    }
  });
});

describe('updateReadmeDiagrams', () => {
  const diagrams = new Map([['App/Flow', 'flowchart TD\n  New(("New"))\n'], ['App/Other', 'flowchart TD\n  B(("B"))\n']]);
  const markdown = [
    '# Title', '', 'Prose before.', '',
    diagramBlock('App/Flow', 'flowchart TD\n  Old(("Old"))\n'), '',
    'Prose between.', '',
    diagramBlock('App/Gone', 'flowchart TD\n  G(("G"))\n'), '',
  ].join('\n');

  test('rewrites the block of each known id and leaves the prose and unknown blocks alone', () => {
    const { text, missing, unknown } = updateReadmeDiagrams(markdown, diagrams);
    expect(text).toBe(markdown.replace('Old(("Old"))', 'New(("New"))'));
    expect(readmeDiagrams(text).get('App/Flow')).toBe('flowchart TD\n  New(("New"))\n');
    expect(missing).toEqual(['App/Other']);
    expect(unknown).toEqual(['App/Gone']);
  });

  test('a diagram holding $ patterns is inserted literally', () => {
    const { text } = updateReadmeDiagrams(markdown, new Map([['App/Flow', 'flowchart TD\n  A -->|"$& $1 $.x"| B\n']]));
    expect(readmeDiagrams(text).get('App/Flow')).toBe('flowchart TD\n  A -->|"$& $1 $.x"| B\n');
  });

  test('an up-to-date README is left unchanged', () => {
    const once = updateReadmeDiagrams(markdown, diagrams).text;
    expect(updateReadmeDiagrams(once, diagrams).text).toBe(once);
  });
});
