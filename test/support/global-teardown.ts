import * as fs from 'node:fs';

export default function globalTeardown(): void {
  const assemblyDir = process.env.SDP_EXAMPLE_ASSEMBLY;
  if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
}
