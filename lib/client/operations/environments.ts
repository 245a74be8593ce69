import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { KEYSTAGE_TAGS, paginate } from '../../core';
import { tagsToRecord } from '../metadata';
import type { Operation } from '../operation';
import { checkCallOptions, type CallOptions } from '../options';

/** A secret and the environment its `keystage:environment` tag names. */
export interface EnvironmentSighting {
  readonly name: string;
  readonly environment: string;
}

/**
 * The environments that exist, sorted (by code unit) and each once.
 * @example
 * environmentNames([{ name: 'prod/a/x', environment: 'prod' }, { name: 'dev/a/x', environment: 'dev' }]); // ['dev', 'prod']
 */
export function environmentNames(sightings: readonly EnvironmentSighting[]): string[] {
  return [...new Set(sightings.map((sighting) => sighting.environment))].sort();
}

/**
 * `environments`: every secret tagged `keystage:environment`, across all pages of ListSecrets
 * (a `tag-key` filter narrows them on the service side), with the environment it names; the
 * client reduces them to the sorted environment names. As a listing, each secret is shown to
 * the access policy by name, so an environment is reported only when the caller may list one
 * of its secrets.
 */
export const environments: Operation<[options: CallOptions], undefined, EnvironmentSighting[]> = {
  name: 'environments',
  kind: 'list',
  validate: (options) => (checkCallOptions(options, 'environments'), undefined),
  secretId: () => undefined,
  call: async (_input, context) => {
    const sightings: EnvironmentSighting[] = [];
    const pages = paginate(
      (nextToken) =>
        context.send('ListSecrets', undefined, (sm) =>
          sm.send(
            new ListSecretsCommand({
              MaxResults: 100,
              Filters: [{ Key: 'tag-key', Values: [KEYSTAGE_TAGS.environment] }],
              ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            }),
          ),
        ),
      'ListSecrets',
    );
    for await (const page of pages) {
      for (const entry of page.SecretList ?? []) {
        // tag-key matches by prefix: only the exact key counts.
        const environment = tagsToRecord(entry.Tags)[KEYSTAGE_TAGS.environment];
        if (environment !== undefined && environment !== '' && entry.Name !== undefined) {
          sightings.push({ name: entry.Name, environment });
        }
      }
    }
    return sightings;
  },
  listing: { filter: (sightings, keep) => sightings.filter((sighting) => keep(sighting.name)) },
};
