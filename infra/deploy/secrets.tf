# Secrets reach the tasks through SSM Parameter Store SecureStrings (AWS
# managed key aws/ssm, free standard tier); ECS injects them at task start,
# so a changed value takes effect on the next deployment.

locals {
  ssm_prefix       = "/${var.project}/${terraform.workspace}"
  api_keys_enabled = nonsensitive(var.api_keys != "")

  database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.db_username,
    random_password.db.result,
    aws_db_instance.main.address,
    aws_db_instance.main.port,
    var.db_name,
  )
}

resource "random_password" "code_secret" {
  length  = 64
  special = false
}

resource "aws_ssm_parameter" "database_url" {
  name        = "${local.ssm_prefix}/DATABASE_URL"
  description = "shortlink ${terraform.workspace}: Postgres connection URL"
  type        = "SecureString"
  value       = local.database_url
}

resource "aws_ssm_parameter" "code_secret" {
  name        = "${local.ssm_prefix}/CODE_SECRET"
  description = "shortlink ${terraform.workspace}: key of the code permutation (never change on a live database)"
  type        = "SecureString"
  value       = var.code_secret != "" ? var.code_secret : random_password.code_secret.result
}

resource "aws_ssm_parameter" "api_keys" {
  count = local.api_keys_enabled ? 1 : 0

  name        = "${local.ssm_prefix}/API_KEYS"
  description = "shortlink ${terraform.workspace}: API keys required for creates"
  type        = "SecureString"
  value       = var.api_keys
}

locals {
  secret_parameter_arns = concat(
    [aws_ssm_parameter.database_url.arn, aws_ssm_parameter.code_secret.arn],
    aws_ssm_parameter.api_keys[*].arn,
  )

  container_secrets = concat(
    [
      { name = "CODE_SECRET", valueFrom = aws_ssm_parameter.code_secret.arn },
      { name = "DATABASE_URL", valueFrom = aws_ssm_parameter.database_url.arn },
    ],
    [for p in aws_ssm_parameter.api_keys : { name = "API_KEYS", valueFrom = p.arn }],
  )
}
