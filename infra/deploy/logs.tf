# One log group per process; stream prefix = process name.

locals {
  processes = toset(["api", "batch", "partitions", "migrate"])
}

resource "aws_cloudwatch_log_group" "app" {
  for_each = local.processes

  name              = "/ecs/${local.prefix}/${each.key}"
  retention_in_days = var.log_retention_days
}
