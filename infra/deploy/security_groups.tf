# Traffic: internet -> ALB -> app (api tasks); app -> Postgres, both Redis,
# and HTTPS out (ECR, CloudWatch Logs, SSM) through the NAT gateway.
# Scheduled and one-off tasks use the app group too.

resource "aws_security_group" "alb" {
  name        = "${local.prefix}-alb"
  description = "shortlink ${terraform.workspace}: public load balancer"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${local.prefix}-alb"
  }
}

resource "aws_security_group" "app" {
  name        = "${local.prefix}-app"
  description = "shortlink ${terraform.workspace}: ECS tasks (api, batch, partitions, migrate)"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${local.prefix}-app"
  }
}

resource "aws_security_group" "db" {
  name        = "${local.prefix}-db"
  description = "shortlink ${terraform.workspace}: Postgres, from the ECS tasks only"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${local.prefix}-db"
  }
}

resource "aws_security_group" "redis_cache" {
  name        = "${local.prefix}-redis-cache"
  description = "shortlink ${terraform.workspace}: cache Redis, from the ECS tasks only"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${local.prefix}-redis-cache"
  }
}

resource "aws_security_group" "redis_codes" {
  name        = "${local.prefix}-redis-codes"
  description = "shortlink ${terraform.workspace}: codes Redis, from the ECS tasks only"
  vpc_id      = local.vpc_id

  tags = {
    Name = "${local.prefix}-redis-codes"
  }
}

# --- ALB -------------------------------------------------------------------

locals {
  alb_ingress = {
    for pair in setproduct(local.https_enabled ? [80, 443] : [80], var.allowed_ingress_cidrs) :
    "${pair[0]}-${pair[1]}" => { port = pair[0], cidr = pair[1] }
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_public" {
  for_each = local.alb_ingress

  security_group_id = aws_security_group.alb.id
  description       = "HTTP${each.value.port == 443 ? "S" : ""} from ${each.value.cidr}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the api tasks"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.app.id
}

# --- App -------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "api from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = 8000
  to_port                      = 8000
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs (ECR, S3, CloudWatch Logs, SSM) via NAT / S3 endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "Postgres"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis_cache" {
  security_group_id            = aws_security_group.app.id
  description                  = "cache Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis_cache.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_redis_codes" {
  security_group_id            = aws_security_group.app.id
  description                  = "codes Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis_codes.id
}

# --- Data stores -----------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "Postgres from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "redis_cache_from_app" {
  security_group_id            = aws_security_group.redis_cache.id
  description                  = "Redis from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "redis_codes_from_app" {
  security_group_id            = aws_security_group.redis_codes.id
  description                  = "Redis from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.app.id
}
