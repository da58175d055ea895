# Optional: raw batches as an Athena table, for questions the API does not answer. One row per batch; columns
# follow docs/batch-format.md (infra/test/verify.mjs compares them with core's Batch records). Days are
# projected from the key (dt=YYYY-MM-DD), so no crawler or MSCK REPAIR is needed; a day's location holds every
# host= folder, which Athena reads as part of the day (filter hosts with host_id).

locals {
  athena_enabled = var.athena_database != null
  athena_psi     = "struct<cpu_some_us:bigint,cpu_full_us:bigint,memory_some_us:bigint,memory_full_us:bigint,io_some_us:bigint,io_full_us:bigint>"
  athena_cgroup  = "struct<cpu_usage_us:bigint,cpu_throttled_us:bigint,memory_current_bytes:bigint,memory_peak_bytes:bigint,io_read_bytes:bigint,io_write_bytes:bigint,psi:${local.athena_psi}>"
  athena_sample  = "struct<t:bigint,cpu_millis:bigint,rss_bytes:bigint,hwm_bytes:bigint,read_bytes:bigint,write_bytes:bigint,rchar:bigint,wchar:bigint,processes:int,spawned:bigint,running:int,disk_wait:int,running_ms:bigint,sleeping_ms:bigint,disk_wait_ms:bigint,voluntary_switches:bigint,involuntary_switches:bigint,pss_bytes:bigint,spawned_inferred:bigint,cgroup:${local.athena_cgroup}>"
  athena_top     = "struct<command:string,cpu_millis:bigint,processes:int>"
  athena_unit    = "struct<unit_id:string,root_pid:int,root_start_ticks:bigint,started_ms:bigint,ended_ms:bigint,kind:string,how:string,tags:map<string,string>,command:string,base:${local.athena_sample},samples:array<${local.athena_sample}>,partial:boolean,cgroup:string,top_processes:array<${local.athena_top}>>"
  athena_host_sample = "struct<t:bigint,cpu_busy_ms:bigint,cpu_idle_ms:bigint,cpu_iowait_ms:bigint,cpu_steal_ms:bigint,load1:double,runnable:int,blocked:int,mem_available_bytes:bigint,swap_used_bytes:bigint,psi:${local.athena_psi},disks:array<struct<name:string,read_bytes:bigint,write_bytes:bigint,io_ms:bigint>>,nets:array<struct<name:string,rx_bytes:bigint,tx_bytes:bigint>>>"
  athena_signals = "struct<network:string,base:${local.athena_host_sample},samples:array<${local.athena_host_sample}>>"
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
    columns {
      name = "host_signals"
      type = local.athena_signals
    }
  }
}
