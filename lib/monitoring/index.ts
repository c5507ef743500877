// Monitoring: PipelineMonitoring, the facade that alarms on and graphs a pipeline's parts, one recipe per kind of part.
export { PipelineMonitoring, type PipelineMonitoringProps } from './pipeline-monitoring';
export type {
  AlarmTiming, ApiAlarmThresholds, ApiMonitoringOptions, FanOutMonitoringOptions, FunctionAlarmThresholds, FunctionMonitoringOptions,
  MonitoredWorkflow, MonitoringDefaults, MonitorOptions, QueueAlarmThresholds, QueueMonitoringOptions, ScheduleMonitoringOptions,
  WarmerMonitoringOptions, WorkflowAlarmThresholds, WorkflowMonitoringOptions,
} from './monitoring-options';
