import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isKeystageError, type SecretsClient } from 'keystage';
import { RotationWatcher, inject, refreshOnRotation, revoke, status } from 'keystage/injection';

export async function workloadsExample(
  secrets: SecretsClient,
  aws: { ecs: ECSClient; lambda: LambdaClient; ssm: SSMClient },
) {
  // ECS: a new task definition revision whose container references the secret by ARN and
  // JSON key (valueFrom "arn:…:secret:prod/billing/db-AbCdEf:password::"), then UpdateService.
  const api = await inject(
    secrets,
    {
      target: { kind: 'ecs', cluster: 'prod', service: 'billing-api' },
      mappings: [
        { name: 'DB_USER', secret: 'prod/billing/db', jsonKey: 'username' },
        { name: 'DB_PASSWORD', secret: 'prod/billing/db', jsonKey: 'password' },
      ],
      environment: { DB_HOST: 'billing.db.internal' }, // plain settings only
    },
    { ecs: aws.ecs },
  );

  // Lambda: the environment gets the ARN, never the value, and the function gets the
  // Parameters and Secrets extension layer, which serves the value on localhost:2773.
  const worker = await inject(
    secrets,
    {
      target: { kind: 'lambda', functionName: 'billing-worker' },
      mappings: [{ name: 'DB_SECRET_ARN', secret: 'prod/billing/db' }],
    },
    { lambda: aws.lambda, ssm: aws.ssm },
  );

  // A plaintext secret is refused before any call, with why and what to do instead.
  const refused = await inject(
    secrets,
    {
      target: worker.job.target,
      mappings: [{ name: 'DB_SECRET_ARN', secret: 'prod/billing/db' }],
      environment: { API_TOKEN: 'tok_live_123' },
    },
    { lambda: aws.lambda, ssm: aws.ssm },
  ).catch((error: unknown) => error);
  if (!isKeystageError(refused, 'VALIDATION_ERROR')) throw new Error('a plaintext secret must be refused');

  // After a rotation: a new ECS deployment, new Lambda instances (one watcher polls each secret once).
  const watcher = new RotationWatcher(secrets, { intervalMs: 60_000 });
  const watches = [
    await refreshOnRotation(secrets, api.job, { ecs: aws.ecs, watcher }),
    await refreshOnRotation(secrets, worker.job, { lambda: aws.lambda, watcher }),
  ];

  // What is injected where, read back from the service's tags and its running revision.
  const { inSync, references, needsRefresh } = await status(secrets, api.job, { ecs: aws.ecs });

  // Done with the worker: its variables go, and the extension layer keystage added.
  for (const watch of watches) watch.close();
  watcher.close();
  const { removed, extensionLayerRemoved } = await revoke(secrets, worker.job, { lambda: aws.lambda });

  return {
    taskDefinitionArn: api.taskDefinitionArn,
    valueFrom: references.map((r) => r.reference),
    inSync,
    needsRefresh,
    workerLayer: worker.extensionLayerArn,
    refusal: refused.message,
    removed,
    extensionLayerRemoved,
  };
}
