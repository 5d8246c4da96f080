# Short domains served besides the host of public_base_url (SPEC §14). The
# api resolves a short code on the request's Host; the ALB passes Host
# through unchanged, so these resources only let each name in: a TLS
# certificate that names it and a listener rule that sends it to the api.
# Register each name with the api as well (POST /v1/domains): until then
# a request on it is answered as on the default domain (while that is the
# only one) or 404.

locals {
  # ALB rules match at most five host names each.
  extra_domain_groups = chunklist(var.extra_domains, 5)
}

resource "aws_acm_certificate" "extra" {
  count = local.https_enabled && length(var.extra_domains) > 0 ? 1 : 0

  domain_name               = var.extra_domains[0]
  subject_alternative_names = slice(var.extra_domains, 1, length(var.extra_domains))
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# Waits until the records in extra_domains_validation are in DNS and ACM
# has issued the certificate.
resource "aws_acm_certificate_validation" "extra" {
  count = length(aws_acm_certificate.extra)

  certificate_arn         = aws_acm_certificate.extra[0].arn
  validation_record_fqdns = [for o in aws_acm_certificate.extra[0].domain_validation_options : o.resource_record_name]
}

# The HTTPS listener picks the certificate by SNI.
resource "aws_lb_listener_certificate" "extra" {
  count = length(aws_acm_certificate_validation.extra)

  listener_arn    = aws_lb_listener.https[0].arn
  certificate_arn = aws_acm_certificate_validation.extra[0].certificate_arn
}

resource "aws_lb_listener_rule" "extra_domains" {
  count = length(local.extra_domain_groups)

  # The HTTPS listener when there is one; the HTTP listener redirects to it.
  listener_arn = local.https_enabled ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
  priority     = 100 + count.index

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }

  condition {
    host_header {
      values = local.extra_domain_groups[count.index]
    }
  }
}
