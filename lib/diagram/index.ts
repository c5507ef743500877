// Diagrams of synthesized state machines: import from 'lib/diagram' (tooling, kept out of lib/index.ts like 'lib/local').
export * from './assembly';
export * from './mermaid';
export * from './readme';
