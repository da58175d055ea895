resource "aws_apigatewayv2_api" "insights" {
  name          = "${var.name}-insights"
  description   = "taskmeter insights API (IAM authorisation: sign requests with SigV4, service execute-api)."
  protocol_type = "HTTP"
  tags          = local.tags
}

resource "aws_apigatewayv2_integration" "insights" {
  api_id                 = aws_apigatewayv2_api.insights.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.insights_api.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

# Every path and method goes to the function; none without a SigV4 signature of a principal allowed
# execute-api:Invoke (see the insights_reader policy).
resource "aws_apigatewayv2_route" "insights" {
  api_id             = aws_apigatewayv2_api.insights.id
  route_key          = "$default"
  authorization_type = "AWS_IAM"
  target             = "integrations/${aws_apigatewayv2_integration.insights.id}"
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.name}-insights"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_apigatewayv2_stage" "insights" {
  api_id      = aws_apigatewayv2_api.insights.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.api_throttling.rate_limit
    throttling_burst_limit = var.api_throttling.burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId = "$context.requestId"
      caller    = "$context.identity.userArn"
      method    = "$context.httpMethod"
      path      = "$context.path"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
    })
  }

  tags = local.tags
}

resource "aws_lambda_permission" "insights_api" {
  statement_id  = "ApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.insights_api.function_name
  qualifier     = aws_lambda_alias.insights_api.name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.insights.execution_arn}/*/*"
}
