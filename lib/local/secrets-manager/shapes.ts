import { shape, type StructureShape } from '../schema';

// Member types of the Secrets Manager API model (2017-10-17), named as the model names them.
// Lengths, ranges, patterns and enums are the model's; members the model marks required are
// required here. A body that breaks one is a 400 ValidationException before anything runs.

const SecretIdType = shape.string({ min: 1, max: 2048 });
const secretId = shape.required(SecretIdType);
const NameType = shape.string({ min: 1, max: 512 });
const ClientRequestTokenType = shape.string({ min: 32, max: 64 });
const DescriptionType = shape.string({ min: 0, max: 2048 });
const KmsKeyIdType = shape.string({ min: 0, max: 2048 });
const SecretBinaryType = shape.blob({ min: 1, max: 65_536 });
const SecretStringType = shape.string({ min: 1, max: 65_536 });
const SecretVersionIdType = shape.string({ min: 32, max: 64 });
const SecretVersionStageType = shape.string({ min: 1, max: 256 });
const SecretVersionStagesType = shape.list(SecretVersionStageType, { min: 1, max: 20 });
const NextTokenType = shape.string({ min: 1, max: 4096 });
const MaxResultsType = shape.integer({ min: 1, max: 100 });
const BooleanType = shape.boolean();
const RegionType = shape.string({ min: 1, max: 128, pattern: /^([a-z]+-)+\d+$/ });
const NonEmptyResourcePolicyType = shape.string({ min: 1, max: 20_480 });
const RotationLambdaARNType = shape.string({ min: 0, max: 2048 });

const TagType = shape.structure({
  Key: shape.string({ min: 1, max: 128 }),
  Value: shape.string({ min: 0, max: 256 }),
});
const TagListType = shape.list(TagType);
const TagKeyListType = shape.list(shape.string({ min: 1, max: 128 }));

const ReplicaRegionType = shape.structure({ Region: RegionType, KmsKeyId: KmsKeyIdType });
const AddReplicaRegionListType = shape.list(ReplicaRegionType, { min: 1 });
const RemoveReplicaRegionListType = shape.list(RegionType, { min: 1 });

/** The keys ListSecrets and BatchGetSecretValue filter on. */
export const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;

const FilterType = shape.structure({
  Key: shape.string({ enum: FILTER_KEYS }),
  Values: shape.list(shape.string({ min: 0, max: 512, pattern: /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/ }), {
    min: 1,
    max: 10,
  }),
});
const FiltersListType = shape.list(FilterType, { min: 0, max: 10 });

const RotationRulesType = shape.structure({
  AutomaticallyAfterDays: shape.long({ min: 1, max: 1000 }),
  Duration: shape.string({ min: 2, max: 3, pattern: /^[0-9h]+$/ }),
  ScheduleExpression: shape.string({ min: 1, max: 256, pattern: /^[0-9A-Za-z()#?*\-/, ]+$/ }),
});

// Members the installed SDK sends that the stored model predates: typed, without limits we
// could not read.
const ExternalSecretRotationMetadataType = shape.list(
  shape.structure({ Key: shape.string(), Value: shape.string() }),
);

/** Input shapes of the Secrets Manager operations, by `X-Amz-Target` operation name. */
export const SHAPES: Readonly<Record<string, StructureShape>> = {
  BatchGetSecretValue: shape.structure({
    SecretIdList: shape.list(SecretIdType, { min: 1, max: 20 }),
    Filters: FiltersListType,
    MaxResults: shape.integer({ min: 1, max: 20 }),
    NextToken: NextTokenType,
  }),
  CancelRotateSecret: shape.structure({ SecretId: secretId }),
  CreateSecret: shape.structure({
    Name: shape.required(NameType),
    ClientRequestToken: ClientRequestTokenType,
    Description: DescriptionType,
    KmsKeyId: KmsKeyIdType,
    SecretBinary: SecretBinaryType,
    SecretString: SecretStringType,
    Tags: TagListType,
    AddReplicaRegions: AddReplicaRegionListType,
    ForceOverwriteReplicaSecret: BooleanType,
    Type: shape.string(),
  }),
  DeleteResourcePolicy: shape.structure({ SecretId: secretId }),
  DeleteSecret: shape.structure({
    SecretId: secretId,
    RecoveryWindowInDays: shape.long(),
    ForceDeleteWithoutRecovery: BooleanType,
  }),
  DescribeSecret: shape.structure({ SecretId: secretId }),
  GetRandomPassword: shape.structure({
    PasswordLength: shape.long({ min: 1, max: 4096 }),
    ExcludeCharacters: shape.string({ min: 0, max: 4096 }),
    ExcludeNumbers: BooleanType,
    ExcludePunctuation: BooleanType,
    ExcludeUppercase: BooleanType,
    ExcludeLowercase: BooleanType,
    IncludeSpace: BooleanType,
    RequireEachIncludedType: BooleanType,
  }),
  GetResourcePolicy: shape.structure({ SecretId: secretId }),
  GetSecretValue: shape.structure({
    SecretId: secretId,
    VersionId: SecretVersionIdType,
    VersionStage: SecretVersionStageType,
  }),
  ListSecrets: shape.structure({
    IncludePlannedDeletion: BooleanType,
    MaxResults: MaxResultsType,
    NextToken: NextTokenType,
    Filters: FiltersListType,
    SortOrder: shape.string({ enum: ['asc', 'desc'] }),
    SortBy: shape.string({ enum: ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] }),
  }),
  ListSecretVersionIds: shape.structure({
    SecretId: secretId,
    MaxResults: MaxResultsType,
    NextToken: NextTokenType,
    IncludeDeprecated: BooleanType,
  }),
  PutResourcePolicy: shape.structure({
    SecretId: secretId,
    ResourcePolicy: shape.required(NonEmptyResourcePolicyType),
    BlockPublicPolicy: BooleanType,
  }),
  PutSecretValue: shape.structure({
    SecretId: secretId,
    ClientRequestToken: ClientRequestTokenType,
    SecretBinary: SecretBinaryType,
    SecretString: SecretStringType,
    VersionStages: SecretVersionStagesType,
    RotationToken: shape.string(),
  }),
  RemoveRegionsFromReplication: shape.structure({
    SecretId: secretId,
    RemoveReplicaRegions: shape.required(RemoveReplicaRegionListType),
  }),
  ReplicateSecretToRegions: shape.structure({
    SecretId: secretId,
    AddReplicaRegions: shape.required(AddReplicaRegionListType),
    ForceOverwriteReplicaSecret: BooleanType,
  }),
  RestoreSecret: shape.structure({ SecretId: secretId }),
  RotateSecret: shape.structure({
    SecretId: secretId,
    ClientRequestToken: ClientRequestTokenType,
    RotationLambdaARN: RotationLambdaARNType,
    RotationRules: RotationRulesType,
    RotateImmediately: BooleanType,
    ExternalSecretRotationMetadata: ExternalSecretRotationMetadataType,
    ExternalSecretRotationRoleArn: shape.string(),
  }),
  StopReplicationToReplica: shape.structure({ SecretId: secretId }),
  TagResource: shape.structure({ SecretId: secretId, Tags: shape.required(TagListType) }),
  UntagResource: shape.structure({ SecretId: secretId, TagKeys: shape.required(TagKeyListType) }),
  UpdateSecret: shape.structure({
    SecretId: secretId,
    ClientRequestToken: ClientRequestTokenType,
    Description: DescriptionType,
    KmsKeyId: KmsKeyIdType,
    SecretBinary: SecretBinaryType,
    SecretString: SecretStringType,
    Type: shape.string(),
  }),
  UpdateSecretVersionStage: shape.structure({
    SecretId: secretId,
    VersionStage: shape.required(SecretVersionStageType),
    RemoveFromVersionId: SecretVersionIdType,
    MoveToVersionId: SecretVersionIdType,
  }),
  ValidateResourcePolicy: shape.structure({
    SecretId: SecretIdType,
    ResourcePolicy: shape.required(NonEmptyResourcePolicyType),
  }),
};
