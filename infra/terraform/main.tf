data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  bucket_name = coalesce(var.bucket_name, "${var.name}-${local.account_id}-${local.region}")

  # Key layout written by the shipper (core BatchKey.ROOT) and the orchestrator pollers (core
  # MetadataDocument.ROOT), read by ingest; see docs/batch-format.md. Lifecycle rules cover the whole prefix, so
  # keys of an older format version expire too; notifications and writes are limited to the current roots.
  batches_prefix    = "${var.key_prefix}batches/"
  metadata_prefix   = "${var.key_prefix}metadata/"
  batches_root      = "${local.batches_prefix}v1/"
  metadata_root     = "${local.metadata_prefix}v1/"
  quarantine_prefix = "quarantine/"
  reports_prefix    = "reports/"

  repo_root = "${path.module}/../.."
  zips = {
    ingest    = coalesce(var.function_zips.ingest, "${local.repo_root}/functions/ingest/target/function.zip")
    attribute = coalesce(var.function_zips.attribute, "${local.repo_root}/functions/attribute/target/function.zip")
    insights  = coalesce(var.function_zips.insights, "${local.repo_root}/functions/insights/target/function.zip")
  }

  # Quarkus' generic entry point; QUARKUS_LAMBDA_HANDLER picks the @Named handler inside the zip.
  quarkus_handler = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"

  function_names = {
    ingest       = "${var.name}-ingest"
    attribute    = "${var.name}-attribute"
    insights_job = "${var.name}-insights-job"
    insights_api = "${var.name}-insights-api"
  }

  tags = merge({ Application = "taskmeter" }, var.tags)
}
