export { RotationWatcher } from './rotation-watcher';
export { SqsEventConsumer, eventFromMessageBody } from './sqs-event-consumer';
export type { SqsConsumerStats, SqsEventConsumerOptions } from './sqs-event-consumer';
export type { RotationWatcherOptions } from './watcher-options';
export type { WatcherClock } from './watcher-clock';
export type {
  ChangeListener,
  RefreshResult,
  RefreshTrigger,
  SecretChange,
  WatchOptions,
  WatcherStats,
} from './secret-change';
