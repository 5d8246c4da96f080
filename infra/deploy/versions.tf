terraform {
  # 1.7: `removed` blocks (secrets.tf).
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
