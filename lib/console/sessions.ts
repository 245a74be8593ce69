import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the console reads the time from; injectable so expiry is tested without waiting. */
export interface ConsoleClock {
  now(): number;
}

/** A signed-in browser: its CSRF token and when it was last used. */
export interface Session {
  readonly id: string;
  readonly csrfToken: string;
  lastSeen: number;
  /** The message about the last action, shown once on the next page. */
  flash?: string | undefined;
}

const TOKEN_BYTES = 32;

/** A fresh random token, URL-safe. */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Constant-time comparison of two tokens of any length (compared as digests). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * One-time login tokens and the sessions they open. A token works once and for
 * `loginTokenTtlMs`; a session ends after `sessionIdleMs` without a request. Tokens and
 * session ids are looked up by their SHA-256 digest, so the map never compares secrets
 * with `===` and a timing difference reveals nothing about a live token.
 */
export class SessionStore {
  readonly #clock: ConsoleClock;
  readonly #tokenTtlMs: number;
  readonly #idleMs: number;
  /** digest of a login token → when it expires */
  readonly #tokens = new Map<string, number>();
  /** digest of a session id → the session */
  readonly #sessions = new Map<string, Session>();

  constructor(clock: ConsoleClock, tokenTtlMs: number, idleMs: number) {
    this.#clock = clock;
    this.#tokenTtlMs = tokenTtlMs;
    this.#idleMs = idleMs;
  }

  /** A new one-time login token. */
  issueLoginToken(): string {
    const token = newToken();
    this.#tokens.set(digest(token), this.#clock.now() + this.#tokenTtlMs);
    return token;
  }

  /** Spends a login token: a new session when it is live and unused, else undefined. */
  redeem(token: string): Session | undefined {
    const key = digest(token);
    const expires = this.#tokens.get(key);
    if (expires === undefined) return undefined;
    this.#tokens.delete(key);
    const now = this.#clock.now();
    if (now >= expires) return undefined;
    // Sessions that ended by idling are dropped here, so the map holds live ones only.
    for (const [id, idle] of this.#sessions)
      if (now - idle.lastSeen >= this.#idleMs) this.#sessions.delete(id);
    const session: Session = { id: newToken(), csrfToken: newToken(), lastSeen: now };
    this.#sessions.set(digest(session.id), session);
    return session;
  }

  /** The live session with this id, its idle timer restarted; undefined when unknown or idle too long. */
  touch(id: string): Session | undefined {
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    const now = this.#clock.now();
    if (now - session.lastSeen >= this.#idleMs) {
      this.#sessions.delete(key);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  end(id: string): void {
    this.#sessions.delete(digest(id));
  }

  clear(): void {
    this.#tokens.clear();
    this.#sessions.clear();
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
