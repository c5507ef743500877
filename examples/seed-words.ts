import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `count` work items, seed 001's seven words over and over: the generated job of `npm start -- <example> --items n`
 * and of the bench. Read from the seed's input file, so this module loads nothing but Node's own.
 */
export function seedWords(count: number): Array<{ word: string }> {
  const seed = JSON.parse(fs.readFileSync(path.join(__dirname, 'inputs', 'word-length.json'), 'utf8')) as { data: Array<{ word: string }> };
  return Array.from({ length: count }, (_, i) => ({ word: seed.data[i % seed.data.length].word }));
}
