// The module declares every part issue 6 asks for, wired to variables where the issue says "by variable": these
// are the properties a reviewer would otherwise have to re-read the .tf files for after every change.
import { resourceAddress } from "./tf.mjs";

const isVar = (v) => typeof v === "string" && /^\$\{var\.[\w.]+\}$/.test(v);
const refs = (v, ref) => typeof v === "string" && v.includes(`\${${ref}`);

/**
 * @param m       the loaded module
 * @param code    { strings: Set of string literals in the functions' and core's sources }
 * @param R       resolves string locals in an expression
 * @param examples [label, loaded module] of each example directory
 */
export function checkParts(m, { errors, warnings, code, R, examples = [] }) {
  const all = (type) => Object.entries(m.resources[type] || {});

  // Variables: each says what it is, has a type, and anything but a switch is validated.
  for (const [name, v] of Object.entries(m.variables)) {
    if (!v.description) errors.push(`variables: ${name} has no description`);
    if (!v.type) errors.push(`variables: ${name} has no type`);
    else if (v.type !== "${bool}" && !(v.validation || []).length) errors.push(`variables: ${name} has no validation`);
  }
  for (const o of ["bucket", "topic_arn", "api_url", "shipper_policy_arn"]) {
    if (!m.outputs[o]) errors.push(`outputs: no output ${o}`);
  }
  for (const [name, o] of Object.entries(m.outputs)) if (!o.description) errors.push(`outputs: ${name} has no description`);
  const tf = Object.values(m.files).flatMap((f) => f.terraform || []);
  if (!tf.some((t) => t.required_version) || !tf.some((t) => (t.required_providers || []).some((p) => p.aws?.version))) {
    errors.push("versions: no terraform { required_version, required_providers { aws = { version } } }");
  }

  // A new account: Lambda concurrency quota possibly 10 (any reservation fails, as Lambda keeps 100 unreserved)
  // and memory at most 3008 MB. The defaults and the examples must apply there the first time.
  const fnType = m.variables.functions?.type || "";
  for (const x of fnType.matchAll(/(\w+)\s*=\s*optional\(object\(\{([^}]*)\}\)/g)) {
    const reserved = x[2].match(/reserved_concurrency\s*=\s*optional\(number,\s*(-?\d+)\)/)?.[1];
    const memory = x[2].match(/memory_mb\s*=\s*optional\(number,\s*(\d+)\)/)?.[1];
    if (reserved !== "-1") errors.push(`first apply: functions.${x[1]}.reserved_concurrency defaults to ${reserved}; a reservation fails in a new account, default -1`);
    if (Number(memory) > 3008) errors.push(`first apply: functions.${x[1]}.memory_mb defaults to ${memory}, above the 3008 MB a new account allows`);
  }
  for (const [label, em] of examples) {
    for (const [name, mod] of Object.entries(em.modules)) {
      for (const [fn, f] of Object.entries(mod.functions || {})) {
        if (f.reserved_concurrency !== undefined && f.reserved_concurrency !== -1) errors.push(`first apply: ${label} module ${name} reserves concurrency for ${fn}, which fails in a new account`);
        if (f.memory_mb > 3008) errors.push(`first apply: ${label} module ${name} gives ${fn} ${f.memory_mb} MB, above the 3008 MB a new account allows`);
      }
    }
  }

  // DynamoDB: on demand, PITR, deletion protection by variable, TTL the code can use.
  for (const [name, t] of all("aws_dynamodb_table")) {
    if (t.billing_mode !== "PAY_PER_REQUEST") errors.push(`dynamodb: aws_dynamodb_table.${name} is not on demand (PAY_PER_REQUEST)`);
    const pitr = t.point_in_time_recovery?.[0]?.enabled;
    if (pitr !== true && !isVar(pitr)) errors.push(`dynamodb: aws_dynamodb_table.${name} has no point-in-time recovery`);
    if (!isVar(t.deletion_protection_enabled)) errors.push(`dynamodb: aws_dynamodb_table.${name}.deletion_protection_enabled is not set by a variable`);
    for (const ttl of t.ttl || []) {
      if (ttl.enabled !== true) continue;
      if (!code.strings.has(ttl.attribute_name)) {
        errors.push(`dynamodb: aws_dynamodb_table.${name} expires items by ${ttl.attribute_name}, which no code writes: nothing would age out`);
      }
    }
  }
  if (!all("aws_dynamodb_table").some(([, t]) => (t.ttl || []).some((x) => x.enabled === true))) errors.push("dynamodb: no table has TTL enabled");

  // Lambdas: sizes and reserved concurrency by variable, logs kept for a configured time.
  for (const [name, fn] of all("aws_lambda_function")) {
    for (const attr of ["memory_size", "timeout", "reserved_concurrent_executions"]) {
      if (!isVar(fn[attr])) errors.push(`lambda: aws_lambda_function.${name}.${attr} is not set by a variable`);
    }
    const lg = resourceAddress(fn.logging_config?.[0]?.log_group);
    const group = lg && m.resources.aws_cloudwatch_log_group?.[lg.name];
    if (!group || !isVar(group.retention_in_days)) errors.push(`lambda: aws_lambda_function.${name} logs to no log group whose retention_in_days is a variable`);
  }

  // Queues: every queue a function consumes redrives to a dead-letter queue; every dead-letter queue (and
  // every stream's on-failure queue) has an alarm on its depth that notifies someone.
  const alarms = all("aws_cloudwatch_metric_alarm");
  const notifies = (a) => a.alarm_actions && a.alarm_actions !== "${[]}";
  const dlqs = new Set();
  for (const [en, esm] of all("aws_lambda_event_source_mapping")) {
    const src = resourceAddress(esm.event_source_arn);
    if (src?.type === "aws_sqs_queue") {
      const q = m.resources.aws_sqs_queue?.[src.name];
      const dlq = (q?.redrive_policy || "").match(/deadLetterTargetArn\s*=\s*aws_sqs_queue\.(\w+)\.arn/)?.[1];
      if (!dlq || !m.resources.aws_sqs_queue?.[dlq]) errors.push(`sqs: aws_sqs_queue.${src.name} (consumed by ${en}) has no redrive_policy to a dead-letter queue`);
      else dlqs.add(dlq);
    } else {
      const dest = resourceAddress(esm.destination_config?.[0]?.on_failure?.[0]?.destination_arn);
      if (dest?.type !== "aws_sqs_queue") errors.push(`lambda: event source ${en} has no on-failure destination queue`);
      else dlqs.add(dest.name);
    }
  }
  for (const q of dlqs) {
    const watched = alarms.some(([, a]) => a.namespace === "AWS/SQS" && refs(a.dimensions?.QueueName, `aws_sqs_queue.${q}.`) && notifies(a));
    if (!watched) errors.push(`alarms: no alarm on the depth of dead-letter queue aws_sqs_queue.${q}`);
  }
  const fnNames = Object.keys(m.resources.aws_lambda_function || {});
  const errorAlarms = alarms.filter(([, a]) => a.namespace === "AWS/Lambda" && a.metric_name === "Errors" && notifies(a));
  for (const f of fnNames) {
    const covered = errorAlarms.some(([, a]) => refs(a.dimensions?.FunctionName, `aws_lambda_function.${f}.`)
      || (a.dimensions?.FunctionName === "${each.value}" && a.for_each === "${local.function_names}" && f in (m.locals.function_names || {})));
    if (!covered) errors.push(`alarms: no Errors alarm on aws_lambda_function.${f}`);
  }
  const notified = new Set(Object.values(m.resources.aws_s3_bucket_notification || {}).flatMap((n) => n.queue || [])
    .map((q) => resourceAddress(q.queue_arn)?.name));
  const silence = alarms.some(([, a]) => a.namespace === "AWS/SQS" && a.metric_name === "NumberOfMessagesSent"
    && a.comparison_operator === "LessThanThreshold" && a.treat_missing_data === "breaching"
    && [...notified].some((q) => refs(a.dimensions?.QueueName, `aws_sqs_queue.${q}.`)) && notifies(a));
  if (!silence) errors.push("alarms: no shipper-silence alarm (fewer than 1 notification sent to the ingest queue, missing data breaching)");

  // Schedules: the insights job daily and the weekly report, both on the insights job.
  const targets = all("aws_cloudwatch_event_target").map(([, t]) => t);
  const jobTargets = targets.filter((t) => refs(t.arn, "aws_lambda_alias.insights_job.") || refs(t.arn, "aws_lambda_function.insights_job."));
  if (!jobTargets.some((t) => t.input === undefined)) errors.push("events: no schedule runs the insights job (a target without input)");
  if (!jobTargets.some((t) => /report\s*=\s*"weekly"/.test(t.input || ""))) errors.push("events: no schedule runs the weekly report (input {report = \"weekly\"})");

  // SNS: encrypted, e-mail subscriptions by variable.
  for (const [name, t] of all("aws_sns_topic")) if (!t.kms_master_key_id) errors.push(`sns: aws_sns_topic.${name} is not encrypted`);
  if (!all("aws_sns_topic_subscription").some(([, s]) => s.protocol === "email" && /var\./.test(s.for_each || ""))) {
    errors.push("sns: no e-mail subscriptions by variable");
  }

  // S3: SSE-S3 by default, a KMS key by variable.
  for (const [name, c] of all("aws_s3_bucket_server_side_encryption_configuration")) {
    const d = c.rule?.[0]?.apply_server_side_encryption_by_default?.[0] || {};
    if (!/AES256/.test(R(d.sse_algorithm || "")) || !/aws:kms/.test(R(d.sse_algorithm || "")) || !isVar(d.kms_master_key_id)) {
      errors.push(`s3: aws_s3_bucket_server_side_encryption_configuration.${name} must choose SSE-S3 or a KMS key by variable`);
    }
  }
}
