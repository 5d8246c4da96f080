# Secrets reach the tasks as ECS `secrets`, resolved by the ECS agent when a
# task starts (so a changed value takes effect on the next deployment):
#
#   DATABASE_PASSWORD  the `password` key of RDS's own master-user secret in
#                      Secrets Manager (rds.tf); DATABASE_URL carries none
#   API_KEYS           SSM SecureString, when api_keys is set
#   ADMIN_KEYS         SSM SecureString, when admin_keys is set
#   CODE_SECRET        only when code_secret_ssm_parameter names a parameter
#                      you created; otherwise the service generates its own
#                      secret once and keeps it in Postgres
#
# The SSM parameters use the AWS managed key aws/ssm (free standard tier).
# api_keys and admin_keys are also in the Terraform state, which is why the
# state bucket is encrypted and private; the database password and an
# operator-provided CODE_SECRET never are.

locals {
  ssm_prefix = "/${var.project}/${terraform.workspace}"

  # Key lists Terraform writes to SSM, by environment variable name; only
  # the names of the non-empty ones decide what exists.
  key_list_values = { API_KEYS = var.api_keys, ADMIN_KEYS = var.admin_keys }
  key_list_names = toset(concat(
    nonsensitive(var.api_keys != "") ? ["API_KEYS"] : [],
    nonsensitive(var.admin_keys != "") ? ["ADMIN_KEYS"] : [],
  ))

  db_secret_arn = aws_db_instance.main.master_user_secret[0].secret_arn

  code_secret_parameter_arn = (
    var.code_secret_ssm_parameter == ""
    ? null
    : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter${var.code_secret_ssm_parameter}"
  )
}

resource "aws_ssm_parameter" "key_list" {
  for_each = local.key_list_names

  name        = "${local.ssm_prefix}/${each.key}"
  description = "shortlink ${terraform.workspace}: ${each.key} (comma-separated, 16+ characters each)"
  type        = "SecureString"
  value       = local.key_list_values[each.key]
}

moved {
  from = aws_ssm_parameter.api_keys[0]
  to   = aws_ssm_parameter.key_list["API_KEYS"]
}

# Earlier releases generated CODE_SECRET with random_password and stored it
# here. Forget the parameter without deleting it: a workspace created then
# keeps its codes consistent by pointing code_secret_ssm_parameter at
# "/<project>/<workspace>/CODE_SECRET" (docs/operations.md: "Upgrading a workspace created by an earlier release").
removed {
  from = aws_ssm_parameter.code_secret

  lifecycle {
    destroy = false
  }
}

locals {
  ssm_parameter_arns = concat(
    [for p in aws_ssm_parameter.key_list : p.arn],
    local.code_secret_parameter_arn == null ? [] : [local.code_secret_parameter_arn],
  )

  # Sorted by name, as ECS returns them, to keep plans free of spurious diffs.
  container_secrets = concat(
    [for name, p in aws_ssm_parameter.key_list : { name = name, valueFrom = p.arn }],
    local.code_secret_parameter_arn == null ? [] : [{ name = "CODE_SECRET", valueFrom = local.code_secret_parameter_arn }],
    [{ name = "DATABASE_PASSWORD", valueFrom = "${local.db_secret_arn}:password::" }],
  )
}
