# Optional: raw batches as an Athena table, for questions the API does not answer. One row per batch; columns
# follow docs/batch-format.md (infra/test/verify.mjs compares them with core's Batch records). Days are
# projected from the key (dt=YYYY-MM-DD), so no crawler or MSCK REPAIR is needed; a day's location holds every
# host= folder, which Athena reads as part of the day (filter hosts with host_id).

locals {
  athena_enabled = var.athena_database != null
  athena_sample  = "struct<t:bigint,cpu_millis:bigint,rss_bytes:bigint,hwm_bytes:bigint,read_bytes:bigint,write_bytes:bigint,rchar:bigint,wchar:bigint,processes:int,spawned:bigint,running:int,disk_wait:int>"
  athena_unit    = "struct<unit_id:string,root_pid:int,root_start_ticks:bigint,started_ms:bigint,ended_ms:bigint,kind:string,how:string,tags:map<string,string>,command:string,base:${local.athena_sample},samples:array<${local.athena_sample}>,partial:boolean>"
  athena_host    = "struct<cpus:int,memory_bytes:bigint,instance_type:string,instance_type_source:string,os:string>"
}

resource "aws_glue_catalog_database" "athena" {
  count       = local.athena_enabled ? 1 : 0
  name        = var.athena_database
  description = "taskmeter raw data (${aws_s3_bucket.data.id})."
  tags        = local.tags
}

resource "aws_glue_catalog_table" "batches" {
  count         = local.athena_enabled ? 1 : 0
  name          = "batches"
  database_name = aws_glue_catalog_database.athena[0].name
  description   = "One row per shipper batch (format taskmeter-batch v1), partitioned by UTC day."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "classification"              = "json"
    "compressionType"             = "gzip"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "2024-01-01,NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
    "storage.location.template"   = "s3://${aws_s3_bucket.data.id}/${local.batches_root}dt=$${dt}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.data.id}/${local.batches_root}"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters = {
        # A batch ingest would quarantine must not fail every query over its day.
        "ignore.malformed.json" = "true"
      }
    }

    columns {
      name = "format"
      type = "string"
    }
    columns {
      name = "version"
      type = "string"
    }
    columns {
      name = "host_id"
      type = "string"
    }
    columns {
      name = "boot_id"
      type = "string"
    }
    columns {
      name = "shipper_version"
      type = "string"
    }
    columns {
      name = "seq"
      type = "bigint"
    }
    columns {
      name = "start_ms"
      type = "bigint"
    }
    columns {
      name = "end_ms"
      type = "bigint"
    }
    columns {
      name = "interval_ms"
      type = "bigint"
    }
    columns {
      name = "host"
      type = local.athena_host
    }
    columns {
      name = "dropped_batches"
      type = "bigint"
    }
    columns {
      name = "units"
      type = "array<${local.athena_unit}>"
    }
  }
}
