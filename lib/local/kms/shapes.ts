import { shape, type StructureShape } from '../schema';

const keyId = shape.required(shape.string({ min: 1, max: 2048 }));

/** Input shapes of the KMS operations, from the API reference. */
export const SHAPES: Readonly<Record<string, StructureShape>> = {
  CreateKey: shape.structure({}),
  DescribeKey: shape.structure({ KeyId: keyId }),
  CreateAlias: shape.structure({
    AliasName: shape.required(shape.string({ min: 1, max: 256 })),
    TargetKeyId: keyId,
  }),
  ListAliases: shape.structure({}),
  Encrypt: shape.structure({ KeyId: keyId }),
  Decrypt: shape.structure({}),
  GenerateDataKey: shape.structure({ KeyId: keyId }),
  GenerateDataKeyWithoutPlaintext: shape.structure({ KeyId: keyId }),
  GenerateRandom: shape.structure({}),
  EnableKeyRotation: shape.structure({ KeyId: keyId }),
  GetKeyRotationStatus: shape.structure({ KeyId: keyId }),
};
