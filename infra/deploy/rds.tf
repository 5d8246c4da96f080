# Postgres 16: private, encrypted, automated backups.
#
# The master password is a random_password kept in Terraform state (encrypted
# S3) and handed to the app as the full DATABASE_URL through SSM (secrets.tf).
# manage_master_user_password is not used on purpose: RDS rotates that
# password on its own schedule, which would silently break a DATABASE_URL
# assembled at deploy time.

resource "random_password" "db" {
  length  = 40
  special = false
}

resource "aws_db_subnet_group" "main" {
  name        = "${local.prefix}-db"
  description = "shortlink ${terraform.workspace} Postgres"
  subnet_ids  = local.private_subnet_ids
}

resource "aws_db_parameter_group" "main" {
  name_prefix = "${local.prefix}-pg${split(".", var.db_engine_version)[0]}-"
  family      = "postgres${split(".", var.db_engine_version)[0]}"
  description = "shortlink ${terraform.workspace} Postgres"

  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }

  # Log statements slower than 1s.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "main" {
  identifier = "${local.prefix}-db"

  engine                      = "postgres"
  engine_version              = var.db_engine_version
  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  instance_class              = var.db_instance_class
  parameter_group_name        = aws_db_parameter_group.main.name

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name  = var.db_name
  username = var.db_username
  password = random_password.db.result
  port     = 5432

  multi_az               = var.db_multi_az
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false

  backup_retention_period = var.db_backup_retention_days
  backup_window           = "03:00-03:30"
  maintenance_window      = "sun:04:00-sun:05:00"
  copy_tags_to_snapshot   = true

  deletion_protection       = var.db_deletion_protection
  skip_final_snapshot       = var.db_skip_final_snapshot
  final_snapshot_identifier = var.db_skip_final_snapshot ? null : "${local.prefix}-db-final"

  performance_insights_enabled = var.db_performance_insights
  apply_immediately            = var.apply_immediately
}
