# --- General ---------------------------------------------------------------

variable "project" {
  description = "Project name; resources are named \"<project>-<workspace>-...\"."
  type        = string
  default     = "shortlink"
}

variable "aws_region" {
  description = "AWS region of the app. null uses AWS_REGION / AWS_DEFAULT_REGION; must be the region the setup module was applied in."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags added to every resource (on top of Project, Environment, Component, ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "apply_immediately" {
  description = "Apply RDS/ElastiCache modifications now instead of in the next maintenance window."
  type        = bool
  default     = false
}

# --- Remote state of ../setup ----------------------------------------------

variable "tf_state_bucket" {
  description = "S3 bucket holding the setup module's state (TF_STATE_BUCKET)."
  type        = string
}

variable "tf_state_region" {
  description = "Region of the state bucket (TF_STATE_REGION)."
  type        = string
  default     = "us-east-1"
}

variable "tf_state_setup_key" {
  description = "State key of the setup module in the state bucket."
  type        = string
  default     = "shortlink/setup.tfstate"
}

# --- Image and tasks -------------------------------------------------------

variable "image_tag" {
  description = "Tag of the shortlink image in the setup ECR repository (e.g. the git SHA). Rolling out = push a new tag, apply with it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the image: X86_64 or ARM64 (Graviton, ~20% cheaper; build with --platform linux/arm64)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "api_cpu" {
  description = "CPU units of one api task (1024 = 1 vCPU); must be a valid Fargate cpu/memory pair."
  type        = number
  default     = 256
}

variable "api_memory" {
  description = "Memory (MiB) of one api task."
  type        = number
  default     = 512
}

variable "job_cpu" {
  description = "CPU units of the batch, partitions and migrate tasks."
  type        = number
  default     = 256
}

variable "job_memory" {
  description = "Memory (MiB) of the batch, partitions and migrate tasks."
  type        = number
  default     = 512
}

variable "api_min_count" {
  description = "Minimum number of api tasks (also the initial desired count). 2 keeps one per AZ."
  type        = number
  default     = 2

  validation {
    condition     = var.api_min_count >= 1
    error_message = "api_min_count must be at least 1."
  }
}

variable "api_max_count" {
  description = "Maximum number of api tasks autoscaling may run."
  type        = number
  default     = 6
}

variable "autoscaling_cpu_target" {
  description = "Target average CPU utilisation (%) of the api service."
  type        = number
  default     = 60
}

variable "autoscaling_requests_per_target" {
  description = "Target ALB requests per api task per minute (ALBRequestCountPerTarget)."
  type        = number
  default     = 3000
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores failing ALB health checks after a task starts (the api runs migrations and partitions first)."
  type        = number
  default     = 120
}

variable "enable_execute_command" {
  description = "Enable ECS Exec (aws ecs execute-command) into the tasks; adds the ssmmessages permissions to the task role."
  type        = bool
  default     = false
}

variable "wait_for_steady_state" {
  description = "Make terraform apply wait until the api deployment is stable (fails the apply if the circuit breaker rolls back)."
  type        = bool
  default     = false
}

variable "container_insights" {
  description = "Enable CloudWatch Container Insights on the cluster (extra CloudWatch cost)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# --- Load balancer ---------------------------------------------------------

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener. Empty: HTTP only. Set: HTTPS on 443, HTTP redirects to it."
  type        = string
  default     = ""
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "public_base_url" {
  description = "Public base URL of short links (PUBLIC_BASE_URL), e.g. https://sho.rt. Empty: http(s)://<ALB DNS name>."
  type        = string
  default     = ""

  validation {
    condition     = var.public_base_url == "" || can(regex("^https?://[^/\\s]+$", trimsuffix(var.public_base_url, "/")))
    error_message = "public_base_url must be empty or an http(s) URL without a path."
  }
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDRs allowed to reach the ALB."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "health_check_path" {
  description = "Target group health check path (200 = healthy). /v1/health is liveness only: the api degrades through Redis and Postgres outages by itself, so replacing tasks would only add churn. /v1/ready also checks Postgres and both Redis."
  type        = string
  default     = "/v1/health"
}

variable "deregistration_delay" {
  description = "Seconds the ALB drains a deregistering api task (in-flight requests finish) before ECS sends it SIGTERM. At least shutdown_drain_seconds."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be 0-3600 seconds."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the ALB against deletion."
  type        = bool
  default     = false
}

# --- Postgres --------------------------------------------------------------

variable "db_engine_version" {
  description = "Postgres engine version (major, or major.minor). Minor upgrades are automatic."
  type        = string
  default     = "16"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_allocated_storage" {
  description = "Initial storage (GiB, gp3)."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Upper bound (GiB) for storage autoscaling; 0 disables it."
  type        = number
  default     = 100
}

variable "db_multi_az" {
  description = "Run a Multi-AZ standby (doubles the instance cost)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be 1-35 (automated backups stay on)."
  }
}

variable "db_deletion_protection" {
  description = "Protect the database against deletion (set false before destroying a workspace)."
  type        = bool
  default     = true
}

variable "db_skip_final_snapshot" {
  description = "Skip the final snapshot when the database is destroyed."
  type        = bool
  default     = false
}

variable "db_performance_insights" {
  description = "Enable Performance Insights (free tier: 7 days retention)."
  type        = bool
  default     = false
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "shortlink"
}

variable "db_username" {
  description = "Master user name (the app connects as this user)."
  type        = string
  default     = "shortlink"
}

variable "db_secret_kms_key_id" {
  description = "ARN of a customer managed KMS key encrypting RDS's master-user secret in Secrets Manager (the task execution role gets kms:Decrypt on it). null: the AWS managed key aws/secretsmanager, which needs no grant."
  type        = string
  default     = null

  validation {
    condition     = var.db_secret_kms_key_id == null || startswith(coalesce(var.db_secret_kms_key_id, "-"), "arn:")
    error_message = "db_secret_kms_key_id must be null or a key ARN."
  }
}

variable "db_password_rotation_day" {
  description = "Day of the month (1-28) on which the master password is rotated and the api redeployed right after (db_password_rotation.tf). 0: no scheduled rotation (RDS's own schedule is pushed to 1000 days)."
  type        = number
  default     = 1

  validation {
    condition     = var.db_password_rotation_day >= 0 && var.db_password_rotation_day <= 28 && floor(var.db_password_rotation_day) == var.db_password_rotation_day
    error_message = "db_password_rotation_day must be a whole number 0-28."
  }
}

variable "db_password_rotation_hour" {
  description = "Hour (UTC, 0-23) of the password rotation; the api is redeployed 10 minutes later."
  type        = number
  default     = 4

  validation {
    condition     = var.db_password_rotation_hour >= 0 && var.db_password_rotation_hour <= 23 && floor(var.db_password_rotation_hour) == var.db_password_rotation_hour
    error_message = "db_password_rotation_hour must be a whole number 0-23."
  }
}

# --- Redis -----------------------------------------------------------------

variable "redis_engine_version" {
  description = "ElastiCache Redis engine version."
  type        = string
  default     = "7.1"
}

variable "redis_cache_node_type" {
  description = "Node type of the cache Redis (redirect cache, rate limits)."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_cache_nodes" {
  description = "Nodes in the cache replication group (>1 adds replicas with automatic failover). Cluster mode off only."
  type        = number
  default     = 1
}

variable "redis_cache_cluster_mode" {
  description = "Run the cache Redis in cluster mode (sharded): redis_cache_shards shards of 1 + redis_cache_replicas_per_shard nodes. REDIS_CACHE_URL then names the configuration endpoint. Switching an existing group: replace it (docs/operations.md)."
  type        = bool
  default     = false
}

variable "redis_cache_shards" {
  description = "Shards (node groups) of the cache Redis in cluster mode."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_cache_shards >= 1 && var.redis_cache_shards <= 500
    error_message = "redis_cache_shards must be 1-500."
  }
}

variable "redis_cache_replicas_per_shard" {
  description = "Replicas per shard of the cache Redis in cluster mode (0-5; >0 adds Multi-AZ failover)."
  type        = number
  default     = 0

  validation {
    condition     = var.redis_cache_replicas_per_shard >= 0 && var.redis_cache_replicas_per_shard <= 5
    error_message = "redis_cache_replicas_per_shard must be 0-5."
  }
}

variable "redis_codes_node_type" {
  description = "Node type of the codes Redis (pre-generated code pool)."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_codes_nodes" {
  description = "Nodes in the codes replication group (>1 adds replicas with automatic failover)."
  type        = number
  default     = 1
}

variable "redis_codes_snapshot_retention_days" {
  description = "Daily snapshots kept of the codes Redis (0 disables). The pool can always be refilled from Postgres."
  type        = number
  default     = 1
}

variable "redis_transit_encryption" {
  description = "TLS between the app and both Redis (URLs become rediss://)."
  type        = bool
  default     = true
}

# --- Scheduled jobs --------------------------------------------------------

variable "schedules_enabled" {
  description = "Enable the batch and partitions schedules (not the password rotation: see db_password_rotation_day)."
  type        = bool
  default     = true
}

variable "batch_schedule" {
  description = "EventBridge Scheduler expression for `batch --once` (pool top-up)."
  type        = string
  default     = "rate(1 minute)"
}

variable "partitions_schedule" {
  description = "EventBridge Scheduler expression for `partitions --ahead N [--prune]` (UTC)."
  type        = string
  default     = "cron(17 3 * * ? *)"
}

variable "partitions_ahead" {
  description = "Months of partitions the daily job keeps created ahead (current month included)."
  type        = number
  default     = 3
}

variable "partitions_prune" {
  description = "The daily partitions job also runs --prune: deletes links that ended visit_retention months ago, drops link partitions left empty and visit counters older than visit_retention."
  type        = bool
  default     = true
}

# --- Application settings (environment of every task) ----------------------

variable "default_ttl" {
  description = "DEFAULT_TTL: lifetime of a link created without expires_at."
  type        = string
  default     = "336h"
}

variable "max_ttl" {
  description = "MAX_TTL: longest lifetime a client may ask for (Go duration, or \"never\" to allow permanent links)."
  type        = string
  default     = "8760h"
}

variable "cache_ttl" {
  description = "CACHE_TTL: longest time a resolved link stays in the cache Redis."
  type        = string
  default     = "1h"
}

variable "max_url_length" {
  description = "MAX_URL_LENGTH: longest accepted target URL, in bytes."
  type        = number
  default     = 4096
}

variable "pool_target" {
  description = "POOL_TARGET: codes the batch fills the pool up to."
  type        = number
  default     = 100000
}

variable "pool_low_water" {
  description = "POOL_LOW_WATER: the batch refills when the pool holds fewer codes (<= pool_target)."
  type        = number
  default     = 20000
}

variable "log_level" {
  description = "LOG_LEVEL of every process."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "db_max_open_conns" {
  description = "DB_MAX_OPEN_CONNS per process. Keep (api_max_count + 2) x this below the instance's max_connections (~80 on db.t4g.micro)."
  type        = number
  default     = 8
}

variable "migrate_on_start" {
  description = "MIGRATE_ON_START: every api task runs `migrate up` and `partitions` before serving. false: run migrations as a separate task (docs/operations.md)."
  type        = bool
  default     = true
}

variable "create_rate_limit" {
  description = "CREATE_RATE_LIMIT: creates per minute per client IP (0 = off)."
  type        = number
  default     = 60
}

variable "miss_rate_limit" {
  description = "MISS_RATE_LIMIT: lookups per minute per client IP that reached Postgres and found nothing; over it, uncached resolves get 429 (0 = off). Throttles scans of random codes; client IPs are real here (X-Forwarded-For from the ALB), unless a CDN in front is missing from TRUSTED_PROXIES."
  type        = number
  default     = 60
}

variable "code_quarantine" {
  description = "CODE_QUARANTINE: how long a code stays unclaimable after its link stopped resolving (Go duration; \"0\" = never reusable)."
  type        = string
  default     = "8760h"
}

variable "visit_flush_interval" {
  description = "VISIT_FLUSH_INTERVAL: how often each api task writes its visit counts (Go duration). A task killed without SIGTERM loses at most this much."
  type        = string
  default     = "1s"
}

variable "visit_retention" {
  description = "VISIT_RETENTION: months of visit counters kept (by the month of the visit), and how long a link that ended is kept before --prune deletes it."
  type        = number
  default     = 13
}

variable "shutdown_drain_seconds" {
  description = "SHUTDOWN_DRAIN: after SIGTERM the api keeps serving this long (Connection: close, /v1/ready 503) before it stops accepting. At most deregistration_delay."
  type        = number
  default     = 5
}

variable "shutdown_timeout_seconds" {
  description = "SHUTDOWN_TIMEOUT: then, time given to in-flight requests. The container's stopTimeout is drain + timeout + 10 s (Fargate allows at most 120 s)."
  type        = number
  default     = 20

  validation {
    condition     = var.shutdown_timeout_seconds >= 1
    error_message = "shutdown_timeout_seconds must be at least 1."
  }
}

variable "local_cache_mib" {
  description = "LOCAL_CACHE_BYTES of the api, in MiB: byte budget of the in-process redirect cache. Counted inside GOMEMLIMIT (80% of api_memory)."
  type        = number
  default     = 64
}

variable "log_client_ip" {
  description = "LOG_CLIENT_IP: whether the api's access log carries the client address."
  type        = bool
  default     = false
}

variable "extra_environment" {
  description = "More (non-secret) environment variables for every task; they override the ones above."
  type        = map(string)
  default     = {}
}

variable "code_secret_ssm_parameter" {
  description = "Name of an SSM SecureString you created (aws/ssm key) holding CODE_SECRET, e.g. /shortlink/production/CODE_SECRET. Empty: the service generates its own secret once and keeps it in Postgres. Never change it on a live database without CODE_SECRET_ROTATE."
  type        = string
  default     = ""

  validation {
    condition     = var.code_secret_ssm_parameter == "" || can(regex("^/[A-Za-z0-9_.\\-/]+$", var.code_secret_ssm_parameter))
    error_message = "code_secret_ssm_parameter must be empty or a parameter name starting with /."
  }
}

variable "api_keys" {
  description = "API_KEYS: comma-separated keys (16+ characters each) required for creates. Empty: creates are open. Prefer TF_VAR_api_keys over files."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.api_keys == "" || alltrue([for k in split(",", var.api_keys) : length(trimspace(k)) >= 16])
    error_message = "Every API key must be at least 16 characters long."
  }
}

variable "admin_keys" {
  description = "ADMIN_KEYS: comma-separated keys (16+ characters each) that may manage any link. Empty: no admin keys. Prefer TF_VAR_admin_keys over files."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.admin_keys == "" || alltrue([for k in split(",", var.admin_keys) : length(trimspace(k)) >= 16])
    error_message = "Every admin key must be at least 16 characters long."
  }
}

# --- Short domains (domains.tf) --------------------------------------------

variable "extra_domains" {
  description = "Short domains besides public_base_url's host, e.g. [\"go.example.com\", \"exa.mp\"]: one ACM certificate (DNS validation; records in extra_domains_validation) names them all and is added to the HTTPS listener, and host-header rules forward them to the api. Register each with POST /v1/domains too."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for d in var.extra_domains : can(regex("^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", d))
    ])
    error_message = "extra_domains must be lower-case domain names (punycode for IDNs) with at least one dot, without scheme, port, path or trailing dot."
  }

  validation {
    condition     = length(distinct(var.extra_domains)) == length(var.extra_domains)
    error_message = "extra_domains must not name a domain twice."
  }

  validation {
    condition     = length(var.extra_domains) <= 99
    error_message = "extra_domains may name at most 99 domains (an ACM certificate has at most 100 names; ask AWS for more)."
  }
}
