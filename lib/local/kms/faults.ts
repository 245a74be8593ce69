import { ServiceFault } from '../fault';

/**
 * The exceptions KMS documents for its operations, by the names the SDK turns into its
 * classes. Messages say what is wrong and what to do; they never carry plaintext or key
 * material.
 */
const fault =
  (type: string) =>
  (message: string): ServiceFault =>
    new ServiceFault(type, message);

export const validation = fault('ValidationException');
export const notFound = fault('NotFoundException');
export const invalidArn = fault('InvalidArnException');
export const disabled = fault('DisabledException');
export const invalidState = fault('KMSInvalidStateException');
export const invalidKeyUsage = fault('InvalidKeyUsageException');
export const incorrectKey = fault('IncorrectKeyException');
export const unsupported = fault('UnsupportedOperationException');
export const alreadyExists = fault('AlreadyExistsException');
export const invalidAliasName = fault('InvalidAliasNameException');
export const invalidMarker = fault('InvalidMarkerException');
export const tagFault = fault('TagException');
export const malformedPolicy = fault('MalformedPolicyDocumentException');
export const limitExceeded = fault('LimitExceededException');
export const accessDenied = fault('AccessDeniedException');
export const customKeyStoreNotFound = fault('CustomKeyStoreNotFoundException');

export const invalidCiphertext = (): ServiceFault =>
  new ServiceFault(
    'InvalidCiphertextException',
    'The ciphertext is invalid, was changed, or its encryption context does not match: pass the blob exactly as Encrypt returned it, with the same encryption context.',
  );

export const invalidSignature = (): ServiceFault =>
  new ServiceFault(
    'KMSInvalidSignatureException',
    'The signature does not verify: the message, signature, signing algorithm, message type or key differs from the ones that produced it.',
  );

export const invalidMac = (): ServiceFault =>
  new ServiceFault(
    'KMSInvalidMacException',
    'The HMAC does not verify: the message, MAC, MAC algorithm or key differs from the ones that produced it.',
  );

export const dryRun = (): ServiceFault =>
  new ServiceFault(
    'DryRunOperationException',
    'The request would have succeeded, but the DryRun parameter was set: nothing was done.',
    412,
  );
