import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsClient } from 'keystage';
import { defineGroup, dependsOn, groupOf, impact, rotateGroup } from 'keystage/organise';

/** Rotation functions (Lambda ARNs): one that works, and a broken deploy of one. */
export interface RotationFunctions {
  readonly working: string;
  /** Its testSecret refuses every new value. */
  readonly broken: string;
}

export async function groupsExample(secrets: SecretsClient, lambdas: RotationFunctions, timeoutMs = 300_000) {
  const scope = { environment: 'prod', service: 'payments' };
  const signing = await secrets.create({ ...scope, name: 'signing-key', kind: 'generic' });
  const session = await secrets.create({ ...scope, name: 'session-secret', kind: 'generic' });
  const webhook = await secrets.create({ ...scope, name: 'webhook-token', kind: 'generic' });
  // Rotation is the platform's to configure (keystage/infra's rotation construct); here, with the SDK.
  const configure = (SecretId: string, RotationLambdaARN: string) =>
    secrets.secretsManager.send(
      new RotateSecretCommand({ SecretId, RotationLambdaARN, RotateImmediately: false }),
    );
  await configure(signing.arn, lambdas.working);
  await configure(session.arn, lambdas.working);
  await configure(webhook.arn, lambdas.broken);

  // Used together: a group (a keystage:group tag on each member; a secret may be in several),
  // and a dependency (keystage:depends-on on the secret that depends).
  await defineGroup(secrets, 'payments-auth', [signing.name, session.name, webhook.name]);
  await dependsOn(secrets, session.name, [signing.name]); // the session secret is derived from it
  const groups = await groupOf(secrets, session.name); // ['payments-auth']
  const affected = await impact(secrets, signing.name);
  // dependents: session-secret (via depends-on), webhook-token (via the group); services: ['payments']

  // All or nothing, one member at a time (dependencies first, then by name): webhook-token's
  // rotation fails, so the two rotated before it go back to their previous versions.
  const failed = await rotateGroup(secrets, 'payments-auth', { runId: 'rotation-1', timeoutMs });
  // ok: false; signing-key and session-secret 'rolled-back', webhook-token 'failed' with the
  // reason (ROTATION_IN_PROGRESS: … did not complete), its AWSPENDING removed so it cannot finish later

  // Its function fixed, a new run rotates all three. Had the process died part-way, a rerun
  // with the same runId would have finished the run: members rotated already are not rotated again.
  await configure(webhook.arn, lambdas.working);
  const rotated = await rotateGroup(secrets, 'payments-auth', { runId: 'rotation-2', timeoutMs });

  const outcomes = (result: typeof failed) => result.members.map((m) => `${m.name}: ${m.outcome}`);
  return {
    groups,
    dependents: affected.dependents.map((d) => `${d.name} via ${d.via.join(', ')}`),
    services: affected.services,
    failed: outcomes(failed),
    reason: failed.members.find((m) => m.outcome === 'failed')?.reason,
    rotated: outcomes(rotated),
  };
}
