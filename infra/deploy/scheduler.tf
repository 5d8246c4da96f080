# EventBridge Scheduler runs the jobs as one-off Fargate tasks.
# batch --once tops up the code pool; partitions --ahead N creates the
# monthly partitions ahead of time (the api also does it at start) and, with
# --prune, applies retention: links that ended VISIT_RETENTION months ago,
# link partitions left empty, visit counters older than VISIT_RETENTION. The password rotation schedules are in db_password_rotation.tf.

locals {
  schedules = {
    batch = {
      expression  = var.batch_schedule
      description = "Top up the code pool (batch --once)"
      # A missed minute is simply skipped: the next run catches up.
      max_event_age = 60
      retries       = 0
    }
    partitions = {
      expression    = var.partitions_schedule
      description   = "Partition maintenance (${join(" ", local.jobs.partitions)})"
      max_event_age = 3600
      retries       = 3
    }
  }
}

resource "aws_scheduler_schedule_group" "main" {
  name = local.prefix
}

resource "aws_scheduler_schedule" "job" {
  for_each = local.schedules

  name        = "${local.prefix}-${each.key}"
  group_name  = aws_scheduler_schedule_group.main.name
  description = each.value.description
  state       = var.schedules_enabled ? "ENABLED" : "DISABLED"

  schedule_expression          = each.value.expression
  schedule_expression_timezone = "UTC"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.main.arn
    role_arn = aws_iam_role.scheduler.arn

    ecs_parameters {
      task_definition_arn     = aws_ecs_task_definition.job[each.key].arn
      launch_type             = "FARGATE"
      task_count              = 1
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"

      network_configuration {
        subnets          = local.private_subnet_ids
        security_groups  = [aws_security_group.app.id]
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_event_age_in_seconds = each.value.max_event_age
      maximum_retry_attempts       = each.value.retries
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
