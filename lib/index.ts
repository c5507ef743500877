// The constructs: the package's main entry. Public constructs, their props, enums and errors, by capability (each
// folder's index names what it exports); the local run, trace and diagram are the './local' entry, handler helpers the
// './handlers' entry.
export * from './workflow';
export * from './fan-out';
export * from './storage';
export * from './triggers';
export * from './warm';
export * from './monitoring';
export * from './core';
