// Loading a Terraform module with HashiCorp's HCL parser (WASM, @cdktf/hcl2json) and the little evaluation the
// checks need: declared names, string locals, references in expressions.
import fs from "node:fs";
import path from "node:path";
import hcl from "@cdktf/hcl2json";

export const { parse, getReferencesInExpression } = hcl;

/** Parses every .tf file of dir (not recursive). Syntax errors are returned, not thrown. */
export async function loadModule(dir) {
  const files = {};
  const errors = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".tf")).sort()) {
    const p = path.join(dir, f);
    try {
      files[f] = await parse(p, fs.readFileSync(p, "utf8"));
    } catch (e) {
      errors.push(`syntax: ${path.relative(process.cwd(), p)}: ${String(e.message || e).replace(/\s+/g, " ")}`);
    }
  }
  const m = { dir, files, variables: {}, locals: {}, resources: {}, data: {}, modules: {}, outputs: {}, where: {} };
  const dup = (kind, name, f) => {
    if (m.where[`${kind}.${name}`]) errors.push(`duplicate ${kind} ${name} in ${f} and ${m.where[`${kind}.${name}`]}`);
    m.where[`${kind}.${name}`] = f;
  };
  for (const [f, j] of Object.entries(files)) {
    for (const [n, v] of Object.entries(j.variable || {})) { dup("variable", n, f); m.variables[n] = v[0]; }
    for (const block of j.locals || []) for (const [n, v] of Object.entries(block)) { dup("local", n, f); m.locals[n] = v; }
    for (const [t, byName] of Object.entries(j.resource || {})) {
      for (const [n, v] of Object.entries(byName)) { dup("resource", `${t}.${n}`, f); (m.resources[t] ||= {})[n] = v[0]; }
    }
    for (const [t, byName] of Object.entries(j.data || {})) {
      for (const [n, v] of Object.entries(byName)) { dup("data", `${t}.${n}`, f); (m.data[t] ||= {})[n] = v[0]; }
    }
    for (const [n, v] of Object.entries(j.module || {})) { dup("module", n, f); m.modules[n] = v[0]; }
    for (const [n, v] of Object.entries(j.output || {})) { dup("output", n, f); m.outputs[n] = v[0]; }
  }
  return { module: m, errors };
}

/** Walks every string in a parsed value: fn(string, pathArray). */
export function walkStrings(value, fn, at = []) {
  if (typeof value === "string") fn(value, at);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, fn, [...at, i]));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walkStrings(v, fn, [...at, k]);
}

/** Names bound by dynamic blocks (their label, or `iterator`) anywhere in the module. */
export function dynamicIterators(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => dynamicIterators(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "dynamic" && v && typeof v === "object") {
        for (const [label, defs] of Object.entries(v)) {
          out.add(label);
          for (const d of [].concat(defs)) if (d && typeof d.iterator === "string") out.add(d.iterator);
        }
      }
      dynamicIterators(v, out);
    }
  }
  return out;
}

/** Substitutes ${local.x} and ${local.x.y} whose values are strings (recursively). Other expressions stay. */
export function resolveLocals(m, s, depth = 0) {
  if (typeof s !== "string" || depth > 10) return s;
  const out = s.replace(/\$\{local\.(\w+)(?:\.(\w+))?\}/g, (all, a, b) => {
    let v = m.locals[a];
    if (b !== undefined) v = v && typeof v === "object" && !Array.isArray(v) ? v[b] : undefined;
    if (typeof v !== "string") return all;
    // a whole-expression local "${expr}" is inlined as the expression
    const inner = v.match(/^\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}$/);
    return inner && !v.slice(2, -1).includes("${") ? `\${${inner[1]}}` : v;
  });
  return out === s ? s : resolveLocals(m, out, depth + 1);
}

/** "${aws_x.y.arn}" → "aws_x.y" (the first resource address in a string), or null. */
export function resourceAddress(s) {
  const r = typeof s === "string" && s.match(/\$\{(?:data\.)?([a-z0-9]+_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?(?:\.([\w]+))?/);
  return r ? { type: r[1], name: r[2], attr: r[3] || null, ref: `${r[1]}.${r[2]}` } : null;
}

/** The statements of an aws_iam_policy_document, dynamic ones included (as possible statements). */
export function statementsOf(doc) {
  const out = [];
  for (const s of doc?.statement || []) out.push({ ...s, dynamic: false });
  for (const d of doc?.dynamic?.statement || []) for (const c of d.content || []) out.push({ ...c, dynamic: true });
  return out;
}
