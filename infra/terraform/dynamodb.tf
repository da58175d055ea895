# Keys and item shapes: docs/data-model.md. All on demand; results are idempotent, so PITR restores are safe.

resource "aws_dynamodb_table" "usage" {
  name                        = "${var.name}-usage"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection
  stream_enabled              = true
  stream_view_type            = "KEYS_ONLY"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  # Raw usage slices carry expires_at (epoch seconds, 35 days after their batch: UsageStore.SLICE_RETENTION_SECONDS),
  # long after attribute copied them to attempts and past SQS's longest redelivery window.
  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  tags = local.tags
}

resource "aws_dynamodb_table" "attempts" {
  name                        = "${var.name}-attempts"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  tags = local.tags
}

resource "aws_dynamodb_table" "insights" {
  name                        = "${var.name}-insights"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  tags = local.tags
}
