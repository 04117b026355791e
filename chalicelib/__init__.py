"""callcard: call tracking on Chalice, DynamoDB and S3."""
