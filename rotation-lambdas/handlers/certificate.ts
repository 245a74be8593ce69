import { createRotationHandler } from '../protocol';
import { certificateStrategyFromEnv } from '../strategies/certificate';

/** Lambda entry: certificate rotation. Configured by CA_SECRET_ARN (the CA secret's ARN). */
export const handler = createRotationHandler(certificateStrategyFromEnv(process.env));
