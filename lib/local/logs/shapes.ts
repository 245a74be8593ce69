import { shape, type Shape, type StructureShape } from '../schema';

/*
 * Input shapes of the CloudWatch Logs operations, from the Smithy model of CloudWatch Logs
 * (Logs_20140328): member types, required members, lengths, ranges, enums and patterns.
 * CloudWatch Logs answers a constraint that fails with InvalidParameterException ("1
 * validation error detected: ... at 'logGroupName' failed to satisfy constraint: ..."), not
 * ValidationException: the operations table re-types the check's fault (operations.ts).
 * Only members an operation uses or documents are listed; the service ignores others.
 */

const logGroupNameType = shape.string({ min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/ });
const logGroupName = shape.required(logGroupNameType);
const logGroupIdentifier = shape.string({ min: 1, max: 2048, pattern: /^[\w#+=/:,.@-]*$/ });
const logStreamNameType = shape.string({ min: 1, max: 512, pattern: /^[^:*]*$/ });
const logStreamName = shape.required(logStreamNameType);
const nextToken = shape.string({ min: 1 });
const describeLimit = shape.integer({ min: 1, max: 50 });
const eventsLimit = shape.integer({ min: 1, max: 10_000 });
const timestamp = shape.long({ min: 0 });
/** The installed SDK (3.1169) also sends ESSENTIALS, which the model of early 2026 lacks. */
const logGroupClass = shape.string({ enum: ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY', 'ESSENTIALS'] });
const tags = shape.map(
  shape.string({ min: 1, max: 128, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u }),
  shape.string({ min: 0, max: 256, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u }),
  { min: 1, max: 50 },
);
const inputLogEvent = shape.structure({
  timestamp: shape.required(timestamp),
  message: shape.required(shape.string({ min: 1 })),
});
const entity = shape.structure({
  keyAttributes: shape.map(shape.string({ min: 1, max: 32 }), shape.string({ min: 1, max: 512 }), {
    min: 2,
    max: 4,
  }),
  attributes: shape.map(shape.string({ min: 1, max: 256 }), shape.string({ min: 1, max: 512 }), {
    min: 0,
    max: 10,
  }),
});

const op = (members: Record<string, Shape>): StructureShape => shape.structure(members);

/** Input shapes of the CloudWatch Logs operations the endpoint answers, by operation name. */
export const SHAPES = {
  CreateLogGroup: op({
    logGroupName,
    kmsKeyId: shape.string({ min: 0, max: 256 }),
    tags,
    logGroupClass,
    deletionProtectionEnabled: shape.boolean(),
  }),
  CreateLogStream: op({ logGroupName, logStreamName }),
  DescribeLogGroups: op({
    accountIdentifiers: shape.list(shape.string({ min: 12, max: 12, pattern: /^\d{12}$/ }), {
      min: 0,
      max: 20,
    }),
    logGroupNamePrefix: logGroupNameType,
    logGroupNamePattern: shape.string({ min: 0, max: 512, pattern: /^[.\-_/#A-Za-z0-9]*$/ }),
    nextToken,
    limit: describeLimit,
    includeLinkedAccounts: shape.boolean(),
    logGroupClass,
    logGroupIdentifiers: shape.list(logGroupIdentifier, { min: 1, max: 50 }),
  }),
  DescribeLogStreams: op({
    logGroupName: logGroupNameType,
    logGroupIdentifier,
    logStreamNamePrefix: logStreamNameType,
    orderBy: shape.string({ enum: ['LogStreamName', 'LastEventTime'] }),
    descending: shape.boolean(),
    nextToken,
    limit: describeLimit,
  }),
  PutLogEvents: op({
    logGroupName,
    logStreamName,
    logEvents: shape.required(shape.list(inputLogEvent, { min: 1, max: 10_000 })),
    sequenceToken: shape.string({ min: 1 }),
    entity,
  }),
  GetLogEvents: op({
    logGroupName: logGroupNameType,
    logGroupIdentifier,
    logStreamName,
    startTime: timestamp,
    endTime: timestamp,
    nextToken,
    limit: eventsLimit,
    startFromHead: shape.boolean(),
    unmask: shape.boolean(),
  }),
  FilterLogEvents: op({
    logGroupName: logGroupNameType,
    logGroupIdentifier,
    logStreamNames: shape.list(logStreamNameType, { min: 1, max: 100 }),
    logStreamNamePrefix: logStreamNameType,
    startTime: timestamp,
    endTime: timestamp,
    filterPattern: shape.string({ min: 0, max: 1024 }),
    nextToken,
    limit: eventsLimit,
    startFromHead: shape.boolean(),
    interleaved: shape.boolean(),
    unmask: shape.boolean(),
  }),
  PutRetentionPolicy: op({ logGroupName, retentionInDays: shape.required(shape.integer()) }),
  DeleteRetentionPolicy: op({ logGroupName }),
  DeleteLogGroup: op({ logGroupName }),
  DeleteLogStream: op({ logGroupName, logStreamName }),
} satisfies Record<string, StructureShape>;

export type LogsOperationName = keyof typeof SHAPES;
