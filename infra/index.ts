/**
 * `keystage/infra`: the CDK side of keystage, a separate entry point so that services and
 * rotation Lambda bundles that import `keystage` never load aws-cdk-lib.
 * The constructs (keys, managed secrets, rotation, monitoring, ECS/Lambda wiring) are added here.
 */
export {};
