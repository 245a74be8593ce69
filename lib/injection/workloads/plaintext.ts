/**
 * RELIABILITY 70: a secret's value never goes into an ECS task definition or a Lambda
 * configuration. Both are readable by anyone allowed `ecs:DescribeTaskDefinition` or
 * `lambda:GetFunctionConfiguration`, are copied into CloudTrail, deployment tools and
 * infrastructure state, and outlive a rotation. These rules recognise what looks like a
 * secret; the refusal says why and what to do, and never repeats the value.
 */

/** Name words that say a variable holds a secret. */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'PWD',
  'PASS',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'APIKEY',
  'PRIVATEKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'DSN',
]);

/** Two-word names that say so: API_KEY, CLIENT_SECRET, CONNECTION_STRING. */
const SECRET_PAIRS = new Set([
  'API KEY',
  'ACCESS KEY',
  'PRIVATE KEY',
  'SIGNING KEY',
  'SECRET KEY',
  'ENCRYPTION KEY',
  'MASTER KEY',
  'CONNECTION STRING',
]);

/** A last word that makes the variable about a secret rather than the secret: DB_SECRET_ARN, TOKEN_TTL. */
const ABOUT_WORDS = new Set([
  'ARN',
  'ID',
  'NAME',
  'PATH',
  'FILE',
  'URL',
  'URI',
  'ENDPOINT',
  'TTL',
  'TIMEOUT',
  'EXPIRY',
  'LENGTH',
  'SIZE',
  'COUNT',
  'ENABLED',
  'MODE',
  'TYPE',
  'HEADER',
  'ISSUER',
  'AUDIENCE',
  'REGION',
]);

/** Values that are secrets whatever the variable is called; the label is what the refusal names. */
const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'a private key (PEM)'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i, 'a URL with a password in it'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/, 'a JSON Web Token'],
  [
    /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,})/,
    'an API token',
  ],
];

/** A Secrets Manager or SSM parameter ARN: a reference, which is what a configuration may hold. */
const REFERENCE = /^arn:[a-z-]+:(?:secretsmanager:[^:]+:\d{12}:secret:|ssm:[^:]+:\d{12}:parameter\/)/;

/** The words of a variable name: DB_PASSWORD, dbPassword and db-password all give [DB, PASSWORD]. */
function words(name: string): string[] {
  return name
    .split(/[_\-.]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((word) => word !== '')
    .map((word) => word.toUpperCase());
}

/** What in the variable's name says it is a secret, or undefined. */
function secretWordIn(name: string): string | undefined {
  const parts = words(name);
  if (parts.length > 1 && ABOUT_WORDS.has(parts[parts.length - 1]!)) return undefined;
  for (let i = 0; i < parts.length; i++) {
    if (SECRET_WORDS.has(parts[i]!)) return parts[i];
    const pair = `${parts[i]} ${parts[i + 1] ?? ''}`;
    if (SECRET_PAIRS.has(pair)) return pair.replace(' ', '_');
  }
  return undefined;
}

/**
 * Why a plain variable looks like a secret, in words that name no value ("its name says
 * PASSWORD", "its value looks like a private key (PEM)"), or undefined when it does not.
 * @example
 * secretLikeReason('DB_PASSWORD', 'hunter2'); // 'its name says PASSWORD'
 * secretLikeReason('LOG_LEVEL', 'debug');     // undefined
 */
export function secretLikeReason(name: string, value: string): string | undefined {
  for (const [pattern, label] of SECRET_VALUES) {
    if (pattern.test(value)) return `its value looks like ${label}`;
  }
  if (REFERENCE.test(value)) return undefined;
  const word = secretWordIn(name);
  return word === undefined ? undefined : `its name says ${word}`;
}

/** What to do instead, for a target kind. */
export function insteadAdvice(kind: 'ecs' | 'lambda', name: string): string {
  const store = 'Store the value in Secrets Manager (`keystage put`, or SecretsClient.create / put)';
  return kind === 'ecs'
    ? `${store} and map it instead: mappings: [{ name: '${name}', secret: '<secret name or ARN>' }] ` +
        '(add jsonKey for one field of a JSON secret); ECS then reads it at task start with the ' +
        "task execution role, and the task definition holds only the secret's ARN."
    : `${store} and map it instead: mappings: [{ name: '${name}_SECRET_ARN', secret: '<secret name or ARN>' }]; ` +
        "the function's environment then holds only the ARN, and the handler reads the value " +
        'from the Parameters and Secrets extension (http://localhost:2773/secretsmanager/get?secretId=…).';
}

/** Why a configuration never gets a value, for the refusal. */
export function whyNoValues(kind: 'ecs' | 'lambda'): string {
  return kind === 'ecs'
    ? 'a value in a task definition is readable by anyone allowed ecs:DescribeTaskDefinition, is ' +
        'kept in every revision and copied into CloudTrail and deployment tools, and is not replaced by a rotation'
    : "a value in a function's environment is readable by anyone allowed lambda:GetFunctionConfiguration, " +
        'is copied into CloudTrail and deployment tools, and is not replaced by a rotation';
}
