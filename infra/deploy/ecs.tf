# ECS Fargate: the api service and the task definitions of the jobs.
#
# One image holds api, batch, migrate and partitions. The image's default
# command runs migrations + partitions, then api; the jobs only override
# `command`.

locals {
  common_environment = {
    API_ADDR        = ":8000"
    PUBLIC_BASE_URL = local.public_base_url
    # No password here: DATABASE_PASSWORD comes from RDS's secret (secrets.tf).
    DATABASE_URL         = "postgres://${var.db_username}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/${var.db_name}?sslmode=require"
    REDIS_CACHE_URL      = local.redis_cache_url
    REDIS_CODES_URL      = "${local.redis_scheme}://${aws_elasticache_replication_group.codes.primary_endpoint_address}:6379/0"
    DEFAULT_TTL          = var.default_ttl
    MAX_TTL              = var.max_ttl
    CACHE_TTL            = var.cache_ttl
    MAX_URL_LENGTH       = tostring(var.max_url_length)
    CODE_QUARANTINE      = var.code_quarantine
    POOL_TARGET          = tostring(var.pool_target)
    POOL_LOW_WATER       = tostring(var.pool_low_water)
    LOG_LEVEL            = var.log_level
    LOG_CLIENT_IP        = tostring(var.log_client_ip)
    CREATE_RATE_LIMIT    = tostring(var.create_rate_limit)
    MISS_RATE_LIMIT      = tostring(var.miss_rate_limit)
    VISIT_FLUSH_INTERVAL = var.visit_flush_interval
    VISIT_RETENTION      = tostring(var.visit_retention)
    SHUTDOWN_DRAIN       = "${var.shutdown_drain_seconds}s"
    SHUTDOWN_TIMEOUT     = "${var.shutdown_timeout_seconds}s"
    DB_MAX_OPEN_CONNS    = tostring(var.db_max_open_conns)
    # Read by the image's entrypoint when the api starts.
    MIGRATE_ON_START = var.migrate_on_start ? "1" : "0"
    PARTITIONS_AHEAD = tostring(var.partitions_ahead)
    # Clients reach the tasks only through the ALB, whose nodes have
    # addresses in the VPC: trust X-Forwarded-For from there.
    TRUSTED_PROXIES = local.vpc_cidr_block
  }

  # Go's soft memory limit at 80% of the task's memory leaves room for what
  # the runtime does not count (binary, thread stacks) below the hard limit.
  api_environment = merge(local.common_environment, {
    GOMEMLIMIT        = "${floor(var.api_memory * 0.8)}MiB"
    LOCAL_CACHE_BYTES = tostring(var.local_cache_mib * 1048576)
    # The ALB forwards every path to the api's port, /metrics included:
    # serve it on a port of its own, which no security group rule opens
    # (add one for a scraper).
    METRICS_ADDR = ":9100"
  }, var.extra_environment)
  job_environment = merge(local.common_environment, {
    GOMEMLIMIT = "${floor(var.job_memory * 0.8)}MiB"
  }, var.extra_environment)

  # Sorted, as ECS returns them, to keep plans free of spurious diffs.
  api_container_environment = [
    for name in sort(keys(local.api_environment)) : { name = name, value = local.api_environment[name] }
  ]
  job_container_environment = [
    for name in sort(keys(local.job_environment)) : { name = name, value = local.job_environment[name] }
  ]

  # Jobs run by EventBridge Scheduler (scheduler.tf) or by hand (migrate).
  jobs = {
    batch      = ["batch", "--once"]
    partitions = concat(["partitions", "--ahead", tostring(var.partitions_ahead)], var.partitions_prune ? ["--prune"] : [])
    migrate    = ["migrate", "up"]
  }

  # Shutdown of an api task (docs/operations.md, "Rolling restarts"): ECS deregisters it
  # from the target group and waits deregistration_delay, then SIGTERM; the
  # api drains for SHUTDOWN_DRAIN + SHUTDOWN_TIMEOUT; SIGKILL comes only
  # after stopTimeout, which leaves 10 s for the final visit flush.
  api_stop_timeout = var.shutdown_drain_seconds + var.shutdown_timeout_seconds + 10

  runtime_platform = {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }
}

resource "aws_ecs_cluster" "main" {
  name = local.prefix

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }
}

# --- api -----------------------------------------------------------------------

resource "aws_ecs_task_definition" "api" {
  family                   = "${local.prefix}-api"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.api_cpu
  memory                   = var.api_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = local.runtime_platform.operating_system_family
    cpu_architecture        = local.runtime_platform.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name      = "api"
      image     = local.image
      essential = true
      portMappings = [
        { containerPort = 8000, hostPort = 8000, protocol = "tcp" },
      ]
      environment = local.api_container_environment
      secrets     = local.container_secrets
      # Liveness probe built into the binary (GET /v1/health, no
      # dependencies); readiness is the ALB health check.
      healthCheck = {
        command     = ["CMD", "/usr/local/bin/api", "-healthcheck"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 120
      }
      # SIGTERM, then at most this long before SIGKILL.
      stopTimeout = local.api_stop_timeout
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app["api"].name
          awslogs-region        = local.region
          awslogs-stream-prefix = "api"
        }
      }
    },
  ])

  # Keep old revisions registered so a rollback (circuit breaker or manual)
  # can always start them.
  skip_destroy = true

  lifecycle {
    precondition {
      condition     = var.shutdown_drain_seconds <= var.deregistration_delay
      error_message = "shutdown_drain_seconds must not exceed deregistration_delay: the ALB must keep draining a task for as long as it still serves."
    }
    precondition {
      condition     = local.api_stop_timeout <= 120
      error_message = "shutdown_drain_seconds + shutdown_timeout_seconds + 10 must be at most 120 (Fargate's longest stopTimeout)."
    }
    precondition {
      condition     = var.local_cache_mib >= 1 && var.local_cache_mib * 4 <= var.api_memory
      error_message = "local_cache_mib must be at least 1 and at most a quarter of api_memory."
    }
  }
}

resource "aws_ecs_service" "api" {
  name            = "api"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.api.arn
  desired_count   = var.api_min_count
  launch_type     = "FARGATE"

  platform_version                  = "LATEST"
  health_check_grace_period_seconds = var.health_check_grace_period_seconds
  enable_execute_command            = var.enable_execute_command
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = var.wait_for_steady_state

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.api.arn
    container_name   = "api"
    container_port   = 8000
  }

  lifecycle {
    # Autoscaling owns the running count.
    ignore_changes = [desired_count]
  }

  depends_on = [
    aws_lb_listener.http,
    aws_lb_listener.https,
    aws_iam_role_policy.execution,
  ]
}

# --- jobs ----------------------------------------------------------------------

resource "aws_ecs_task_definition" "job" {
  for_each = local.jobs

  family                   = "${local.prefix}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.job_cpu
  memory                   = var.job_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = local.runtime_platform.operating_system_family
    cpu_architecture        = local.runtime_platform.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name        = each.key
      image       = local.image
      essential   = true
      command     = each.value
      environment = local.job_container_environment
      secrets     = local.container_secrets
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app[each.key].name
          awslogs-region        = local.region
          awslogs-stream-prefix = each.key
        }
      }
    },
  ])

  skip_destroy = true
}
