import type { DatabaseSecret } from '../../lib/core';
import { generatePassword, type PasswordPolicy } from '../../lib/generate';
import { ROTATION_DEFAULTS } from '../environment';
import { RotationFailure } from '../errors';
import type { RotationStrategy, RotationValues, StepContext } from '../protocol';
import type { DatabaseDriver, DatabaseSession } from '../db/driver';
import { alternation, parseDatabaseSecret, sameIdentity, type ConnectionSettings } from '../db/secret';

export interface DatabaseStrategyOptions {
  /** @default keystage's default password policy */
  readonly password?: PasswordPolicy;
  /** @default 5 s to connect, 10 s per query */
  readonly connection?: Partial<ConnectionSettings>;
}

const DEFAULT_CONNECTION: ConnectionSettings = {
  connectTimeoutMs: ROTATION_DEFAULTS.connectTimeoutMs,
  queryTimeoutMs: ROTATION_DEFAULTS.queryTimeoutMs,
};

interface Parsed {
  readonly current: DatabaseSecret;
  readonly pending: DatabaseSecret;
  readonly previous: DatabaseSecret | undefined;
}

function parseAll(driver: DatabaseDriver, values: RotationValues): Parsed {
  const parse = (text: string, stage: string) =>
    parseDatabaseSecret(text, stage, driver.engines, driver.defaultPort);
  const current = parse(values.current, 'AWSCURRENT');
  const pending = parse(values.pending, 'AWSPENDING');
  // A malformed AWSPREVIOUS (an old manual write) only loses the fallback.
  let previous: DatabaseSecret | undefined;
  try {
    previous = values.previous === undefined ? undefined : parse(values.previous, 'AWSPREVIOUS');
  } catch {
    previous = undefined;
  }
  return { current, pending, previous };
}

function refuseOtherServer(a: DatabaseSecret, b: DatabaseSecret, what: string): void {
  if (a.host !== b.host || a.port !== b.port) {
    throw new RotationFailure(
      'IDENTITY_MISMATCH',
      `${what} name different servers (host or port differ); a rotation never moves a credential to another server. Fix the secret by hand.`,
    );
  }
}

async function closeQuietly(session: DatabaseSession | undefined): Promise<void> {
  await session?.close().catch(() => undefined);
}

/** A new version from the current one: same fields, new password (and user, if given). */
function nextValue(current: DatabaseSecret, policy: PasswordPolicy | undefined, username?: string): string {
  return JSON.stringify({
    ...current.fields,
    ...(username === undefined ? {} : { username }),
    password: generatePassword(policy),
  });
}

/**
 * Single user: the one database user's password changes. The database holds the pending
 * password from setSecret on; the old one stops working there at once.
 */
export function singleUserStrategy(
  name: string,
  driver: DatabaseDriver,
  options: DatabaseStrategyOptions = {},
): RotationStrategy {
  const settings = { ...DEFAULT_CONNECTION, ...options.connection };
  return {
    name,
    createValue(current: string): string {
      return nextValue(
        parseDatabaseSecret(current, 'AWSCURRENT', driver.engines, driver.defaultPort),
        options.password,
      );
    },
    async setSecret(values: RotationValues, { log }: StepContext): Promise<void> {
      const { current, pending, previous } = parseAll(driver, values);
      if (!sameIdentity(current, pending)) {
        throw new RotationFailure(
          'IDENTITY_MISMATCH',
          'AWSCURRENT and AWSPENDING name different users or servers; single-user rotation only changes a password. Nothing was changed.',
        );
      }
      const already = await driver.login(pending, settings);
      if (already !== undefined) {
        await closeQuietly(already);
        log.info('the database already accepts the pending password');
        return;
      }
      let session = await driver.login(current, settings);
      if (session === undefined && previous !== undefined && sameIdentity(previous, pending)) {
        session = await driver.login(previous, settings);
        if (session !== undefined)
          log.warn('AWSCURRENT no longer logs in; changed the password as AWSPREVIOUS');
      }
      if (session === undefined) {
        throw new RotationFailure(
          'DATABASE_LOGIN_FAILED',
          'Neither AWSPENDING, AWSCURRENT nor AWSPREVIOUS logs in to the database; set the password by hand to AWSCURRENT and rotate again.',
        );
      }
      try {
        await session.setOwnPassword(pending.password);
      } finally {
        await closeQuietly(session);
      }
      log.info('password changed in the database');
    },
    async testSecret(values: RotationValues): Promise<void> {
      const { pending } = parseAll(driver, values);
      await testLogin(driver, pending, settings, {});
    },
  };
}

async function testLogin(
  driver: DatabaseDriver,
  pending: DatabaseSecret,
  settings: ConnectionSettings,
  expect: { actsAs?: string; accessOf?: DatabaseSecret },
): Promise<void> {
  const session = await driver.login(pending, settings);
  if (session === undefined) {
    throw new RotationFailure(
      'TEST_FAILED',
      'The database refuses the pending credentials; AWSCURRENT is unchanged.',
    );
  }
  try {
    await session.check(expect);
  } finally {
    await closeQuietly(session);
  }
}

/**
 * Alternating users: each rotation sets a new password on the user that is not current
 * (`<user>` and `<user>_clone`, created on the first rotation), using the master secret
 * named by `masterarn`. The current user keeps working until the next rotation, and both
 * users keep the same access (see the driver's `prepareAlternate`).
 */
export function alternatingUsersStrategy(
  name: string,
  driver: DatabaseDriver,
  options: DatabaseStrategyOptions = {},
): RotationStrategy {
  const settings = { ...DEFAULT_CONNECTION, ...options.connection };
  return {
    name,
    async createValue(current: string, { secrets, secretId }: StepContext): Promise<string> {
      const parsed = parseDatabaseSecret(current, 'AWSCURRENT', driver.engines, driver.defaultPort);
      if (parsed.masterarn === undefined) {
        throw new RotationFailure(
          'INVALID_SECRET',
          'The AWSCURRENT value has no "masterarn": alternating users need the ARN of a master secret that can manage users.',
        );
      }
      const previousText = await secrets.value(secretId, { versionStage: 'AWSPREVIOUS' });
      let previousUser: string | undefined;
      try {
        previousUser =
          previousText === undefined
            ? undefined
            : parseDatabaseSecret(previousText, 'AWSPREVIOUS', driver.engines, driver.defaultPort).username;
      } catch {
        previousUser = undefined;
      }
      const { next } = alternation(parsed.username, previousUser, driver.nameLimit);
      return nextValue(parsed, options.password, next);
    },
    async setSecret(values: RotationValues, { log, secrets }: StepContext): Promise<void> {
      const { current, pending, previous } = parseAll(driver, values);
      refuseOtherServer(current, pending, 'AWSCURRENT and AWSPENDING');
      const { base, next } = alternation(current.username, previous?.username, driver.nameLimit);
      if (pending.username !== next) {
        throw new RotationFailure(
          'IDENTITY_MISMATCH',
          `AWSPENDING should log in as the alternate of the current user (${JSON.stringify(next)}) but names another user. Nothing was changed.`,
        );
      }
      if (pending.masterarn === undefined) {
        throw new RotationFailure('INVALID_SECRET', 'The AWSPENDING value has no "masterarn".');
      }
      const master = parseDatabaseSecret(
        await secrets.required(pending.masterarn, 'AWSCURRENT'),
        'master secret',
        driver.engines,
        driver.defaultPort,
      );
      refuseOtherServer(master, pending, 'The master secret and AWSPENDING');
      const already = await driver.login(pending, settings);
      await closeQuietly(already);
      if (already !== undefined)
        log.info('the database already accepts the pending password; checking grants');
      const session = await driver.login({ ...master, dbname: pending.dbname ?? master.dbname }, settings);
      if (session === undefined) {
        throw new RotationFailure(
          'DATABASE_LOGIN_FAILED',
          'The master secret does not log in to the database.',
        );
      }
      try {
        await session.prepareAlternate({
          base,
          source: current.username,
          user: pending.username,
          password: pending.password,
        });
      } finally {
        await closeQuietly(session);
      }
      log.info('alternate user ready', { user: pending.username });
    },
    async testSecret(values: RotationValues): Promise<void> {
      const { current, pending, previous } = parseAll(driver, values);
      const { base } = alternation(current.username, previous?.username, driver.nameLimit);
      await testLogin(driver, pending, settings, { actsAs: base, accessOf: current });
    },
  };
}
