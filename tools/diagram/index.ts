// Diagrams of synthesized state machines (tooling, kept out of the constructs' entry like the local run).
export * from './assembly';
export * from './mermaid';
export * from './readme';
