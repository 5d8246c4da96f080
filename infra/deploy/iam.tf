# Least-privilege roles:
#   execution - used by the ECS agent: pull the image, write logs, read the
#               app's SSM parameters and the database password. Nothing else.
#   task      - assumed by the app itself. The app calls no AWS API, so it
#               holds no permissions unless ECS Exec is enabled.
#   scheduler - used by EventBridge Scheduler: run the two job task
#               definitions in this cluster and pass the two roles above;
#               rotate the database password and redeploy the api service.

# --- Task execution role -----------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume_execution" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.prefix}-ecs-execution"
  description        = "ECS agent for shortlink ${terraform.workspace}: pull image, write logs, read secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume_execution.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [local.setup.ecr_repository_arn]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in aws_cloudwatch_log_group.app : "${g.arn}:*"]
  }

  # SecureStrings use the AWS managed key aws/ssm: no kms:Decrypt needed.
  dynamic "statement" {
    for_each = length(local.ssm_parameter_arns) > 0 ? [local.ssm_parameter_arns] : []

    content {
      sid       = "SsmSecrets"
      actions   = ["ssm:GetParameters"]
      resources = statement.value
    }
  }

  statement {
    sid       = "DatabasePassword"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn]
  }

  # Only for a customer managed key; aws/secretsmanager needs no grant.
  dynamic "statement" {
    for_each = var.db_secret_kms_key_id == null ? [] : [var.db_secret_kms_key_id]

    content {
      sid       = "DatabasePasswordKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- Task role ---------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume_task" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${local.prefix}-ecs-task"
  description        = "shortlink ${terraform.workspace} app tasks (no AWS permissions unless ECS Exec is on)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume_task.json
}

data "aws_iam_policy_document" "task_exec" {
  statement {
    sid = "EcsExec"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "task_exec" {
  count = var.enable_execute_command ? 1 : 0

  name   = "ecs-exec"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_exec.json
}

# --- EventBridge Scheduler role ----------------------------------------------

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.prefix}-scheduler"
  description        = "EventBridge Scheduler: run shortlink ${terraform.workspace} jobs on ECS"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunJobTasks"
    actions   = ["ecs:RunTask"]
    resources = [for name in keys(local.schedules) : "${aws_ecs_task_definition.job[name].arn_without_revision}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.main.arn]
    }
  }

  # RunTask with tags (propagated from the task definition) needs this.
  statement {
    sid       = "TagJobTasks"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.main.name}/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  dynamic "statement" {
    for_each = local.db_password_rotation ? [1] : []

    content {
      sid       = "RotateDatabasePassword"
      actions   = ["secretsmanager:RotateSecret"]
      resources = [local.db_secret_arn]
    }
  }

  dynamic "statement" {
    for_each = local.db_password_rotation ? [1] : []

    content {
      sid       = "RedeployApi"
      actions   = ["ecs:UpdateService"]
      resources = [aws_ecs_service.api.arn]
    }
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "run-jobs"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
