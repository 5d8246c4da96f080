variable "project" {
  description = "Project name, used as a prefix for resource names and as the Project tag."
  type        = string
  default     = "shortlink"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region for all resources. null uses AWS_REGION / AWS_DEFAULT_REGION from the environment."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags added to every resource (on top of Project, Component, ManagedBy)."
  type        = map(string)
  default     = {}
}

# --- Terraform state -------------------------------------------------------

variable "tf_state_bucket" {
  description = "Name of the S3 bucket holding Terraform state for setup and deploy (globally unique; same value as TF_STATE_BUCKET in the Makefile)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.tf_state_bucket))
    error_message = "tf_state_bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "tf_state_lock_table" {
  description = "Name of the DynamoDB table used for Terraform state locking (same value as TF_LOCK_TABLE in the Makefile)."
  type        = string
  default     = "shortlink-tfstate-lock"
}

variable "tf_state_noncurrent_version_days" {
  description = "Days to keep non-current (overwritten) versions of state files."
  type        = number
  default     = 90
}

# --- Container registry ----------------------------------------------------

variable "ecr_repository_name" {
  description = "Name of the ECR repository holding the shortlink image (api, batch, migrate, partitions)."
  type        = string
  default     = "shortlink"
}

variable "ecr_image_tag_mutability" {
  description = "IMMUTABLE (recommended: every rollout is a new tag, e.g. the git SHA) or MUTABLE."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["IMMUTABLE", "MUTABLE"], var.ecr_image_tag_mutability)
    error_message = "ecr_image_tag_mutability must be IMMUTABLE or MUTABLE."
  }
}

variable "ecr_keep_images" {
  description = "Number of most recent images kept in ECR; older ones are expired."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 1
    error_message = "ecr_keep_images must be at least 1."
  }
}

variable "ecr_untagged_expiry_days" {
  description = "Untagged images (e.g. superseded layers of a mutable tag) are expired after this many days."
  type        = number
  default     = 7
}

variable "ecr_force_delete" {
  description = "Allow terraform destroy to delete the ECR repository even if it still contains images."
  type        = bool
  default     = false
}

# --- Network ---------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets (ALB, NAT), one per availability zone."
  type        = list(string)
  default     = ["10.0.0.0/24", "10.0.1.0/24"]

  validation {
    condition     = length(var.public_subnet_cidrs) >= 2
    error_message = "At least two public subnets are needed (an ALB spans two AZs)."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets (ECS tasks, RDS, ElastiCache), one per availability zone, same count as public_subnet_cidrs."
  type        = list(string)
  default     = ["10.0.16.0/20", "10.0.32.0/20"]

  validation {
    condition     = length(var.private_subnet_cidrs) >= 2
    error_message = "At least two private subnets are needed (RDS and ElastiCache subnet groups span two AZs)."
  }
}

variable "nat_gateway_per_az" {
  description = "true: one NAT gateway per AZ (survives an AZ outage, costs one gateway per AZ). false: a single shared NAT gateway."
  type        = bool
  default     = false
}
