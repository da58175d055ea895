resource "aws_cloudwatch_event_rule" "insights_daily" {
  name                = "${var.name}-insights-daily"
  description         = "Runs the insights job: recommendations, costs, hosts gone silent."
  schedule_expression = var.insights_schedule
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "insights_daily" {
  rule = aws_cloudwatch_event_rule.insights_daily.name
  arn  = aws_lambda_alias.insights_job.arn
}

resource "aws_lambda_permission" "insights_daily" {
  statement_id  = "EventBridgeInsightsDaily"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.insights_job.function_name
  qualifier     = aws_lambda_alias.insights_job.name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.insights_daily.arn
}

resource "aws_cloudwatch_event_rule" "weekly_report" {
  name                = "${var.name}-weekly-report"
  description         = "Writes the weekly rightsizing report to reports/ and announces it on SNS."
  schedule_expression = var.weekly_report_schedule
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "weekly_report" {
  rule  = aws_cloudwatch_event_rule.weekly_report.name
  arn   = aws_lambda_alias.insights_job.arn
  input = jsonencode({ report = "weekly" })
}

resource "aws_lambda_permission" "weekly_report" {
  statement_id  = "EventBridgeWeeklyReport"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.insights_job.function_name
  qualifier     = aws_lambda_alias.insights_job.name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.weekly_report.arn
}
