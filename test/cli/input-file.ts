import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A temporary JSON file of `input`, for `--input`. */
export function inputFile(input: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-input-')), 'input.json');
  fs.writeFileSync(file, JSON.stringify(input));
  return file;
}
