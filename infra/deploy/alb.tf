# Public ALB in front of the api service.

locals {
  public_base_url = (
    var.public_base_url != ""
    ? trimsuffix(var.public_base_url, "/")
    : "${local.https_enabled ? "https" : "http"}://${aws_lb.api.dns_name}"
  )
}

resource "aws_lb" "api" {
  name               = "${local.prefix}-alb"
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = local.public_subnet_ids

  drop_invalid_header_fields = true
  # An import may run up to 5 minutes before it answers (ImportTimeout);
  # nginx waits 320 s for it, so the load balancer must wait longer.
  idle_timeout               = 330
  enable_deletion_protection = var.alb_deletion_protection
}

resource "aws_lb_target_group" "api" {
  name        = "${local.prefix}-api"
  port        = 8000
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = local.vpc_id

  deregistration_delay = var.deregistration_delay

  health_check {
    enabled             = true
    path                = var.health_check_path
    matcher             = "200"
    protocol            = "HTTP"
    port                = "traffic-port"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"

  # With a certificate: redirect to HTTPS. Without: serve the api.
  default_action {
    type             = local.https_enabled ? "redirect" : "forward"
    target_group_arn = local.https_enabled ? null : aws_lb_target_group.api.arn

    dynamic "redirect" {
      for_each = local.https_enabled ? [1] : []

      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https_enabled ? 1 : 0

  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

check "https_base_url" {
  assert {
    condition     = !(local.https_enabled && var.public_base_url == "")
    error_message = "certificate_arn is set but public_base_url is empty: short URLs will use the ALB DNS name, which the certificate does not cover. Set public_base_url to your domain and point it (alias/CNAME) at alb_dns_name."
  }
}
