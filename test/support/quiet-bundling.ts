// aws-cdk-lib's AssetStaging writes `Bundling asset <construct path>...` to stderr for each asset it bundles, with no
// option to turn it off: some 66 lines a run between jest's results, which put a failing test's output further down.
// Only those lines are dropped; anything else written to stderr gets through as it is.
const BUNDLING_LINE = /^Bundling asset [^\n]*\.\.\.\n?$/;
const QUIET = Symbol.for('sdp.quietBundling');

/** Drops aws-cdk-lib's bundling lines from this process's stderr (once per process: jest runs this in every test file). */
export function quietBundling(): void {
  const stderr = process.stderr as NodeJS.WriteStream & { [QUIET]?: true };
  if (stderr[QUIET]) return;
  const write = stderr.write.bind(stderr);
  stderr.write = ((chunk: any, ...rest: any[]) =>
    typeof chunk === 'string' && BUNDLING_LINE.test(chunk) ? true : write(chunk, ...rest)) as typeof stderr.write;
  stderr[QUIET] = true;
}

quietBundling();
