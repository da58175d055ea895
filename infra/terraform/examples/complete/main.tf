# Everything taskmeter needs in one account and region, with the options a production install usually sets.
# From this directory, after `./mvnw -B -DskipTests package` at the repository root:
#   terraform init && terraform apply

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "eu-west-1"
}

variable "alert_emails" {
  description = "Who receives stall alerts, alarms and the weekly report."
  type        = list(string)
  default     = []
}

module "taskmeter" {
  source = "../.."

  name         = "taskmeter"
  alert_emails = var.alert_emails

  batch_retention_days   = 30
  log_retention_days     = 30
  deletion_protection    = true
  insights_schedule      = "rate(1 day)"
  weekly_report_schedule = "cron(0 6 ? * MON *)"

  functions = {
    # To cap ingest's share of the account, add reserved_concurrency = 20: the account's Lambda concurrency
    # quota must then be at least 120 (Lambda keeps 100 unreserved; new accounts may start at 10).
    ingest       = { memory_mb = 1024, timeout_s = 120 }
    insights_job = { memory_mb = 3008, timeout_s = 900 }
  }

  api_throttling = {
    rate_limit  = 20
    burst_limit = 40
  }

  shipper_per_host_prefix = false

  # Raw batches as the Athena table taskmeter.batches.
  athena_database = "taskmeter"

  tags = {
    Team = "data-platform"
  }
}

output "bucket" {
  description = "Data bucket."
  value       = module.taskmeter.bucket
}

output "shipper_sink" {
  description = "--sink for taskmeter-shipper on every host."
  value       = module.taskmeter.shipper_sink
}

output "shipper_policy_arn" {
  description = "Attach to each host's role."
  value       = module.taskmeter.shipper_policy_arn
}

output "api_url" {
  description = "Insights API base URL (SigV4, service execute-api)."
  value       = module.taskmeter.api_url
}

output "api_reader_policy_arn" {
  description = "Attach to the users and roles that call the API."
  value       = module.taskmeter.api_reader_policy_arn
}

output "dead_letter_queues" {
  description = "Where failed notifications and stream batches wait (docs/deploy.md says how to redrive)."
  value       = module.taskmeter.dead_letter_queues
}

output "athena_table" {
  description = "Athena table over raw batches."
  value       = module.taskmeter.athena_table
}

output "topic_arn" {
  description = "Alerts and reports topic."
  value       = module.taskmeter.topic_arn
}
