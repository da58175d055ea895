variable "name" {
  description = "Prefix for every resource name (bucket, tables, functions, topic, API)."
  type        = string
  default     = "taskmeter"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Name of the data bucket. Null: \"<name>-<account id>-<region>\", which is globally unique."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 characters, lower case, digits, dots, hyphens)."
  }
}

variable "key_prefix" {
  description = "Prefix under which shippers write (the path of --sink s3://bucket/<prefix>), empty or ending in \"/\". Batches then live under <prefix>batches/v1/."
  type        = string
  default     = ""

  validation {
    condition     = var.key_prefix == "" || can(regex("^[A-Za-z0-9._=-]+(/[A-Za-z0-9._=-]+)*/$", var.key_prefix))
    error_message = "key_prefix must be empty or a path ending in \"/\" without a leading \"/\"."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN for the bucket's default encryption (SSE-KMS with bucket keys). Null: SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "batch_retention_days" {
  description = "Days raw batches (batches/) and orchestrator documents (metadata/) are kept before S3 expires them."
  type        = number
  default     = 30

  validation {
    condition     = var.batch_retention_days >= 1 && var.batch_retention_days <= 3650
    error_message = "batch_retention_days must be between 1 and 3650."
  }
}

variable "quarantine_retention_days" {
  description = "Days rejected input (quarantine/) is kept for diagnosis."
  type        = number
  default     = 90

  validation {
    condition     = var.quarantine_retention_days >= 1 && var.quarantine_retention_days <= 3650
    error_message = "quarantine_retention_days must be between 1 and 3650."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced or deleted object version is kept (the bucket is versioned)."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "lambda_runtime" {
  description = "Lambda Java runtime. java21 by default: the functions are Java 17 bytecode, which java21 runs, and it is supported for longer; java17 also works, both with SnapStart."
  type        = string
  default     = "java21"

  validation {
    condition     = contains(["java17", "java21"], var.lambda_runtime)
    error_message = "lambda_runtime must be java17 or java21 (the runtimes Quarkus 3 supports with SnapStart)."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of the functions. The zips are pure Java, so arm64 (cheaper per GB-second) works too."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "snap_start" {
  description = "Enable Lambda SnapStart on published versions (cuts Quarkus cold starts to well under a second)."
  type        = bool
  default     = true
}

variable "function_zips" {
  description = "Paths of the deployment zips. Null entries default to the Maven build output in this repository (functions/<name>/target/function.zip from ./mvnw -B -DskipTests package)."
  type = object({
    ingest    = optional(string)
    attribute = optional(string)
    insights  = optional(string)
  })
  default = {}

  validation {
    condition     = alltrue([for p in values(var.function_zips) : p == null ? true : endswith(p, ".zip")])
    error_message = "function_zips.* must be paths of .zip files (functions/<name>/target/function.zip after the Maven build)."
  }
}

variable "functions" {
  description = "Memory (MB), timeout (s) and reserved concurrency (-1 = unreserved) of each function. Nothing is reserved by default: Lambda keeps 100 of the account's concurrency unreserved, and a new account's quota can be as low as 10, where any reservation fails."
  type = object({
    ingest       = optional(object({ memory_mb = optional(number, 1024), timeout_s = optional(number, 120), reserved_concurrency = optional(number, -1) }), {})
    attribute    = optional(object({ memory_mb = optional(number, 1024), timeout_s = optional(number, 120), reserved_concurrency = optional(number, -1) }), {})
    insights_job = optional(object({ memory_mb = optional(number, 2048), timeout_s = optional(number, 900), reserved_concurrency = optional(number, -1) }), {})
    insights_api = optional(object({ memory_mb = optional(number, 1024), timeout_s = optional(number, 29), reserved_concurrency = optional(number, -1) }), {})
  })
  default = {}

  validation {
    condition = alltrue([for f in values(var.functions) : f.memory_mb >= 256 && f.memory_mb <= 10240])
    error_message = "functions.*.memory_mb must be between 256 and 10240."
  }
  validation {
    condition = alltrue([for f in values(var.functions) : f.timeout_s >= 1 && f.timeout_s <= 900])
    error_message = "functions.*.timeout_s must be between 1 and 900."
  }
  validation {
    condition = alltrue([for f in values(var.functions) : f.reserved_concurrency >= -1])
    error_message = "functions.*.reserved_concurrency must be -1 (unreserved) or a non-negative number."
  }
  validation {
    condition     = var.functions.insights_api.timeout_s <= 30
    error_message = "functions.insights_api.timeout_s must be at most 30: API Gateway HTTP APIs wait 30 s at most."
  }
}

variable "ingest_batch_size" {
  description = "SQS messages (S3 objects) per ingest invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.ingest_batch_size >= 1 && var.ingest_batch_size <= 100
    error_message = "ingest_batch_size must be between 1 and 100."
  }
}

variable "ingest_max_receive_count" {
  description = "Deliveries of one S3 notification before it moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.ingest_max_receive_count >= 1 && var.ingest_max_receive_count <= 1000
    error_message = "ingest_max_receive_count must be between 1 and 1000."
  }
}

variable "attribute_batch_size" {
  description = "DynamoDB stream records per attribute invocation."
  type        = number
  default     = 100

  validation {
    condition     = var.attribute_batch_size >= 1 && var.attribute_batch_size <= 1000
    error_message = "attribute_batch_size must be between 1 and 1000."
  }
}

variable "stall_after_seconds" {
  description = "Seconds without CPU or I/O progress before attribute reports a stall (TASKMETER_STALL_AFTER_SECONDS)."
  type        = number
  default     = 600

  validation {
    condition     = var.stall_after_seconds >= 60
    error_message = "stall_after_seconds must be at least 60."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' and the API's CloudWatch log groups."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables against deletion (set false before terraform destroy)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery (35 days of continuous backups) on the DynamoDB tables."
  type        = bool
  default     = true
}

variable "insights_schedule" {
  description = "EventBridge schedule expression of the insights job (recommendations, costs, silent hosts)."
  type        = string
  default     = "rate(1 day)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.insights_schedule))
    error_message = "insights_schedule must be an EventBridge schedule expression: rate(...) or cron(...)."
  }
}

variable "weekly_report_schedule" {
  description = "EventBridge schedule expression of the weekly report (UTC). Default Monday 06:00."
  type        = string
  default     = "cron(0 6 ? * MON *)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.weekly_report_schedule))
    error_message = "weekly_report_schedule must be an EventBridge schedule expression: rate(...) or cron(...)."
  }
}

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alerts-and-reports topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must be e-mail addresses."
  }
}

variable "api_throttling" {
  description = "Throttling of the insights HTTP API: steady requests per second and burst."
  type = object({
    rate_limit  = optional(number, 20)
    burst_limit = optional(number, 40)
  })
  default = {}

  validation {
    condition     = var.api_throttling.rate_limit > 0 && var.api_throttling.burst_limit >= 1
    error_message = "api_throttling.rate_limit must be positive and burst_limit at least 1."
  }
}

variable "shipper_per_host_prefix" {
  description = "If true, the shipper policy lets a principal write batches only under host=<its aws:PrincipalTag/taskmeter-host>/, so one host cannot write another's data. Tag each host's role or session with taskmeter-host = its --host-id."
  type        = bool
  default     = false
}

variable "shipper_silence_minutes" {
  description = "Alarm when the ingest queue has had no S3 notification for this many minutes: no shipper is uploading (each uploads a batch a minute, idle or not). 0 disables the alarm."
  type        = number
  default     = 15

  validation {
    condition     = var.shipper_silence_minutes == 0 || (var.shipper_silence_minutes >= 5 && var.shipper_silence_minutes % 5 == 0)
    error_message = "shipper_silence_minutes must be 0 or a multiple of 5 of at least 5."
  }
}

variable "athena_database" {
  description = "If set, a Glue database of this name with a table \"batches\" over the raw batches, for Athena queries (one row per batch, days projected from the key). Null: no Glue resources."
  type        = string
  default     = null

  validation {
    condition     = var.athena_database == null || can(regex("^[a-z0-9_]{1,255}$", var.athena_database))
    error_message = "athena_database must be lower-case letters, digits and underscores (an Athena database name)."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags: keys must be 1-128 characters and not start with \"aws:\", values at most 256 characters."
  }
}
