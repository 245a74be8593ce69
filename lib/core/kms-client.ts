/**
 * The KMS client and its configuration as keystage's public types name them. `@aws-sdk/client-kms`
 * is an optional peer, loaded on first use: a service that only reads secrets does not install
 * it, so no declaration the root entry reaches may name its types (a `tsc` with
 * `skipLibCheck: false` would fail with TS2307 on them). These are structural: a `KMSClient`
 * and a `KMSClientConfig` of every SDK version keystage supports (3.521.0 onwards) are
 * assignable to them as they are, and keystage hands them to the SDK unchanged.
 */

/**
 * A KMS client: a `KMSClient` from `@aws-sdk/client-kms`, or anything with its `send`.
 * keystage only sends KMS commands through it (`GenerateDataKey`, `Encrypt`, `Decrypt`,
 * `Sign`, ...), so a client with its own middleware, credentials or region works as it is.
 * Its answers are typed `unknown` here: to call KMS yourself with typed results, keep the
 * `KMSClient` you passed in.
 * @example
 * const kms: KmsClient = new KMSClient({ region: 'eu-west-1' }); // from the KMS SDK
 * const secrets = new SecretsClient({ kms });
 */
export interface KmsClient {
  /** Sends one KMS command (an `@aws-sdk/client-kms` command object). */
  send(command: unknown, options?: unknown): Promise<unknown>;
  /** Closes the client's connections. */
  destroy(): void;
  /** The client's resolved configuration; its request handler is what carries the timeouts. */
  readonly config: { readonly requestHandler: unknown };
}

/**
 * What `new KMSClient(config)` is given when keystage creates the KMS client itself: the
 * settings of `KMSClientConfig` a service usually sets, passed on as they are (a value typed
 * `KMSClientConfig` is assignable too). The request handler defaults to one with keystage's
 * `timeouts`.
 *
 * Limits: an object literal may name only these settings; for any other `KMSClientConfig`
 * setting, pass a value typed `KMSClientConfig`, or a ready client as `kms`.
 * @example
 * const secrets = new SecretsClient({ kmsConfig: { region: 'eu-west-1', maxAttempts: 5 } });
 */
export interface KmsClientConfig {
  /**
   * The AWS Region.
   * @default - AWS_REGION, then the shared config file
   */
  readonly region?: string | (() => Promise<string>);
  /**
   * The endpoint to send to (a URL, or the SDK's endpoint object or provider).
   * @default - AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, then the Region's KMS endpoint
   */
  readonly endpoint?: unknown;
  /**
   * Credentials, or a provider of them, as the SDK takes them.
   * @default - the SDK's default credential chain
   */
  readonly credentials?: unknown;
  /**
   * The shared config profile to read.
   * @default - AWS_PROFILE, then `default`
   */
  readonly profile?: string;
  /**
   * Attempts per request, the first included.
   * @default 3
   */
  readonly maxAttempts?: number | (() => Promise<number>);
  /**
   * The SDK retry mode: `standard` or `adaptive`.
   * @default 'standard'
   */
  readonly retryMode?: string | (() => Promise<string>);
  /**
   * The SDK retry strategy object.
   * @default - the strategy of `retryMode`
   */
  readonly retryStrategy?: unknown;
  /**
   * The HTTP request handler, or its settings. Not allowed together with keystage's `timeouts`:
   * the handler is what carries them.
   * @default - a NodeHttpHandler with `timeouts`
   */
  readonly requestHandler?: unknown;
  /**
   * The SDK's logger (`debug`, `info`, `warn`, `error`).
   * @default - none
   */
  readonly logger?: unknown;
  /**
   * Use the FIPS endpoint.
   * @default false
   */
  readonly useFipsEndpoint?: boolean | (() => Promise<boolean>);
  /**
   * Use the dual-stack endpoint.
   * @default false
   */
  readonly useDualstackEndpoint?: boolean | (() => Promise<boolean>);
  /**
   * Text added to the SDK's user agent.
   * @default - none
   */
  readonly customUserAgent?: unknown;
  /**
   * The SDK defaults mode (`standard`, `in-region`, `cross-region`, `mobile`, `auto`, `legacy`).
   * @default 'legacy'
   */
  readonly defaultsMode?: unknown;
}
