// The web view of an execution (its diagram coloured by the run, its timeline, each span's data): the model, the page, the server.
export * from './execution-view';
export * from './page';
export * from './web-view-server';
