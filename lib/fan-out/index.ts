// Fan-out: a topic fanned out to queues and their workers, the splitter that publishes a job's chunks, the job workflow.
export { FanOut, type FanOutProps } from './fan-out';
export { FanOutConsumer, type FanOutConsumerOptions, type FanOutConsumerProps } from './fan-out-consumer';
export { JobSplitter, type JobSplitterProps } from './job-splitter';
export { FanOutJobWorkflow, type FanOutJobWorkflowProps } from './fan-out-job-workflow';
