// Reading a synthesized app: its cloud assembly, templates and intrinsics, shared by the local run, the diagrams, sdp cost and the tests.
export * from './cloud-assembly';
export * from './intrinsics';
export * from './stack-imports';
export * from './synthesize';
