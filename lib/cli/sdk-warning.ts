/**
 * The variable with which AWS SDK for JavaScript v3 (@aws-sdk/core) skips its
 * NodeVersionSupportWarning ("versions published after the first week of January 2027 will
 * require node >=22"), emitted once per process when the first client is created on Node < 22.
 */
export const SDK_NODE_WARNING_VARIABLE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Turns the SDK's Node.js support notice off for this process, unless the environment already
 * says otherwise. keystage's commands run on the Node.js 20 they support; the notice is for the
 * services that embed the SDK (the README says how they silence it), not for a keystage user.
 * Only the CLI calls this: the library never changes its host's environment.
 * @example
 * quietSdkRuntimeWarning(); // before the first SDK client is created
 */
export function quietSdkRuntimeWarning(env: NodeJS.ProcessEnv = process.env): void {
  env[SDK_NODE_WARNING_VARIABLE] ??= 'true';
}
