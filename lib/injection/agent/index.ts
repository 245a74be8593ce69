export { SecretsAgent, startSecretsAgent } from './secrets-agent';
export type { AgentStats } from './secrets-agent';
export type { AgentHost, SecretsAgentOptions } from './agent-options';
export { DEFAULT_TOKEN_HEADERS, DEFAULT_TOKEN_VARIABLES } from './ssrf-token';
