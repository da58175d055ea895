// The checks: the Terraform module against itself (references) and against the code (handlers, key layout,
// least privilege derived from the SDK calls each function's code can reach).
import fs from "node:fs";
import path from "node:path";
import { loadModule, walkStrings, dynamicIterators, resolveLocals, resourceAddress, statementsOf,
  getReferencesInExpression } from "./tf.mjs";
import { loadJava, reachableSdkCalls } from "./java.mjs";
import { checkParts } from "./parts.mjs";
import { checkAthena } from "./athena.mjs";
import { checkReadme } from "./readme.mjs";

export const QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

/** SDK method → IAM actions, by the role each key plays ("read" the source, "write" the target). */
const SDK_ACTIONS = {
  dynamodb: {
    putItem: ["dynamodb:PutItem"], getItem: ["dynamodb:GetItem"], updateItem: ["dynamodb:UpdateItem"],
    deleteItem: ["dynamodb:DeleteItem"], query: ["dynamodb:Query"], queryPaginator: ["dynamodb:Query"],
    scan: ["dynamodb:Scan"], scanPaginator: ["dynamodb:Scan"], batchWriteItem: ["dynamodb:BatchWriteItem"],
    batchGetItem: ["dynamodb:BatchGetItem"], batchGetItemPaginator: ["dynamodb:BatchGetItem"],
    describeTable: ["dynamodb:DescribeTable"], createTable: ["dynamodb:CreateTable"], listTables: ["dynamodb:ListTables"],
  },
  s3: {
    getObject: [["s3:GetObject", "read"]], headObject: [["s3:GetObject", "read"]],
    presignGetObject: [["s3:GetObject", "read"]], putObject: [["s3:PutObject", "write"]],
    copyObject: [["s3:GetObject", "read"], ["s3:PutObject", "write"]], deleteObject: [["s3:DeleteObject", "write"]],
  },
  sns: { publish: ["sns:Publish"] },
};
/** Client methods that make no request. */
const NOT_CALLS = new Set(["builder", "close", "serviceName", "serviceClientConfiguration", "create", "utilities", "waiter"]);

/**
 * Where each class's S3 keys live, named by the Java constants that build them (values are read from the
 * sources). A class that calls S3 and is not listed here fails the check, and so does a listed class that
 * refers to a key root (X.ROOT) its reads do not list: update this table when the code changes.
 */
const S3_KEYS = {
  IngestService: { read: ["BatchKey.ROOT", "MetadataDocument.ROOT"], write: ["IngestService.QUARANTINE"], bucket: "event" },
  EventsEndpoint: { read: [], write: ["MetadataDocument.ROOT"], bucket: "TASKMETER_BUCKET" },
  WeeklyReportJob: { read: ["WeeklyReportJob.PREFIX"], write: ["WeeklyReportJob.PREFIX"], bucket: "TASKMETER_BUCKET" },
};

/** Calls through functional fields a name-based reader cannot follow; each is confirmed in the sources. */
const INDIRECTIONS = [
  { cls: "WeeklyReportJob", receiver: "linkFor", method: "apply",
    sdk: { client: "S3Presigner", method: "presignGetObject", inClass: "Producers" },
    confirm: { cls: "Producers", text: /presigner\.presignGetObject\(/ } },
];

const EVENT_SOURCE_ACTIONS = {
  aws_sqs_queue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
  aws_dynamodb_table: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
};

const toEnv = (prop) => prop.toUpperCase().replace(/[^A-Z0-9]/g, "_");
const uniq = (a) => [...new Set(a)];

export async function verify({ moduleDir, repoRoot, logicalModuleDir = moduleDir, exampleDirs = [] }) {
  const errors = [];
  const warnings = [];
  const info = {};
  const { module: m, errors: syntax } = await loadModule(moduleDir);
  errors.push(...syntax);
  if (syntax.length) return { errors, warnings, info };

  await checkReferences(m, errors, "module");
  const examples = [];
  for (const ex of exampleDirs) {
    const { module: em, errors: es } = await loadModule(ex);
    errors.push(...es);
    examples.push([`infra/terraform/${path.relative(moduleDir, ex)}`, em]);
    if (!es.length) await checkReferences(em, errors, `infra/terraform/${path.relative(moduleDir, ex)}`, async (src) => {
      const dir = path.resolve(ex, src);
      return path.resolve(dir) === path.resolve(logicalModuleDir) ? m : (await loadModule(dir)).module;
    });
  }

  const R = (s) => resolveLocals(m, s);
  const norm = (s) => R(s).replaceAll("${var.key_prefix}", "");
  const res = (type, name) => m.resources[type]?.[name];
  const docOf = (policyExpr) => {
    const a = resourceAddress(policyExpr);
    return a && a.type === "aws_iam_policy_document" && /^\$\{data\./.test(policyExpr) ? m.data.aws_iam_policy_document?.[a.name] : null;
  };

  // --- the code ---------------------------------------------------------------------------------------
  const fnRoot = path.join(repoRoot, "functions");
  const common = loadJava([path.join(fnRoot, "common/src/main/java")]);
  const core = loadJava([path.join(repoRoot, "core/src/main/java")]);
  const constant = (ref) => {
    const [cls, name] = ref.split(".");
    const v = (common[cls] || core[cls])?.constants[name];
    if (v === undefined) errors.push(`code: constant ${ref} not found in the sources`);
    return v;
  };
  const producers = common.Producers;
  const configProps = producers ? [...producers.src.matchAll(/@ConfigProperty\(\s*name\s*=\s*"([^"]+)"/g)].map((x) => x[1]) : [];
  if (!producers) errors.push("code: functions/common .../cdi/Producers.java not found (configuration the functions read)");
  // Which table each store writes: Services constructs them as `new X(ddb, tables.<key>()...)`.
  const tableOfClass = {};
  for (const x of (common.Services?.src || "").matchAll(/new\s+(\w+)\(\s*ddb\s*,\s*tables\.(\w+)\(\)/g)) tableOfClass[x[1]] = x[2];
  if (!Object.keys(tableOfClass).length) errors.push("code: Services.java wires no store to a table (new X(ddb, tables.y()))");
  for (const [cls, layout] of Object.entries(S3_KEYS)) {
    const src = common[cls]?.code || "";
    const roots = new Set([...src.matchAll(/\b(\w+)\.ROOT\b/g)].map((x) => x[1])
      .filter((owner) => typeof (common[owner] || core[owner])?.constants.ROOT === "string")); // key roots, not Locale.ROOT
    for (const owner of roots) {
      if (!layout.read.includes(`${owner}.ROOT`)) errors.push(`code: ${cls} refers to ${owner}.ROOT, which S3_KEYS does not list among its reads: declare it there (its role will then need s3:GetObject on it)`);
    }
  }
  for (const ind of INDIRECTIONS) {
    if (!ind.confirm.text.test(common[ind.confirm.cls]?.src || "")) {
      errors.push(`code: ${ind.confirm.cls} no longer makes the call ${ind.sdk.method} that ${ind.cls}.${ind.receiver} stands for; update INDIRECTIONS`);
    }
  }
  // The key roots the shipper and the orchestrator pollers write under (after the sink's prefix), with a sample
  // key of each built as the code builds it and checked against what the code accepts.
  const roots = { batches: constant("BatchKey.ROOT"), metadata: constant("MetadataDocument.ROOT") };
  const batchKeySrc = core.BatchKey?.src || "";
  const sampleKey = `${roots.batches}dt=2026-11-22/host=ip-10-0-0-7/0f3c9a2e-42.json.gz`;
  const javaPattern = (batchKeySrc.match(/Pattern\.compile\(\s*"((?:[^"\\]|\\.)*)"/) || [])[1];
  if (!javaPattern || !new RegExp(javaPattern.replace(/\\\\/g, "\\")).test(sampleKey)) {
    errors.push(`code: the sample batch key ${sampleKey} does not match BatchKey's pattern; update the verifier's sample`);
  }
  const sampleMetadataKey = `${roots.metadata}airflow/2026-11-22/5d41402abc4b2a76b9719d911017c592.json.gz`;
  if (!/return\s+ROOT\s*\+/.test(core.MetadataDocument?.src || "")) {
    errors.push("code: MetadataDocument.key() no longer starts keys with ROOT; update the verifier's sample metadata key");
  }

  // --- S3 bucket, notifications, lifecycle, public access -------------------------------------------------
  const buckets = Object.keys(m.resources.aws_s3_bucket || {});
  if (buckets.length !== 1) errors.push(`s3: expected exactly one aws_s3_bucket, found ${buckets.length}`);
  const bucket = `aws_s3_bucket.${buckets[0]}`;
  const objectArn = (prefix) => `\${${bucket}.arn}/${prefix}*`;
  const bucketKms = Object.values(m.resources.aws_s3_bucket_server_side_encryption_configuration || {})
    .map((c) => c.rule?.[0]?.apply_server_side_encryption_by_default?.[0]?.kms_master_key_id).find(Boolean);
  const kmsRef = bucketKms && /\$\{var\.(\w+)\}/.test(bucketKms) ? bucketKms : null;
  if (!Object.keys(m.resources.aws_s3_bucket_server_side_encryption_configuration || {}).length) errors.push("s3: no default encryption");
  if (!Object.values(m.resources.aws_s3_bucket_versioning || {}).some((v) => v.versioning_configuration?.[0]?.status === "Enabled")) errors.push("s3: versioning not enabled");
  const pab = Object.values(m.resources.aws_s3_bucket_public_access_block || {});
  if (!pab.length || !pab.every((p) => ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => p[k] === true))) {
    errors.push("public: the bucket's public access block must set all four flags to true");
  }
  const lifecycle = Object.values(m.resources.aws_s3_bucket_lifecycle_configuration || {}).flatMap((l) => l.rule || []);
  // An expiry rule covers a root when its prefix is a prefix of the root (batches/ covers batches/v1/).
  const expires = (key) => lifecycle.some((r) => r.expiration && key.startsWith(norm(r.filter?.[0]?.prefix ?? "\u0000")));
  for (const k of [sampleKey, sampleMetadataKey, `${constant("IngestService.QUARANTINE")}${sampleKey}`]) {
    if (!expires(k)) errors.push(`s3: no lifecycle expiry covers ${k.split("/").slice(0, k.startsWith("quarantine") ? 1 : 2).join("/")}/`);
  }
  const notif = Object.values(m.resources.aws_s3_bucket_notification || {}).flatMap((n) => n.queue || []);
  const notifPrefixes = notif.map((q) => norm(q.filter_prefix || ""));
  for (const [what, root] of Object.entries(roots)) {
    if (!notifPrefixes.includes(root)) errors.push(`s3: no ObjectCreated notification for ${root} (the ${what} root in the code; found ${JSON.stringify(notifPrefixes)})`);
  }
  for (const q of notif) {
    const p = norm(q.filter_prefix || "");
    if (!Object.values(roots).includes(p)) errors.push(`s3: notification prefix ${JSON.stringify(p)} is not a key root the code writes (${Object.values(roots).join(", ")})`);
    if (!(q.events || []).some((e) => e.startsWith("s3:ObjectCreated"))) errors.push(`s3: notification for ${p} is not on ObjectCreated`);
  }
  const bucketPolicies = Object.values(m.resources.aws_s3_bucket_policy || {}).map((p) => docOf(p.policy));
  const denyTls = bucketPolicies.some((d) => statementsOf(d).some((s) => s.effect === "Deny"
    && (s.condition || []).some((c) => c.variable === "aws:SecureTransport" && String(c.values) === "false")));
  if (!denyTls) errors.push("s3: the bucket policy must deny requests without TLS (aws:SecureTransport = false)");

  // --- every policy is a policy document the verifier can read; wildcards; public principals ---------------
  const kmsKeyDocs = new Set(Object.values(m.resources.aws_kms_key || {}).map((k) => resourceAddress(k.policy)?.name));
  for (const [type, byName] of Object.entries(m.resources)) {
    for (const [name, r] of Object.entries(byName)) {
      for (const attr of ["policy", "assume_role_policy", "redrive_allow_policy", "redrive_policy"]) {
        if (r[attr] === undefined) continue;
        if (attr.startsWith("redrive")) continue;
        if (!docOf(r[attr])) errors.push(`iam: ${type}.${name}.${attr} must be a data.aws_iam_policy_document (so it can be checked)`);
      }
      if (r.inline_policy || r.managed_policy_arns) errors.push(`iam: ${type}.${name} declares inline_policy/managed_policy_arns; use aws_iam_role_policy with a policy document`);
    }
  }
  const accountRoot = /^arn:\$\{local\.partition\}:iam::\$\{local\.account_id\}:root$|^arn:aws:iam::\$\{data\.aws_caller_identity\.current\.account_id\}:root$/;
  for (const [dname, doc] of Object.entries(m.data.aws_iam_policy_document || {})) {
    for (const s of statementsOf(doc)) {
      if (s.not_actions || s.not_resources || s.not_principals) errors.push(`iam: ${dname}: not_actions/not_resources/not_principals are not allowed`);
      if ((s.effect || "Allow") !== "Allow") continue;
      const principals = s.principals || [];
      const isKeyAdmin = kmsKeyDocs.has(dname) && principals.length && principals.every((p) => p.type === "AWS" && p.identifiers.every((i) => accountRoot.test(i)));
      for (const a of s.actions || []) {
        if (a.includes("*") && !isKeyAdmin) errors.push(`iam: wildcard action ${a} in data.aws_iam_policy_document.${dname}`);
      }
      for (const p of principals) {
        if (p.type === "*" || (p.identifiers || []).some((i) => i === "*")) errors.push(`public: data.aws_iam_policy_document.${dname} allows principal "*"`);
        if (p.type === "Service" && !(s.condition || []).some((c) => /aws:Source(Arn|Account)/i.test(c.variable))) {
          errors.push(`iam: data.aws_iam_policy_document.${dname} trusts ${p.identifiers} without an aws:SourceArn/aws:SourceAccount condition`);
        }
      }
    }
  }
  for (const [name, p] of Object.entries(m.resources.aws_lambda_permission || {})) {
    if (!/\.amazonaws\.com$/.test(p.principal || "") || !p.source_arn) errors.push(`public: aws_lambda_permission.${name} must name a service principal and a source_arn`);
  }
  for (const t of ["aws_lambda_function_url", "aws_s3_bucket_acl", "aws_s3_bucket_website_configuration"]) {
    for (const n of Object.keys(m.resources[t] || {})) errors.push(`public: ${t}.${n} is not allowed`);
  }
  for (const [name, r] of Object.entries(m.resources.aws_apigatewayv2_route || {})) {
    if (r.authorization_type !== "AWS_IAM") errors.push(`public: aws_apigatewayv2_route.${name} has authorization_type ${r.authorization_type || "NONE"}, not AWS_IAM`);
  }
  for (const [name, s] of Object.entries(m.resources.aws_apigatewayv2_stage || {})) {
    const rs = s.default_route_settings?.[0];
    if (!rs || rs.throttling_rate_limit === undefined || rs.throttling_burst_limit === undefined) errors.push(`api: aws_apigatewayv2_stage.${name} has no throttling`);
  }

  // --- Lambdas: handler, zip, environment, role = exactly what the code calls ------------------------------
  const lambdas = m.resources.aws_lambda_function || {};
  const aliasFn = {};
  for (const [an, a] of Object.entries(m.resources.aws_lambda_alias || {})) aliasFn[an] = resourceAddress(a.function_name)?.name;
  const fnOf = (expr) => {
    const a = resourceAddress(expr);
    if (!a) return null;
    if (a.type === "aws_lambda_alias") return aliasFn[a.name];
    return a.type === "aws_lambda_function" ? a.name : null;
  };
  info.functions = {};
  for (const [fname, fn] of Object.entries(lambdas)) {
    const where = `aws_lambda_function.${fname}`;
    const need = new Map(); // "action @ resource" → why
    const want = (actions, resource, why) => { for (const a of actions) if (!need.has(`${a} @ ${resource}`)) need.set(`${a} @ ${resource}`, why); };

    if (R(fn.handler) !== QUARKUS_HANDLER) errors.push(`lambda: ${where}.handler is ${R(fn.handler)}, not ${QUARKUS_HANDLER}`);
    if (!/^java(17|21)$/.test(fn.runtime) && !/var\.lambda_runtime/.test(fn.runtime)) errors.push(`lambda: ${where}.runtime ${fn.runtime} is not java17/java21`);
    if (!fn.snap_start && !fn.dynamic?.snap_start) errors.push(`lambda: ${where} has no SnapStart`);
    if (fn.publish !== true) errors.push(`lambda: ${where} must publish versions (SnapStart works on versions)`);
    const zip = (R(fn.filename).match(/\$\{path\.module\}\/([^"]*function\.zip)/) || [])[1];
    if (!zip) { errors.push(`lambda: ${where}.filename has no default zip under \${path.module}: ${R(fn.filename)}`); continue; }
    const zipPath = path.resolve(logicalModuleDir, zip);
    const modDir = path.dirname(path.dirname(zipPath));
    const pom = path.join(modDir, "pom.xml");
    if (path.basename(path.dirname(zipPath)) !== "target" || !fs.existsSync(pom) || !/quarkus-amazon-lambda/.test(fs.readFileSync(pom, "utf8"))) {
      errors.push(`lambda: ${where} zip ${path.relative(repoRoot, zipPath)} is not <module>/target/function.zip of a quarkus-amazon-lambda module`);
      continue;
    }
    if (!fs.existsSync(zipPath)) warnings.push(`lambda: ${path.relative(repoRoot, zipPath)} not built yet (./mvnw -B -DskipTests package)`);
    const env = fn.environment?.[0]?.variables || {};
    for (const k of Object.keys(env)) {
      if (k === "QUARKUS_LAMBDA_HANDLER") continue;
      if (!configProps.some((p) => toEnv(p) === k)) errors.push(`lambda: ${where} sets ${k}, which no @ConfigProperty in Producers reads`);
    }
    const modClasses = loadJava([path.join(modDir, "src/main/java")]);
    const handlers = Object.values(modClasses).filter((c) => c.named && c.implements.includes("RequestStreamHandler"));
    const wanted = env.QUARKUS_LAMBDA_HANDLER ?? (handlers.length === 1 ? handlers[0].named : undefined);
    const handler = handlers.find((h) => h.named === wanted);
    if (!handler) {
      errors.push(`lambda: ${where} selects handler ${JSON.stringify(wanted)}, but ${path.relative(repoRoot, modDir)} has @Named handlers ${JSON.stringify(handlers.map((h) => h.named))}`);
      continue;
    }
    const classes = { ...common, ...core, ...modClasses };
    const { calls } = reachableSdkCalls(classes, { cls: handler.name, method: "handleRequest" }, INDIRECTIONS);
    const envResource = (prop) => {
      const v = env[toEnv(prop)];
      return v === undefined ? undefined : resourceAddress(v);
    };
    const topOf = (cls) => path.basename(classes[cls]?.file || cls, ".java");
    const summary = [];
    for (const call of calls) {
      if (NOT_CALLS.has(call.method)) continue;
      const map = SDK_ACTIONS[call.service]?.[call.method];
      const why = `${call.cls}: ${call.client}.${call.method} (${call.via})`;
      if (!map) { errors.push(`code: no IAM mapping for ${call.client}.${call.method} in ${call.cls}; add it to SDK_ACTIONS`); continue; }
      if (call.service === "dynamodb") {
        const key = tableOfClass[topOf(call.cls)];
        if (!key) { errors.push(`code: ${call.cls} calls DynamoDB but Services does not say which table it uses`); continue; }
        const t = envResource(`taskmeter.table.${key}`);
        if (!t) { errors.push(`lambda: ${where} reaches the ${key} table (${why}) but does not set ${toEnv(`taskmeter.table.${key}`)}`); continue; }
        want(map, `\${${t.ref}.arn}`, why);
        summary.push(`${map.join(",")} ${key}`);
      } else if (call.service === "s3") {
        const layout = S3_KEYS[topOf(call.cls)];
        if (!layout) { errors.push(`code: ${call.cls} calls S3 (${call.method}) but its key layout is not declared in S3_KEYS`); continue; }
        if (layout.bucket !== "event") {
          const b = envResource(layout.bucket.toLowerCase().replace(/_/g, "."));
          if (!b || b.ref !== bucket) errors.push(`lambda: ${where} reaches ${call.cls} S3 writes but ${layout.bucket} does not name ${bucket}`);
        }
        for (const [action, role] of map) {
          for (const ref of layout[role]) {
            const prefix = constant(ref);
            want([action], objectArn(prefix), why);
            if (kmsRef) want([role === "read" ? "kms:Decrypt" : "kms:GenerateDataKey"], kmsRef, `${why} on an SSE-KMS bucket`);
            summary.push(`${action} ${prefix}`);
          }
        }
      } else if (call.service === "sns") {
        const topic = envResource("taskmeter.alerts.topic-arn");
        if (!topic) { warnings.push(`lambda: ${where} can publish alerts (${why}) but TASKMETER_ALERTS_TOPIC_ARN is unset: they go to the log only`); continue; }
        want(map, `\${${topic.ref}.arn}`, why);
        const key = resourceAddress(res(topic.type, topic.name)?.kms_master_key_id);
        if (key) want(["kms:Decrypt", "kms:GenerateDataKey"], `\${${key.ref}.arn}`, `${why} on a topic encrypted with ${key.ref}`);
        summary.push(`${map.join(",")} topic`);
      }
    }
    // What the Lambda service does with the role: logs, event sources, failure destinations.
    const lg = resourceAddress(fn.logging_config?.[0]?.log_group)
      || Object.entries(m.resources.aws_cloudwatch_log_group || {}).map(([n, g]) => ({ ref: `aws_cloudwatch_log_group.${n}`, name: R(g.name) }))
        .find((g) => g.name === `/aws/lambda/${R(fn.function_name)}`);
    if (!lg) errors.push(`lambda: ${where} has no log group with a retention`);
    else want(["logs:CreateLogStream", "logs:PutLogEvents"], `\${${lg.ref}.arn}:*`, "Lambda runtime logs");
    for (const [en, esm] of Object.entries(m.resources.aws_lambda_event_source_mapping || {})) {
      if (fnOf(esm.function_name) !== fname) continue;
      const src = resourceAddress(esm.event_source_arn);
      if (!src || !EVENT_SOURCE_ACTIONS[src.type]) { errors.push(`lambda: event source ${en} reads an unsupported source ${esm.event_source_arn}`); continue; }
      want(EVENT_SOURCE_ACTIONS[src.type], `\${${src.ref}.${src.attr}}`, `event source mapping ${en}`);
      if (!(esm.function_response_types || []).includes("ReportBatchItemFailures")) errors.push(`lambda: event source ${en} must use ReportBatchItemFailures (the handlers return partial batch responses)`);
      const dest = resourceAddress(esm.destination_config?.[0]?.on_failure?.[0]?.destination_arn);
      if (dest?.type === "aws_sqs_queue") want(["sqs:SendMessage"], `\${${dest.ref}.arn}`, `event source mapping ${en} on-failure destination`);
    }

    // What the role allows.
    const role = resourceAddress(fn.role);
    if (!role || role.type !== "aws_iam_role") { errors.push(`iam: ${where}.role is not an aws_iam_role of this module`); continue; }
    const shared = Object.entries(lambdas).filter(([n, f]) => n !== fname && resourceAddress(f.role)?.ref === role.ref);
    if (shared.length) errors.push(`iam: ${where} shares ${role.ref} with ${shared.map(([n]) => n)}; one role per function`);
    for (const [an, att] of Object.entries(m.resources.aws_iam_role_policy_attachment || {})) {
      if (resourceAddress(att.role)?.ref === role.ref) errors.push(`iam: aws_iam_role_policy_attachment.${an} adds a managed policy to ${role.ref}`);
    }
    const allowed = new Map();
    for (const [pn, rp] of Object.entries(m.resources.aws_iam_role_policy || {})) {
      if (resourceAddress(rp.role)?.ref !== role.ref) continue;
      const doc = docOf(rp.policy);
      for (const s of statementsOf(doc)) {
        if ((s.effect || "Allow") !== "Allow") continue;
        for (const a of s.actions || []) for (const r of s.resources || []) {
          if (r === "*") errors.push(`iam: ${role.ref} allows ${a} on "*"`);
          allowed.set(`${a} @ ${norm(r)}`, `aws_iam_role_policy.${pn}${s.sid ? ` (${s.sid})` : ""}`);
        }
      }
    }
    for (const [k, why] of need) if (!allowed.has(k)) errors.push(`iam: ${role.ref} (${fname}) is missing ${k} — needed by ${why}`);
    for (const [k, from] of allowed) if (!need.has(k)) errors.push(`iam: ${role.ref} (${fname}) allows ${k} in ${from}, but ${fname}'s code never calls it`);
    info.functions[fname] = { handler: `${handler.named} (${handler.name})`, zip: path.relative(repoRoot, zipPath), needs: [...need.keys()].sort() };
  }
  for (const [en, esm] of Object.entries(m.resources.aws_lambda_event_source_mapping || {})) {
    if (!fnOf(esm.function_name)) errors.push(`lambda: event source ${en} targets no function of this module`);
  }
  // The ingest queue gets the bucket's notifications.
  const ingestQueues = Object.values(m.resources.aws_lambda_event_source_mapping || {})
    .filter((e) => lambdas[fnOf(e.function_name)]?.environment?.[0]?.variables?.QUARKUS_LAMBDA_HANDLER === "ingest")
    .map((e) => resourceAddress(e.event_source_arn)?.ref);
  for (const q of notif) if (!ingestQueues.includes(resourceAddress(q.queue_arn)?.ref)) errors.push(`s3: notification for ${norm(q.filter_prefix)} goes to ${q.queue_arn}, which ingest does not consume`);

  // --- the shipper's policy ----------------------------------------------------------------------------------
  const shipper = m.resources.aws_iam_policy?.shipper;
  if (!shipper) errors.push("iam: no aws_iam_policy.shipper");
  else {
    const doc = docOf(shipper.policy);
    const sampleFor = (s) => s.replace(/\$\$\{aws:PrincipalTag\/[\w-]+\}/g, "ip-10-0-0-7");
    let coversBatches = false;
    let coversMetadata = false;
    for (const s of statementsOf(doc)) {
      const kms = (s.actions || []).every((a) => a === "kms:GenerateDataKey") && (s.resources || []).every((r) => r === kmsRef);
      if (kms && s.dynamic) continue;
      for (const a of s.actions || []) if (a !== "s3:PutObject") errors.push(`iam: the shipper policy allows ${a}; only s3:PutObject`);
      const resources = [...new Set([].concat(s.resources || []).map(norm))];
      // a conditional list: both branches are possible
      const branches = resources.flatMap((r) => {
        const c = r.match(/^\$\{var\.\w+ \? \[(.*)\] : \[(.*)\]\}$/s);
        return c ? [...c[1].matchAll(/"((?:[^"\\]|\\.)*)"/g), ...c[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1].replaceAll("${var.key_prefix}", "")) : [r];
      });
      for (const r of branches) {
        const ok = [`\${${bucket}.arn}/batches/`, `\${${bucket}.arn}/metadata/`].some((p) => r.startsWith(p));
        if (!ok) errors.push(`iam: the shipper policy allows writes to ${r}; only batches/ and metadata/`);
        const glob = new RegExp("^" + sampleFor(r).replace(`\${${bucket}.arn}/`, "").replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
        if (r.includes("/batches/")) {
          if (glob.test(sampleKey)) coversBatches = true;
          else errors.push(`iam: the shipper policy resource ${r} does not cover the shipper's key ${sampleKey}`);
        }
        if (r.includes("/metadata/")) {
          if (glob.test(sampleMetadataKey)) coversMetadata = true;
          else errors.push(`iam: the shipper policy resource ${r} does not cover the pollers' key ${sampleMetadataKey}`);
        }
      }
    }
    if (!coversBatches) errors.push("iam: the shipper policy does not allow writing batches");
    if (!coversMetadata) errors.push("iam: the shipper policy does not allow writing orchestrator metadata");
  }
  const codeStrings = new Set([...Object.values(common), ...Object.values(core)].flatMap((c) => c.strings.map((x) => x.value)));
  checkParts(m, { errors, warnings, code: { strings: codeStrings }, R, examples });
  checkAthena(m, { errors, core, R });
  checkReadme(m, { errors, moduleDir });
  info.sampleKey = sampleKey;
  info.sampleMetadataKey = sampleMetadataKey;
  return { errors, warnings, info };
}

/** Every reference in every expression names something declared. */
async function checkReferences(m, errors, label, loadChild) {
  const iterators = dynamicIterators(m.files);
  const builtins = new Set(["each", "count", "path", "self", "terraform"]);
  const seen = new Set();
  for (const [file, json] of Object.entries(m.files)) {
    const strings = [];
    walkStrings(json, (s, at) => {
      if (at[0] === "variable" && at[3] === "type") return; // type constraints are not references
      if (s.includes("${")) strings.push(s);
    });
    for (const s of strings) {
      let refs;
      try { refs = await getReferencesInExpression(file, s); } catch (e) { errors.push(`syntax: ${label}/${file}: ${s}: ${e.message || e}`); continue; }
      for (const { value } of refs) {
        const parts = value.split(".");
        const key = `${file}:${value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const [a, b, c] = parts;
        const bad = (what) => errors.push(`reference: ${label}/${file}: unknown reference ${value} (${what})`);
        if (builtins.has(a) || iterators.has(a)) continue;
        if (a === "var") { if (!m.variables[b]) bad("no such variable"); }
        else if (a === "local") { if (!(b in m.locals)) bad("no such local"); }
        else if (a === "data") { if (!m.data[b]?.[c]) bad("no such data source"); }
        else if (a === "module") {
          if (!m.modules[b]) bad("no such module");
          else if (c && loadChild) {
            const child = await loadChild(m.modules[b].source);
            if (!child.outputs[c]) bad(`module ${b} has no output ${c}`);
          }
        } else if (!m.resources[a]?.[b]) bad("no such resource");
      }
    }
  }
  if (loadChild) {
    for (const [name, mod] of Object.entries(m.modules)) {
      const child = await loadChild(mod.source);
      for (const arg of Object.keys(mod)) {
        if (["source", "version", "providers", "depends_on", "count", "for_each"].includes(arg)) continue;
        if (!child.variables[arg]) errors.push(`reference: ${label}: module ${name} sets ${arg}, which the module does not declare`);
      }
      for (const [v, def] of Object.entries(child.variables)) {
        if (!("default" in def) && !(v in mod)) errors.push(`reference: ${label}: module ${name} does not set required variable ${v}`);
      }
    }
  }
}
