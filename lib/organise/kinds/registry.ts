import { SECRET_KINDS, type SecretKind } from '../../core';
import { apiKeyKind } from './api-key';
import { certificateKind } from './certificate';
import { dataKeyKind } from './data-key';
import { databaseKind } from './database';
import { encryptedJsonKind } from './encrypted-json';
import { genericKind } from './generic';
import { jsonKind } from './json';
import type { RotationRecommendation, SecretKindSpec, StoredValue } from './kind-spec';
import { oauthClientKind } from './oauth-client';
import { symmetricKeyKind } from './symmetric-key';
import { webhookSecretKind } from './webhook-secret';

/**
 * Every kind's spec, by kind. A Record over SecretKind: a kind added to lib/core without a
 * spec here does not compile.
 * @example
 * SECRET_KIND_SPECS['database'].rotation.days; // 30
 */
export const SECRET_KIND_SPECS: Readonly<Record<SecretKind, SecretKindSpec>> = Object.freeze({
  database: databaseKind,
  'api-key': apiKeyKind,
  'symmetric-key': symmetricKeyKind,
  'data-key': dataKeyKind,
  generic: genericKind,
  json: jsonKind,
  certificate: certificateKind,
  'encrypted-json': encryptedJsonKind,
  'oauth-client': oauthClientKind,
  'webhook-secret': webhookSecretKind,
});

/** The kind a `keystage:type` tag names, or undefined for another tag value (or none). */
export function kindOf(tag: string | undefined): SecretKind | undefined {
  return tag !== undefined && SECRET_KINDS.includes(tag as SecretKind) ? (tag as SecretKind) : undefined;
}

/**
 * Checks a value written to a secret of `kind`: a ValidationError naming the field (`value`,
 * or a key under it such as `value.client_secret`) and never the value.
 * @example
 * checkSecretShape('oauth-client', JSON.stringify({ client_id, client_secret, redirect_uri }));
 */
export function checkSecretShape(kind: SecretKind, value: StoredValue, field = 'value'): void {
  SECRET_KIND_SPECS[kind].check(value, field);
}

/**
 * How often a secret of `kind` should rotate.
 * @example
 * recommendedRotation('webhook-secret'); // { days: 182, reason: 'Webhook secrets rotate semi-annually.' }
 */
export function recommendedRotation(kind: SecretKind): RotationRecommendation {
  return SECRET_KIND_SPECS[kind].rotation;
}
