#!/usr/bin/env node
// Static verification of infra/terraform without a terraform binary: HCL syntax (HashiCorp's parser, WASM),
// references, handlers and zips against the code, S3 key layout against the shipper's, least privilege derived
// from the SDK calls each function's code makes, nothing public, every part issue 6 lists, the Athena columns
// against the batch records, and the README's inputs/outputs tables. Then it proves it can fail: each fixture in
// fixtures/cases.json breaks a copy of the module and must be reported.
//
//   node infra/test/verify.mjs            verify the module, then the fixtures
//   node infra/test/verify.mjs --explain  also print what each function's role must allow and why
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { verify } from "./lib/checks.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const moduleDir = path.join(repoRoot, "infra/terraform");
const explain = process.argv.includes("--explain");

function report(title, { errors, warnings }) {
  for (const w of warnings) console.log(`  warning: ${w}`);
  for (const e of errors) console.log(`  ERROR: ${e}`);
  console.log(`${title}: ${errors.length ? `${errors.length} error(s)` : "ok"}`);
}

const examples = fs.readdirSync(path.join(moduleDir, "examples")).map((d) => path.join(moduleDir, "examples", d));
const result = await verify({ moduleDir, repoRoot, exampleDirs: examples });
if (explain) {
  for (const [fn, f] of Object.entries(result.info.functions || {})) {
    console.log(`${fn}: handler ${f.handler}, ${f.zip}`);
    for (const n of f.needs) console.log(`    ${n}`);
  }
}
report("infra/terraform", result);

// Fixtures: each case copies the module, breaks it (adds .tf files and/or edits files), and expects findings.
// A case with codeEdit also breaks a copy of the code the checks read (core and functions/common sources).
const CODE_DIRS = ["core/src/main/java", "functions/common/src/main/java"];
function applyEdits(dir, edits, name) {
  for (const e of edits || []) {
    const p = path.join(dir, e.file);
    const text = fs.readFileSync(p, "utf8");
    if (!text.includes(e.from)) throw new Error(`fixture ${name}: ${e.file} no longer contains ${JSON.stringify(e.from)}`);
    fs.writeFileSync(p, text.replace(e.from, e.to));
  }
}
const cases = JSON.parse(fs.readFileSync(path.join(here, "fixtures/cases.json"), "utf8"));
let fixtureFailures = 0;
for (const c of cases) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "taskmeter-infra-"));
  try {
    fs.cpSync(moduleDir, tmp, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
    for (const add of c.add || []) fs.copyFileSync(path.join(here, "fixtures", add), path.join(tmp, path.basename(add)));
    applyEdits(tmp, c.edit, c.name);
    let codeRoot = repoRoot;
    if (c.codeEdit) {
      codeRoot = path.join(tmp, ".code");
      for (const d of CODE_DIRS) fs.cpSync(path.join(repoRoot, d), path.join(codeRoot, d), { recursive: true });
      applyEdits(codeRoot, c.codeEdit, c.name);
    }
    const tmpExamples = fs.readdirSync(path.join(tmp, "examples")).map((d) => path.join(tmp, "examples", d));
    const r = await verify({ moduleDir: tmp, repoRoot: codeRoot, logicalModuleDir: moduleDir, exampleDirs: tmpExamples });
    const missing = c.expect.filter((x) => !r.errors.some((err) => err.includes(x)));
    if (missing.length) {
      fixtureFailures++;
      console.log(`  FIXTURE NOT DETECTED: ${c.name}: expected an error containing ${JSON.stringify(missing)}; got ${JSON.stringify(r.errors)}`);
    } else {
      console.log(`  fixture ${c.name}: reported (${r.errors.length} error(s), e.g. ${r.errors.find((err) => err.includes(c.expect[0]))})`);
    }
  } catch (e) {
    fixtureFailures++;
    console.log(`  FIXTURE BROKEN: ${c.name}: ${e.message}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
console.log(`fixtures: ${cases.length - fixtureFailures}/${cases.length} detected`);
process.exit(result.errors.length || fixtureFailures ? 1 : 0);
