// Triggers: what starts a pipeline — an EventBridge schedule or rule, and a REST API.
export { ScheduleService, ScheduleTrigger, type ScheduleTriggerProps } from './schedule-trigger';
export { ApiTrigger, type ApiTriggerAuthorization, type ApiTriggerProps } from './api-trigger';
