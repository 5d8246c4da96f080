# Consumed by ../deploy through terraform_remote_state.

output "aws_region" {
  description = "Region the shared resources live in."
  value       = data.aws_region.current.region
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.main.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC (the app trusts X-Forwarded-For from it)."
  value       = aws_vpc.main.cidr_block
}

output "availability_zones" {
  description = "Availability zones of the subnets, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (ALB)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (ECS tasks, RDS, ElastiCache)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_cidrs" {
  description = "CIDRs of the public subnets."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_cidrs" {
  description = "CIDRs of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "nat_public_ips" {
  description = "Public IPs the private subnets egress from (to allow-list elsewhere if needed)."
  value       = aws_eip.nat[*].public_ip
}

output "ecr_repository_url" {
  description = "URL of the ECR repository (docker push <url>:<tag>)."
  value       = aws_ecr_repository.app.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the ECR repository (the task execution role may pull from it only)."
  value       = aws_ecr_repository.app.arn
}

output "ecr_repository_name" {
  description = "Name of the ECR repository."
  value       = aws_ecr_repository.app.name
}

output "tf_state_bucket" {
  description = "S3 bucket holding Terraform state."
  value       = aws_s3_bucket.tf_state.bucket
}

output "tf_state_lock_table" {
  description = "DynamoDB table used for Terraform state locking."
  value       = aws_dynamodb_table.tf_lock.name
}
