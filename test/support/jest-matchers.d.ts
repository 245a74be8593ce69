// Brings the aws-sdk-client-mock-jest matchers (toHaveReceivedCommandWith, ...) into jest's types.
import 'aws-sdk-client-mock-jest';
