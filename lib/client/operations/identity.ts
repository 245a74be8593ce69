export interface SecretIdentity {
  readonly arn: string;
  readonly name: string;
}

/** A secret's identity from an AWS answer, falling back to the id asked for. */
export function identityFrom(
  output: { readonly ARN?: string | undefined; readonly Name?: string | undefined },
  secretId: string,
): SecretIdentity {
  return { arn: output.ARN ?? '', name: output.Name ?? secretId };
}
