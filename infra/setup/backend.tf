# State of the shared resources lives in the S3 bucket this module creates.
#
# Partial configuration: bucket, key, region and dynamodb_table are given at
# init time, e.g.
#
#   terraform init \
#     -backend-config=bucket=<state bucket> \
#     -backend-config=key=shortlink/setup.tfstate \
#     -backend-config=region=us-east-1 \
#     -backend-config=dynamodb_table=shortlink-tfstate-lock \
#     -backend-config=encrypt=true
#
# Bootstrap (the bucket does not exist yet): put a file `backend_override.tf`
# containing `terraform { backend "local" {} }` next to this one, init and
# apply with local state, delete the override, then `init -migrate-state`.
# See docs/operations.md (Deploy on AWS).
terraform {
  backend "s3" {}
}
