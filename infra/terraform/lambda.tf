# Ingest: S3 batch notifications (via SQS) to usage per unit and batch.
resource "aws_cloudwatch_log_group" "ingest" {
  name              = "/aws/lambda/${local.function_names.ingest}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_lambda_function" "ingest" {
  function_name                  = local.function_names.ingest
  description                    = "Ingest: S3 batch notifications (via SQS) to usage per unit and batch."
  role                           = aws_iam_role.ingest.arn
  runtime                        = var.lambda_runtime
  architectures                  = [var.lambda_architecture]
  handler                        = local.quarkus_handler
  filename                       = local.zips.ingest
  source_code_hash               = filebase64sha256(local.zips.ingest)
  memory_size                    = var.functions.ingest.memory_mb
  timeout                        = var.functions.ingest.timeout_s
  reserved_concurrent_executions = var.functions.ingest.reserved_concurrency
  publish                        = true

  dynamic "snap_start" {
    for_each = var.snap_start ? ["PublishedVersions"] : []
    content {
      apply_on = snap_start.value
    }
  }

  environment {
    variables = {
      QUARKUS_LAMBDA_HANDLER        = "ingest"
      TASKMETER_TABLE_USAGE         = aws_dynamodb_table.usage.name
      TASKMETER_TABLE_ATTEMPTS      = aws_dynamodb_table.attempts.name
      TASKMETER_TABLE_INSIGHTS      = aws_dynamodb_table.insights.name
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.ingest.name
  }

  tags       = local.tags
  depends_on = [aws_iam_role_policy.ingest]
}

# Triggers call the alias, so they always reach a published (SnapStart-ready) version.
resource "aws_lambda_alias" "ingest" {
  name             = "live"
  function_name    = aws_lambda_function.ingest.function_name
  function_version = aws_lambda_function.ingest.version
}

# Attribute: usage table stream to attempt usage; live stall alerts.
resource "aws_cloudwatch_log_group" "attribute" {
  name              = "/aws/lambda/${local.function_names.attribute}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_lambda_function" "attribute" {
  function_name                  = local.function_names.attribute
  description                    = "Attribute: usage table stream to attempt usage; live stall alerts."
  role                           = aws_iam_role.attribute.arn
  runtime                        = var.lambda_runtime
  architectures                  = [var.lambda_architecture]
  handler                        = local.quarkus_handler
  filename                       = local.zips.attribute
  source_code_hash               = filebase64sha256(local.zips.attribute)
  memory_size                    = var.functions.attribute.memory_mb
  timeout                        = var.functions.attribute.timeout_s
  reserved_concurrent_executions = var.functions.attribute.reserved_concurrency
  publish                        = true

  dynamic "snap_start" {
    for_each = var.snap_start ? ["PublishedVersions"] : []
    content {
      apply_on = snap_start.value
    }
  }

  environment {
    variables = {
      QUARKUS_LAMBDA_HANDLER        = "attribute"
      TASKMETER_TABLE_USAGE         = aws_dynamodb_table.usage.name
      TASKMETER_TABLE_ATTEMPTS      = aws_dynamodb_table.attempts.name
      TASKMETER_TABLE_INSIGHTS      = aws_dynamodb_table.insights.name
      TASKMETER_ALERTS_TOPIC_ARN     = aws_sns_topic.alerts.arn
      TASKMETER_STALL_AFTER_SECONDS = tostring(var.stall_after_seconds)
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.attribute.name
  }

  tags       = local.tags
  depends_on = [aws_iam_role_policy.attribute]
}

# Triggers call the alias, so they always reach a published (SnapStart-ready) version.
resource "aws_lambda_alias" "attribute" {
  name             = "live"
  function_name    = aws_lambda_function.attribute.function_name
  function_version = aws_lambda_function.attribute.version
}

# Insights job: recommendations, costs, silent hosts; the weekly report.
resource "aws_cloudwatch_log_group" "insights_job" {
  name              = "/aws/lambda/${local.function_names.insights_job}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_lambda_function" "insights_job" {
  function_name                  = local.function_names.insights_job
  description                    = "Insights job: recommendations, costs, silent hosts; the weekly report."
  role                           = aws_iam_role.insights_job.arn
  runtime                        = var.lambda_runtime
  architectures                  = [var.lambda_architecture]
  handler                        = local.quarkus_handler
  filename                       = local.zips.insights
  source_code_hash               = filebase64sha256(local.zips.insights)
  memory_size                    = var.functions.insights_job.memory_mb
  timeout                        = var.functions.insights_job.timeout_s
  reserved_concurrent_executions = var.functions.insights_job.reserved_concurrency
  publish                        = true

  dynamic "snap_start" {
    for_each = var.snap_start ? ["PublishedVersions"] : []
    content {
      apply_on = snap_start.value
    }
  }

  environment {
    variables = {
      QUARKUS_LAMBDA_HANDLER        = "insights-job"
      TASKMETER_TABLE_USAGE         = aws_dynamodb_table.usage.name
      TASKMETER_TABLE_ATTEMPTS      = aws_dynamodb_table.attempts.name
      TASKMETER_TABLE_INSIGHTS      = aws_dynamodb_table.insights.name
      TASKMETER_ALERTS_TOPIC_ARN     = aws_sns_topic.alerts.arn
      TASKMETER_BUCKET              = aws_s3_bucket.data.id
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.insights_job.name
  }

  tags       = local.tags
  depends_on = [aws_iam_role_policy.insights_job]
}

# Triggers call the alias, so they always reach a published (SnapStart-ready) version.
resource "aws_lambda_alias" "insights_job" {
  name             = "live"
  function_name    = aws_lambda_function.insights_job.function_name
  function_version = aws_lambda_function.insights_job.version
}

# Insights API behind the IAM-authorised HTTP API.
resource "aws_cloudwatch_log_group" "insights_api" {
  name              = "/aws/lambda/${local.function_names.insights_api}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_lambda_function" "insights_api" {
  function_name                  = local.function_names.insights_api
  description                    = "Insights API behind the IAM-authorised HTTP API."
  role                           = aws_iam_role.insights_api.arn
  runtime                        = var.lambda_runtime
  architectures                  = [var.lambda_architecture]
  handler                        = local.quarkus_handler
  filename                       = local.zips.insights
  source_code_hash               = filebase64sha256(local.zips.insights)
  memory_size                    = var.functions.insights_api.memory_mb
  timeout                        = var.functions.insights_api.timeout_s
  reserved_concurrent_executions = var.functions.insights_api.reserved_concurrency
  publish                        = true

  dynamic "snap_start" {
    for_each = var.snap_start ? ["PublishedVersions"] : []
    content {
      apply_on = snap_start.value
    }
  }

  environment {
    variables = {
      QUARKUS_LAMBDA_HANDLER        = "insights-api"
      TASKMETER_TABLE_USAGE         = aws_dynamodb_table.usage.name
      TASKMETER_TABLE_ATTEMPTS      = aws_dynamodb_table.attempts.name
      TASKMETER_TABLE_INSIGHTS      = aws_dynamodb_table.insights.name
      TASKMETER_BUCKET              = aws_s3_bucket.data.id # POST /v1/events writes metadata/v1/ here
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.insights_api.name
  }

  tags       = local.tags
  depends_on = [aws_iam_role_policy.insights_api]
}

# Triggers call the alias, so they always reach a published (SnapStart-ready) version.
resource "aws_lambda_alias" "insights_api" {
  name             = "live"
  function_name    = aws_lambda_function.insights_api.function_name
  function_version = aws_lambda_function.insights_api.version
}

resource "aws_lambda_event_source_mapping" "ingest" {
  event_source_arn                   = aws_sqs_queue.ingest.arn
  function_name                      = aws_lambda_alias.ingest.arn
  batch_size                         = var.ingest_batch_size
  maximum_batching_window_in_seconds = var.ingest_batch_size > 10 ? 5 : 0
  function_response_types            = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "attribute" {
  event_source_arn               = aws_dynamodb_table.usage.stream_arn
  function_name                  = aws_lambda_alias.attribute.arn
  starting_position              = "TRIM_HORIZON"
  batch_size                     = var.attribute_batch_size
  function_response_types        = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = 10
  maximum_record_age_in_seconds  = 86400

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.attribute_dlq.arn
    }
  }
}
