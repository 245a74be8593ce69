export { SecretRotation, type SecretRotationProps } from './secret-rotation';
export type { RotationScheduleProps } from './rotation-schedule';
export {
  RotationStrategy,
  type AlternatingUsersRotationOptions,
  type CertificateRotationOptions,
  type DatabaseRotationOptions,
  type GenericKind,
  type GenericRotationOptions,
  type RotationPasswordOptions,
  type RotationStrategyName,
} from './rotation-strategy';
