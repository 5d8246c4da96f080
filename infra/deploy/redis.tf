# Two Redis 7 replication groups:
#   cache - redirect cache and rate limits: evicts LRU keys, no persistence.
#           Cluster mode (sharded) when redis_cache_cluster_mode is set; the
#           api (rueidis) then finds every shard from the configuration
#           endpoint alone.
#   codes - pool of pre-generated codes: never evicts, daily snapshots.
#           Always a single shard (cluster mode disabled).
# ElastiCache has no AOF for Redis >= 2.8.22 (replicas with Multi-AZ replace
# it); losing the pool is harmless anyway, the api falls back to Postgres.
# No AUTH token: access is restricted by security group (and TLS in transit).

locals {
  redis_family = "redis${split(".", var.redis_engine_version)[0]}"
  redis_scheme = var.redis_transit_encryption ? "rediss" : "redis"

  cache_cluster_mode = var.redis_cache_cluster_mode
  cache_failover     = local.cache_cluster_mode ? true : var.redis_cache_nodes > 1
  cache_multi_az     = local.cache_cluster_mode ? var.redis_cache_replicas_per_shard > 0 : var.redis_cache_nodes > 1

  # A cluster has no database index: only 0 exists.
  redis_cache_url = (
    local.cache_cluster_mode
    ? "${local.redis_scheme}://${aws_elasticache_replication_group.cache.configuration_endpoint_address}:6379"
    : "${local.redis_scheme}://${aws_elasticache_replication_group.cache.primary_endpoint_address}:6379/0"
  )
}

resource "aws_elasticache_subnet_group" "main" {
  name        = "${local.prefix}-redis"
  description = "shortlink ${terraform.workspace} Redis"
  subnet_ids  = local.private_subnet_ids
}

# A new name when cluster mode flips: a group in use cannot be replaced in
# place, so the new one is created first.
resource "aws_elasticache_parameter_group" "cache" {
  name        = "${local.prefix}-cache${local.cache_cluster_mode ? "-cluster" : ""}"
  family      = local.redis_family
  description = "shortlink ${terraform.workspace} cache: allkeys-lru${local.cache_cluster_mode ? ", cluster mode" : ""}"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }

  dynamic "parameter" {
    for_each = local.cache_cluster_mode ? ["yes"] : []

    content {
      name  = "cluster-enabled"
      value = parameter.value
    }
  }

  lifecycle {
    create_before_destroy = true
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
  port                 = 6379
  parameter_group_name = aws_elasticache_parameter_group.cache.name

  cluster_mode            = local.cache_cluster_mode ? "enabled" : "disabled"
  num_cache_clusters      = local.cache_cluster_mode ? null : var.redis_cache_nodes
  num_node_groups         = local.cache_cluster_mode ? var.redis_cache_shards : null
  replicas_per_node_group = local.cache_cluster_mode ? var.redis_cache_replicas_per_shard : null

  subnet_group_name  = aws_elasticache_subnet_group.main.name
  security_group_ids = [aws_security_group.redis_cache.id]

  # Cluster mode requires automatic failover, even without replicas.
  automatic_failover_enabled = local.cache_failover
  multi_az_enabled           = local.cache_multi_az

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
  cluster_mode         = "disabled"
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
