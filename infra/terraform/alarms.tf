locals {
  alarm_actions = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_metric_alarm" "ingest_dlq" {
  alarm_name          = "${var.name}-ingest-dlq-not-empty"
  alarm_description   = "S3 notifications ingest failed on ${var.ingest_max_receive_count} times wait in ${aws_sqs_queue.ingest_dlq.name}; see docs/deploy.md to redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.ingest_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "attribute_dlq" {
  alarm_name          = "${var.name}-attribute-dlq-not-empty"
  alarm_description   = "Usage stream records attribute gave up on are listed in ${aws_sqs_queue.attribute_dlq.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.attribute_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each = local.function_names

  alarm_name          = "${each.value}-errors"
  alarm_description   = "${each.value} returned errors (uncaught exceptions, timeouts, out of memory) in the last 5 minutes."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  tags                = local.tags

  depends_on = [aws_lambda_function.ingest, aws_lambda_function.attribute, aws_lambda_function.insights_job, aws_lambda_function.insights_api]
}

# Every shipper uploads a batch a minute even when idle, and each upload is one S3 notification: a quiet
# queue means no host is shipping (per-host silence is reported by the insights job).
resource "aws_cloudwatch_metric_alarm" "shipper_silence" {
  count = var.shipper_silence_minutes > 0 ? 1 : 0

  alarm_name          = "${var.name}-shippers-silent"
  alarm_description   = "No batch has reached ${aws_s3_bucket.data.id}/${local.batches_prefix} for ${var.shipper_silence_minutes} minutes."
  namespace           = "AWS/SQS"
  metric_name         = "NumberOfMessagesSent"
  dimensions          = { QueueName = aws_sqs_queue.ingest.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = var.shipper_silence_minutes / 5
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}
