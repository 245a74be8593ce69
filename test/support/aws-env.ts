// Every test process gets a region, dummy credentials and an endpoint that refuses
// connections, so no test can reach a real AWS endpoint even by accident.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'AKIAKEYSTAGETEST0000';
process.env.AWS_SECRET_ACCESS_KEY = 'keystage-test-dummy-secret-access-key';
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
