# Shared inputs: the setup module's outputs, naming, account/region facts.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "terraform_remote_state" "setup" {
  backend = "s3"

  # setup lives in the default workspace of its own key.
  config = {
    bucket = var.tf_state_bucket
    key    = var.tf_state_setup_key
    region = var.tf_state_region
  }

  lifecycle {
    precondition {
      condition     = terraform.workspace != "default"
      error_message = "Select a named workspace (TF_WORKSPACE=staging, production, ...): resource names and state are per workspace."
    }
    precondition {
      condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", local.prefix)) && length(local.prefix) <= 28
      error_message = "\"<project>-<workspace>\" must be lowercase letters, digits and single hyphens, at most 28 characters (ALB, target group and ElastiCache name limits)."
    }
  }
}

locals {
  prefix = "${var.project}-${terraform.workspace}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  setup              = data.terraform_remote_state.setup.outputs
  vpc_id             = local.setup.vpc_id
  vpc_cidr_block     = local.setup.vpc_cidr_block
  public_subnet_ids  = local.setup.public_subnet_ids
  private_subnet_ids = local.setup.private_subnet_ids

  image = "${local.setup.ecr_repository_url}:${var.image_tag}"

  https_enabled = var.certificate_arn != ""
}
