// The local run of an app's schedules (EventBridge Scheduler schedules and scheduled rules), read from its template, for `sdp serve`.
export * from './local-scheduler';
export * from './schedule-definitions';
export * from './schedule-expression';
