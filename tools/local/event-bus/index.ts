// The local EventBridge of a run: the app's rules with event patterns, events put on its buses matched and delivered to their targets.
export * from './event-bridge-endpoint';
export * from './event-pattern';
export * from './event-rules';
export * from './local-event-bus';
export * from './target-delivery';
export * from './target-input';
