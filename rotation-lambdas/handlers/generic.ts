import { createRotationHandler } from '../protocol';
import { genericStrategyFromEnv } from '../strategies/generic';

/** Lambda entry: generic rotation. Configured by GENERIC_KIND, JSON_FIELD, API_KEY_PREFIX and the password policy variables. */
export const handler = createRotationHandler(genericStrategyFromEnv(process.env));
