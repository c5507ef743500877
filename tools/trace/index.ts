// Execution traces: one span builder and formatter for a local run's history and a deployed execution's (sdp run, sdp trace).
export * from './execution-trace';
export * from './format-trace';
