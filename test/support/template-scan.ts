/**
 * Finds where a synthesised CloudFormation template could expose a secret value
 * (RELIABILITY 23): Lambda environment variables, ECS container `Environment`, Outputs and
 * Metadata. A value is suspect when it is a dynamic reference to a secret (resolved into
 * plain text at deploy time), a reference to a secret's value attribute, or a literal that
 * looks like a credential. ARNs, names, numbers and references to resources are fine.
 */
export interface Finding {
  readonly where: string;
  readonly why: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const DYNAMIC_SECRET = /\{\{resolve:(secretsmanager|ssm-secure):/;
const ARN_OR_PLAIN = /^(arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+|[A-Za-z0-9_./:@=+-]{0,200})$/;
const CREDENTIAL_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE)/i;

function* walk(value: Json, path: string): Generator<[string, Json]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* walk(item, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}.${key}`);
}

/** Everything that resolves a secret's value or hides a literal credential under `value`. */
function suspects(value: Json, path: string, key: string): Finding[] {
  const findings: Finding[] = [];
  for (const [where, node] of walk(value, path)) {
    if (typeof node === 'string' && DYNAMIC_SECRET.test(node)) {
      findings.push({ where, why: 'a dynamic reference that resolves a secret into plain text' });
    }
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      const getAtt = node['Fn::GetAtt'];
      if (
        Array.isArray(getAtt) &&
        typeof getAtt[1] === 'string' &&
        /SecretString|Password/i.test(getAtt[1])
      ) {
        findings.push({ where, why: `a reference to a secret value (${getAtt[1]})` });
      }
    }
  }
  if (findings.length > 0) return findings;
  if (typeof value === 'string' && CREDENTIAL_KEY.test(key) && !ARN_OR_PLAIN.test(value)) {
    findings.push({ where: path, why: 'a literal that looks like a credential' });
  }
  if (
    typeof value === 'string' &&
    CREDENTIAL_KEY.test(key) &&
    /^[A-Za-z0-9+/_-]{20,}={0,2}$/.test(value) &&
    !value.startsWith('arn:')
  ) {
    if (findings.length === 0)
      findings.push({ where: path, why: 'a long random-looking literal under a credential-like name' });
  }
  return findings;
}

export function scanTemplate(template: { [key: string]: Json }): Finding[] {
  const findings: Finding[] = [];
  const resources = (template.Resources ?? {}) as { [id: string]: { [key: string]: Json } };
  for (const [id, resource] of Object.entries(resources)) {
    const properties = (resource.Properties ?? {}) as { [key: string]: Json };
    if (resource.Type === 'AWS::Lambda::Function') {
      const variables = ((properties.Environment as { [k: string]: Json } | undefined)?.Variables ?? {}) as {
        [k: string]: Json;
      };
      for (const [name, value] of Object.entries(variables)) {
        findings.push(...suspects(value, `${id}.Environment.Variables.${name}`, name));
      }
    }
    if (resource.Type === 'AWS::ECS::TaskDefinition') {
      for (const [i, container] of (
        (properties.ContainerDefinitions ?? []) as Array<{ [k: string]: Json }>
      ).entries()) {
        for (const entry of (container.Environment ?? []) as Array<{ Name: string; Value: Json }>) {
          findings.push(
            ...suspects(
              entry.Value,
              `${id}.ContainerDefinitions[${i}].Environment.${entry.Name}`,
              entry.Name,
            ),
          );
        }
      }
    }
    if (resource.Type === 'AWS::SecretsManager::Secret' && properties.SecretString !== undefined) {
      findings.push({
        where: `${id}.SecretString`,
        why: 'a secret whose value is written into the template',
      });
    }
    if (resource.Metadata !== undefined) findings.push(...suspects(resource.Metadata, `${id}.Metadata`, ''));
  }
  for (const [name, output] of Object.entries((template.Outputs ?? {}) as { [k: string]: Json })) {
    findings.push(...suspects(output, `Outputs.${name}`, name));
  }
  if (template.Metadata !== undefined) findings.push(...suspects(template.Metadata, 'Metadata', ''));
  return findings;
}
