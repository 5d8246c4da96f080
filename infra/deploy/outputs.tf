output "alb_dns_name" {
  description = "DNS name of the load balancer (point your domain's alias/CNAME here)."
  value       = aws_lb.api.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone ID of the load balancer, for a Route 53 alias record."
  value       = aws_lb.api.zone_id
}

output "public_base_url" {
  description = "PUBLIC_BASE_URL of this workspace: short URLs are <public_base_url>/<code>."
  value       = local.public_base_url
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service_name" {
  description = "Name of the api ECS service."
  value       = aws_ecs_service.api.name
}

output "task_definition_families" {
  description = "Task definition families, by process (run-task takes the family for the latest revision)."
  value = merge(
    { api = aws_ecs_task_definition.api.family },
    { for name, td in aws_ecs_task_definition.job : name => td.family },
  )
}

output "rds_endpoint" {
  description = "Postgres endpoint (host:port)."
  value       = aws_db_instance.main.endpoint
}

output "redis_cache_endpoint" {
  description = "Endpoint of the cache Redis (host:port): the primary, or in cluster mode the configuration endpoint."
  value = (
    local.cache_cluster_mode
    ? "${aws_elasticache_replication_group.cache.configuration_endpoint_address}:6379"
    : "${aws_elasticache_replication_group.cache.primary_endpoint_address}:6379"
  )
}

output "redis_codes_endpoint" {
  description = "Primary endpoint of the codes Redis (host:port)."
  value       = "${aws_elasticache_replication_group.codes.primary_endpoint_address}:6379"
}

output "log_group_names" {
  description = "CloudWatch log groups, by process."
  value       = { for name, g in aws_cloudwatch_log_group.app : name => g.name }
}

output "ssm_parameter_names" {
  description = "SSM SecureString parameters Terraform writes for the app (API_KEYS, ADMIN_KEYS, when set)."
  value       = [for p in aws_ssm_parameter.key_list : p.name]
}

output "db_secret_arn" {
  description = "ARN of RDS's own Secrets Manager secret holding the master user name and password (psql: aws secretsmanager get-secret-value --secret-id <arn>)."
  value       = local.db_secret_arn
}

output "app_security_group_id" {
  description = "Security group of the ECS tasks (use it for one-off tasks)."
  value       = aws_security_group.app.id
}

output "private_subnet_ids" {
  description = "Private subnets the tasks run in."
  value       = local.private_subnet_ids
}

output "migrate_command" {
  description = "AWS CLI command running the migrations once (migrate up) as a Fargate task."
  value = join(" ", [
    "aws ecs run-task",
    "--region ${local.region}",
    "--cluster ${aws_ecs_cluster.main.name}",
    "--task-definition ${aws_ecs_task_definition.job["migrate"].family}",
    "--launch-type FARGATE",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", local.private_subnet_ids)}],securityGroups=[${aws_security_group.app.id}],assignPublicIp=DISABLED}'",
    "--query 'tasks[0].taskArn' --output text",
  ])
}

output "extra_domains_validation" {
  description = "The DNS records (CNAME) that prove the extra_domains are yours to ACM: create them where each domain's zone is."
  value = length(aws_acm_certificate.extra) == 0 ? [] : [
    for o in aws_acm_certificate.extra[0].domain_validation_options : {
      domain = o.domain_name
      name   = o.resource_record_name
      type   = o.resource_record_type
      value  = o.resource_record_value
    }
  ]
}
