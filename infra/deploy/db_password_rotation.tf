# Rotation of RDS's master password without breaking the running api.
#
# ECS resolves DATABASE_PASSWORD once, when a task starts. After a rotation
# the running api tasks keep their open connections but cannot open new
# ones, so a rotation must be followed at once by a new api deployment
# (scheduled jobs start fresh every time and need nothing). RDS's own
# schedule (every 7 days, at a time of its choosing) cannot be followed like
# that, so it is pushed to the maximum of 1000 days, which only a missed
# rotation of ours can ever reach, and two EventBridge Scheduler schedules
# take over on db_password_rotation_day at db_password_rotation_hour UTC:
#
#   :00  rotate   secretsmanager:RotateSecret on RDS's secret (RDS sets the
#                 new password; takes about a minute)
#   :10  redeploy ecs:UpdateService --force-new-deployment of the api: new
#                 tasks read the new password, old ones drain
#
# Between the two, an old task needing a new connection fails the request
# (503), which is why the gap is short and the default hour quiet.

locals {
  db_password_rotation = var.db_password_rotation_day > 0

  db_password_schedules = {
    for name, schedule in {
      rotate = {
        description = "Rotate the RDS master password (RDS-managed secret)"
        minute      = 0
        target      = "arn:${local.partition}:scheduler:::aws-sdk:secretsmanager:rotateSecret"
        input       = { SecretId = local.db_secret_arn, RotateImmediately = true }
      }
      redeploy = {
        description = "Redeploy the api so that its tasks read the rotated password"
        minute      = 10
        target      = "arn:${local.partition}:scheduler:::aws-sdk:ecs:updateService"
        input       = { Cluster = aws_ecs_cluster.main.arn, Service = aws_ecs_service.api.name, ForceNewDeployment = true }
      }
    } : name => schedule if local.db_password_rotation
  }
}

resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id = local.db_secret_arn

  # No rotation now: the tasks running at apply time would lose new connections.
  rotate_immediately = false

  rotation_rules {
    automatically_after_days = 1000
  }
}

resource "aws_scheduler_schedule" "db_password" {
  for_each = local.db_password_schedules

  name        = "${local.prefix}-db-password-${each.key}"
  group_name  = aws_scheduler_schedule_group.main.name
  description = each.value.description
  state       = "ENABLED"

  schedule_expression          = "cron(${each.value.minute} ${var.db_password_rotation_hour} ${var.db_password_rotation_day} * ? *)"
  schedule_expression_timezone = "UTC"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = each.value.target
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode(each.value.input)

    retry_policy {
      # Late is fine, but the redeploy must not run before the rotation.
      maximum_event_age_in_seconds = 300
      maximum_retry_attempts       = 2
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
