# One role per function with exactly the actions its code calls on exactly its resources. Which calls each
# function's code makes is derived from the Java sources by infra/test/verify.mjs, which fails the build when a
# statement here is missing or superfluous. The comments name the code that makes each call.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# ---------------------------------------------------------------------------------------------- ingest
resource "aws_iam_role" "ingest" {
  name               = "${local.function_names.ingest}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "ingest" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ingest.arn}:*"]
  }
  statement {
    sid       = "ConsumeNotifications" # event source mapping
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.ingest.arn]
  }
  statement {
    sid       = "ReadBatches" # IngestService: s3.getObject, s3.copyObject source (keys under BatchKey.ROOT)
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.batches_root}*"]
  }
  statement {
    sid       = "ReadMetadata" # IngestService: s3.getObject, s3.copyObject source (keys under MetadataDocument.ROOT)
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.metadata_prefix}v1/*"]
  }
  statement {
    sid       = "WriteQuarantine" # IngestService: s3.putObject, s3.copyObject target (IngestService.QUARANTINE)
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.quarantine_prefix}*"]
  }
  statement {
    sid       = "WriteUsage" # UsageStore: putItem (conditional), updateItem (heartbeat, host day)
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.usage.arn]
  }
  statement {
    sid       = "WriteOrchestratorRecords" # MetadataStore: putItem (conditional, one item per record version)
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.attempts.arn]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "BucketKey" # SSE-KMS: reading decrypts, writing generates a data key
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "ingest" {
  name   = "ingest"
  role   = aws_iam_role.ingest.id
  policy = data.aws_iam_policy_document.ingest.json
}

# ------------------------------------------------------------------------------------------- attribute
resource "aws_iam_role" "attribute" {
  name               = "${local.function_names.attribute}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "attribute" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.attribute.arn}:*"]
  }
  statement {
    sid       = "ConsumeUsageStream" # event source mapping
    actions   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
    resources = [aws_dynamodb_table.usage.stream_arn]
  }
  statement {
    sid       = "StreamFailures" # event source mapping on-failure destination
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.attribute_dlq.arn]
  }
  statement {
    sid       = "ReadUsage" # UsageStore: getItem
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.usage.arn]
  }
  statement {
    sid       = "Attempts" # AttemptStore: putItem, updateItem, queryPaginator; StallMonitor: getItem, updateItem
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.attempts.arn]
  }
  statement {
    sid       = "RecordStalls" # InsightsStore: putItem (StallMonitor's stall history)
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.insights.arn]
  }
  statement {
    sid       = "StallAlerts" # SnsAlertPublisher: sns.publish
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }
  statement {
    sid       = "TopicKey" # publishing to the encrypted topic
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.sns.arn]
  }
}

resource "aws_iam_role_policy" "attribute" {
  name   = "attribute"
  role   = aws_iam_role.attribute.id
  policy = data.aws_iam_policy_document.attribute.json
}

# ---------------------------------------------------------------------------------------- insights job
resource "aws_iam_role" "insights_job" {
  name               = "${local.function_names.insights_job}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "insights_job" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.insights_job.arn}:*"]
  }
  statement {
    sid       = "ReadAttempts" # AttemptStore: scanPaginator; MetadataStore: queryPaginator (join partitions)
    actions   = ["dynamodb:Query", "dynamodb:Scan"]
    resources = [aws_dynamodb_table.attempts.arn]
  }
  statement {
    sid       = "Usage" # UsageStore: getItem, queryPaginator (host days), updateItem (silence reported)
    actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.usage.arn]
  }
  statement {
    sid       = "Insights" # InsightsStore: query; InsightsStore.Writer: batchWriteItem
    actions   = ["dynamodb:BatchWriteItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.insights.arn]
  }
  statement {
    sid = "Reports" # WeeklyReportJob: s3.putObject; the pre-signed link is signed with this role (GetObject)
    actions = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.reports_prefix}*"]
  }
  statement {
    sid       = "Announce" # SnsAlertPublisher: sns.publish (weekly report, silent hosts)
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]
  }
  statement {
    sid       = "TopicKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.sns.arn]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "BucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "insights_job" {
  name   = "insights-job"
  role   = aws_iam_role.insights_job.id
  policy = data.aws_iam_policy_document.insights_job.json
}

# ---------------------------------------------------------------------------------------- insights API
resource "aws_iam_role" "insights_api" {
  name               = "${local.function_names.insights_api}-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "insights_api" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.insights_api.arn}:*"]
  }
  statement {
    sid       = "ReadInsights" # InsightsStore: query, getItem
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = [aws_dynamodb_table.insights.arn]
  }
  statement {
    sid       = "WritePushedEvents" # EventsEndpoint: s3.putObject (POST /v1/events, keys under MetadataDocument.ROOT)
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.metadata_prefix}v1/*"]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "BucketKey" # writing pushed events generates a data key
      actions   = ["kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "insights_api" {
  name   = "insights-api"
  role   = aws_iam_role.insights_api.id
  policy = data.aws_iam_policy_document.insights_api.json
}

# -------------------------------------------------------------------------------------------- shippers
# Attach to each host's role (EC2 instance profile, IAM Roles Anywhere, ...). Batches: <prefix>batches/v1/...;
# orchestrator pollers write <prefix>metadata/v1/.... With shipper_per_host_prefix, a principal tagged
# taskmeter-host=<host id> may write only its own host= partition.
data "aws_iam_policy_document" "shipper" {
  statement {
    sid     = "PutBatches"
    actions = ["s3:PutObject"]
    resources = var.shipper_per_host_prefix ? [
      "${aws_s3_bucket.data.arn}/${local.batches_root}dt=*/host=$${aws:PrincipalTag/taskmeter-host}/*",
      ] : [
      "${aws_s3_bucket.data.arn}/${local.batches_root}*",
    ]
  }
  statement {
    sid       = "PutMetadata"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/${local.metadata_root}*"]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "BucketKey"
      actions   = ["kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_policy" "shipper" {
  name        = "${var.name}-shipper"
  description = "taskmeter shipper: s3:PutObject on batches/ and metadata/ of ${local.bucket_name} only."
  policy      = data.aws_iam_policy_document.shipper.json
  tags        = local.tags
}

# --------------------------------------------------------------------------------------- API readers
data "aws_iam_policy_document" "insights_reader" {
  statement {
    sid       = "CallInsightsApi"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_apigatewayv2_api.insights.execution_arn}/*"]
  }
}

resource "aws_iam_policy" "insights_reader" {
  name        = "${var.name}-insights-reader"
  description = "Call the taskmeter insights API (SigV4, execute-api)."
  policy      = data.aws_iam_policy_document.insights_reader.json
  tags        = local.tags
}
