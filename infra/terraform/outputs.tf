output "bucket" {
  description = "Data bucket: point shippers at s3://<bucket>/<key_prefix> (--sink)."
  value       = aws_s3_bucket.data.id
}

output "shipper_sink" {
  description = "The --sink value for taskmeter-shipper."
  value       = "s3://${aws_s3_bucket.data.id}/${var.key_prefix}"
}

output "topic_arn" {
  description = "SNS topic for stall alerts, weekly reports and alarms."
  value       = aws_sns_topic.alerts.arn
}

output "api_url" {
  description = "Base URL of the insights API (requests must be SigV4-signed for service execute-api)."
  value       = aws_apigatewayv2_stage.insights.invoke_url
}

output "shipper_policy_arn" {
  description = "Managed policy to attach to each host's role: s3:PutObject on batches/ and metadata/ only."
  value       = aws_iam_policy.shipper.arn
}

output "api_reader_policy_arn" {
  description = "Managed policy granting execute-api:Invoke on the insights API, for users and tools."
  value       = aws_iam_policy.insights_reader.arn
}

output "athena_table" {
  description = "The Athena table over raw batches (\"<database>.batches\"), or null without athena_database."
  value       = local.athena_enabled ? "${aws_glue_catalog_database.athena[0].name}.${aws_glue_catalog_table.batches[0].name}" : null
}

output "tables" {
  description = "DynamoDB table names."
  value = {
    usage    = aws_dynamodb_table.usage.name
    attempts = aws_dynamodb_table.attempts.name
    insights = aws_dynamodb_table.insights.name
  }
}

output "dead_letter_queues" {
  description = "URLs of the dead-letter queues (ingest notifications, attribute stream failures)."
  value = {
    ingest    = aws_sqs_queue.ingest_dlq.id
    attribute = aws_sqs_queue.attribute_dlq.id
  }
}

output "function_names" {
  description = "Lambda function names."
  value       = local.function_names
}
