# Shared, long-lived resources of every shortlink workspace:
#   state.tf   - S3 state bucket and DynamoDB lock table
#   ecr.tf     - the image repository
#   network.tf - VPC, subnets, NAT, S3 endpoint
# This file holds the facts the others read: region and availability zones.

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
