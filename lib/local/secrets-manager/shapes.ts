import { shape, type StructureShape } from '../schema';

const secretId = shape.required(shape.string({ min: 1, max: 2048 }));

/** Input shapes of the Secrets Manager operations, from the API reference. */
export const SHAPES: Readonly<Record<string, StructureShape>> = {
  CreateSecret: shape.structure({ Name: shape.required(shape.string({ min: 1, max: 512 })) }),
  GetSecretValue: shape.structure({ SecretId: secretId }),
  BatchGetSecretValue: shape.structure({}),
  PutSecretValue: shape.structure({ SecretId: secretId }),
  UpdateSecret: shape.structure({ SecretId: secretId }),
  DescribeSecret: shape.structure({ SecretId: secretId }),
  ListSecrets: shape.structure({}),
  ListSecretVersionIds: shape.structure({ SecretId: secretId }),
  UpdateSecretVersionStage: shape.structure({ SecretId: secretId }),
  RotateSecret: shape.structure({ SecretId: secretId }),
  CancelRotateSecret: shape.structure({ SecretId: secretId }),
  DeleteSecret: shape.structure({ SecretId: secretId }),
  RestoreSecret: shape.structure({ SecretId: secretId }),
  TagResource: shape.structure({ SecretId: secretId }),
  UntagResource: shape.structure({ SecretId: secretId }),
  GetRandomPassword: shape.structure({}),
  PutResourcePolicy: shape.structure({ SecretId: secretId }),
  GetResourcePolicy: shape.structure({ SecretId: secretId }),
  DeleteResourcePolicy: shape.structure({ SecretId: secretId }),
  ReplicateSecretToRegions: shape.structure({ SecretId: secretId }),
};
