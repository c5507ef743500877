import * as fs from 'node:fs';

export default function globalTeardown(): void {
  for (const assemblyDir of [process.env.SDP_EXAMPLE_ASSEMBLY, process.env.SDP_JSONATA_EXAMPLE_ASSEMBLY]) {
    if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}
