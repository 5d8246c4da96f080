provider "aws" {
  # null = take the region from AWS_REGION / AWS_DEFAULT_REGION.
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        Project   = var.project
        Component = "setup"
        ManagedBy = "terraform"
      },
      var.tags,
    )
  }
}

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
