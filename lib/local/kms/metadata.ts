import { seconds } from './context';
import { algorithmsOf } from './key-spec';
import type { KeyRecord } from './keys';

/** KeyMetadata, as CreateKey and DescribeKey return it. */
export function keyMetadata(key: KeyRecord): object {
  const algorithms = algorithmsOf(key.spec, key.usage);
  return {
    AWSAccountId: key.arn.split(':')[4],
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: seconds(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    ...(key.state === 'PendingDeletion' && key.deletionDate !== undefined
      ? { DeletionDate: seconds(key.deletionDate) }
      : {}),
    Origin: 'AWS_KMS',
    KeyManager: key.manager,
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    ...(algorithms.encryption === undefined ? {} : { EncryptionAlgorithms: algorithms.encryption }),
    ...(algorithms.signing === undefined ? {} : { SigningAlgorithms: algorithms.signing }),
    ...(algorithms.mac === undefined ? {} : { MacAlgorithms: algorithms.mac }),
    MultiRegion: key.multiRegion,
    // Replicas are not supported: a multi-Region key is its own primary, with none.
    ...(key.multiRegion
      ? {
          MultiRegionConfiguration: {
            MultiRegionKeyType: 'PRIMARY',
            PrimaryKey: { Arn: key.arn, Region: key.region },
            ReplicaKeys: [],
          },
        }
      : {}),
  };
}
