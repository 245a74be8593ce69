import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from '../../lib/local';

export interface LocalFixture {
  readonly endpoint: LocalEndpoint;
  /** A real SDK client signed for `region` (default us-east-1), pointed at the endpoint. */
  sm(region?: string): SecretsManagerClient;
  kms(region?: string): KMSClient;
  logs(region?: string): CloudWatchLogsClient;
  ssm(region?: string): SSMClient;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Starts an in-memory endpoint on an ephemeral port for a test file. */
export async function startLocal(options: LocalEndpointOptions = {}): Promise<LocalFixture> {
  const endpoint = await startLocalEndpoint({ inMemory: true, ...options });
  return {
    endpoint,
    sm: (region = 'us-east-1') =>
      new SecretsManagerClient({ endpoint: endpoint.url, region, credentials, maxAttempts: 1 }),
    kms: (region = 'us-east-1') =>
      new KMSClient({ endpoint: endpoint.url, region, credentials, maxAttempts: 1 }),
    logs: (region = 'us-east-1') =>
      new CloudWatchLogsClient({ endpoint: endpoint.url, region, credentials, maxAttempts: 1 }),
    ssm: (region = 'us-east-1') =>
      new SSMClient({ endpoint: endpoint.url, region, credentials, maxAttempts: 1 }),
  };
}
