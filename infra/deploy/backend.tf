# One state per workspace (staging, production, ...) in the bucket created by
# ../setup. Partial configuration, given at init time:
#
#   terraform init \
#     -backend-config=bucket=<state bucket> \
#     -backend-config=key=shortlink/deploy.tfstate \
#     -backend-config=region=us-east-1 \
#     -backend-config=dynamodb_table=shortlink-tfstate-lock \
#     -backend-config=encrypt=true
#
# Non-default workspaces are stored under env:/<workspace>/<key>.
terraform {
  backend "s3" {}
}
