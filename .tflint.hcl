# tflint configuration for both Terraform root modules (infra/setup,
# infra/deploy); `make lintformat` runs it with --chdir on each.
#
# Only the terraform ruleset bundled with tflint is used: no `source`, so
# `tflint --init` has nothing to download and CI needs no network for it.

config {
  # The modules call no other modules.
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
