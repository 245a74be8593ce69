import { shape, type StructureShape } from '../schema';

/*
 * Input shapes of the Parameter Store operations, from the Systems Manager API reference
 * (AmazonSSM, 2014-11-06): member types, required members, lengths, ranges and enums. A body
 * that breaks one is a 400 ValidationException ("1 validation error detected: ...") before
 * the operation runs. Only members an operation uses or documents are listed.
 */

const PSParameterName = shape.string({ min: 1, max: 2048 });
const name = shape.required(PSParameterName);
const names = shape.required(shape.list(PSParameterName, { min: 1, max: 10 }));
const withDecryption = shape.boolean();
const nextToken = shape.string();
const ParameterType = shape.string({ enum: ['String', 'StringList', 'SecureString'] });
const ParameterTier = shape.string({ enum: ['Standard', 'Advanced', 'Intelligent-Tiering'] });
const tags = shape.list(
  shape.structure({
    Key: shape.required(shape.string({ min: 1, max: 128, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u })),
    Value: shape.required(shape.string({ min: 0, max: 256, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u })),
  }),
  { min: 0, max: 1000 },
);
const parameterStringFilter = shape.structure({
  Key: shape.required(
    shape.string({ min: 1, max: 132, pattern: /^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$/ }),
  ),
  Option: shape.string({ min: 1, max: 10 }),
  Values: shape.list(shape.string({ min: 1, max: 1024 }), { min: 1, max: 50 }),
});
const parameterFilters = shape.list(parameterStringFilter, { min: 0 });

const resourceType = shape.required(
  shape.string({
    enum: [
      'Document',
      'ManagedInstance',
      'MaintenanceWindow',
      'Parameter',
      'PatchBaseline',
      'OpsItem',
      'OpsMetadata',
      'Automation',
      'Association',
    ],
  }),
);
const resourceId = shape.required(shape.string());

const op = (members: Parameters<typeof shape.structure>[0]): StructureShape => shape.structure(members);

/** Input shapes of the Parameter Store operations the endpoint answers, by operation name. */
export const SHAPES = {
  PutParameter: op({
    Name: name,
    Description: shape.string({ min: 0, max: 1024 }),
    Value: shape.required(shape.string({ min: 1 })),
    Type: ParameterType,
    KeyId: shape.string({ min: 1, max: 256, pattern: /^([a-zA-Z0-9:/_-]+)$/ }),
    Overwrite: shape.boolean(),
    AllowedPattern: shape.string({ min: 0, max: 1024 }),
    Tags: tags,
    Tier: ParameterTier,
    Policies: shape.string({ min: 1, max: 4096 }),
    DataType: shape.string({ min: 0, max: 128 }),
  }),
  GetParameter: op({ Name: name, WithDecryption: withDecryption }),
  GetParameters: op({ Names: names, WithDecryption: withDecryption }),
  GetParametersByPath: op({
    Path: name,
    Recursive: shape.boolean(),
    ParameterFilters: parameterFilters,
    WithDecryption: withDecryption,
    MaxResults: shape.integer({ min: 1, max: 10 }),
    NextToken: nextToken,
  }),
  DeleteParameter: op({ Name: name }),
  DeleteParameters: op({ Names: names }),
  DescribeParameters: op({
    Filters: shape.list(
      shape.structure({
        Key: shape.required(shape.string({ enum: ['Name', 'Type', 'KeyId'] })),
        Values: shape.required(shape.list(shape.string({ min: 1, max: 1024 }), { min: 1, max: 50 })),
      }),
    ),
    ParameterFilters: parameterFilters,
    MaxResults: shape.integer({ min: 1, max: 50 }),
    NextToken: nextToken,
    Shared: shape.boolean(),
  }),
  GetParameterHistory: op({
    Name: name,
    WithDecryption: withDecryption,
    MaxResults: shape.integer({ min: 1, max: 50 }),
    NextToken: nextToken,
  }),
  LabelParameterVersion: op({
    Name: name,
    ParameterVersion: shape.long(),
    Labels: shape.required(shape.list(shape.string({ min: 1, max: 100 }), { min: 1, max: 10 })),
  }),
  ListTagsForResource: op({ ResourceType: resourceType, ResourceId: resourceId }),
  AddTagsToResource: op({
    ResourceType: resourceType,
    ResourceId: resourceId,
    Tags: shape.required(tags),
  }),
  RemoveTagsFromResource: op({
    ResourceType: resourceType,
    ResourceId: resourceId,
    TagKeys: shape.required(shape.list(shape.string({ min: 1, max: 128 }))),
  }),
} satisfies Record<string, StructureShape>;

export type SsmOperationName = keyof typeof SHAPES;
