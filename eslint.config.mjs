// One linter for the whole tree. Source directories additionally ban insecure randomness,
// the removed cipher APIs and console output (lib/ logs through an injected logger).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const insecureApis = [
  {
    selector: "MemberExpression[object.name='Math'][property.name='random']",
    message: 'Math.random is not a CSPRNG: use node:crypto (randomInt, randomBytes) with rejection sampling.',
  },
  {
    selector: 'MemberExpression[property.name=/^create(Cipher|Decipher)$/]',
    message: 'crypto.createCipher/createDecipher derive keys insecurely and are removed: use createCipheriv.',
  },
  {
    selector: 'ImportSpecifier[imported.name=/^create(Cipher|Decipher)$/]',
    message: 'crypto.createCipher/createDecipher derive keys insecurely and are removed: use createCipheriv.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
  },
  {
    files: ['lib/**/*.ts', 'rotation-lambdas/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...insecureApis],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use node:crypto with rejection sampling.' },
      ],
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['lib/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['infra/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...insecureApis] },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
