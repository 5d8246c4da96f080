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
