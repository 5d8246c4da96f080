# Two Redis 7 replication groups (cluster mode disabled):
#   cache - redirect cache and rate limits: evicts LRU keys, no persistence.
#   codes - pool of pre-generated codes: never evicts, daily snapshots.
# ElastiCache has no AOF for Redis >= 2.8.22 (replicas with Multi-AZ replace
# it); losing the pool is harmless anyway, the api falls back to Postgres.
# No AUTH token: access is restricted by security group (and TLS in transit).

locals {
  redis_family = "redis${split(".", var.redis_engine_version)[0]}"
  redis_scheme = var.redis_transit_encryption ? "rediss" : "redis"
}

resource "aws_elasticache_subnet_group" "main" {
  name        = "${local.prefix}-redis"
  description = "shortlink ${terraform.workspace} Redis"
  subnet_ids  = local.private_subnet_ids
}

resource "aws_elasticache_parameter_group" "cache" {
  name        = "${local.prefix}-cache"
  family      = local.redis_family
  description = "shortlink ${terraform.workspace} cache: allkeys-lru"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }
}

resource "aws_elasticache_parameter_group" "codes" {
  name        = "${local.prefix}-codes"
  family      = local.redis_family
  description = "shortlink ${terraform.workspace} codes: noeviction"

  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "${local.prefix}-cache"
  description          = "shortlink ${terraform.workspace} redirect cache"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_cache_node_type
  num_cache_clusters   = var.redis_cache_nodes
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.cache.name

  subnet_group_name  = aws_elasticache_subnet_group.main.name
  security_group_ids = [aws_security_group.redis_cache.id]

  automatic_failover_enabled = var.redis_cache_nodes > 1
  multi_az_enabled           = var.redis_cache_nodes > 1

  at_rest_encryption_enabled = true
  transit_encryption_enabled = var.redis_transit_encryption

  snapshot_retention_limit = 0
  maintenance_window       = "sun:05:00-sun:06:00"
  apply_immediately        = var.apply_immediately
}

resource "aws_elasticache_replication_group" "codes" {
  replication_group_id = "${local.prefix}-codes"
  description          = "shortlink ${terraform.workspace} code pool"

  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_codes_node_type
  num_cache_clusters   = var.redis_codes_nodes
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.codes.name

  subnet_group_name  = aws_elasticache_subnet_group.main.name
  security_group_ids = [aws_security_group.redis_codes.id]

  automatic_failover_enabled = var.redis_codes_nodes > 1
  multi_az_enabled           = var.redis_codes_nodes > 1

  at_rest_encryption_enabled = true
  transit_encryption_enabled = var.redis_transit_encryption

  snapshot_retention_limit = var.redis_codes_snapshot_retention_days
  snapshot_window          = "02:00-03:00"
  maintenance_window       = "sun:05:00-sun:06:00"
  apply_immediately        = var.apply_immediately
}
