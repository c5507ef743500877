// esbuild's synchronous API (cdk-esbuild bundles with it) starts a worker thread and an esbuild process the first time
// it is called, unreferenced and never stopped. Jest loads esbuild afresh in each test file, so a jest worker gathered
// one more esbuild process (and thread) for each file that bundles: four after half a minute of one worker's template
// tests. With ESBUILD_WORKER_THREADS=0 each synchronous call runs esbuild as a child process that ends with the call
// (a few tens of milliseconds each; the run took as long).
process.env.ESBUILD_WORKER_THREADS = '0';
