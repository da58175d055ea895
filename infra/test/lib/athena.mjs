// The Athena table over raw batches reads the JSON BatchCodec writes (snake_case record components): its columns
// and struct fields must be exactly the components of core's Batch records, or queries return nulls silently.

const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Component names (snake_case) of `record Name(...)` in a parsed class, or null. */
function components(cls) {
  const head = cls?.code.match(new RegExp(`\\brecord\\s+${cls.name}\\s*\\(`));
  if (!head) return null;
  let depth = 0;
  let part = "";
  const parts = [];
  for (const ch of cls.code.slice(head.index + head[0].length)) {
    if (ch === "(" || ch === "<") depth++;
    else if (ch === ">") depth--;
    else if (ch === ")" && depth-- === 0) break;
    if (ch === "," && depth === 0) { parts.push(part); part = ""; } else part += ch;
  }
  parts.push(part);
  return parts.map((p) => snake(p.trim().split(/\s+/).pop())).filter(Boolean);
}

/** Field names of the top-level struct<...> in a Hive type string, or null if it is not a struct. */
function structFields(type) {
  const t = type.trim();
  if (!t.startsWith("struct<")) return null;
  const out = [];
  let depth = 0;
  let field = "";
  let inName = true;
  for (const ch of t.slice("struct<".length, -1)) {
    if (ch === "<") depth++;
    else if (ch === ">") depth--;
    if (depth === 0 && ch === ":" && inName) { out.push({ name: field.trim(), type: "" }); inName = false; continue; }
    if (depth === 0 && ch === ",") { inName = true; field = ""; continue; }
    if (inName) field += ch; else out[out.length - 1].type += ch;
  }
  return out;
}

const elementOf = (type) => (type.match(/^array<(.*)>$/s) || [])[1] ?? type;

export function checkAthena(m, { errors, core, R }) {
  const tables = Object.entries(m.resources.aws_glue_catalog_table || {});
  for (const [name, t] of tables) {
    const sd = t.storage_descriptor?.[0] || {};
    const where = `aws_glue_catalog_table.${name}`;
    if (!/\$\{local\.batches_root\}|batches\/v1\//.test(sd.location || "")) continue;
    const expect = (label, record, fields) => {
      const want = components(core[record]);
      if (!want) { errors.push(`athena: record ${record} not found in core`); return; }
      const have = fields.map((f) => f.name);
      for (const w of want) if (!have.includes(w)) errors.push(`athena: ${where} ${label} lacks ${w} (${record} has it)`);
      for (const h of have) if (!want.includes(h)) errors.push(`athena: ${where} ${label} has ${h}, which ${record} does not`);
    };
    const columns = (sd.columns || []).map((c) => ({ name: c.name, type: R(c.type) }));
    expect("columns", "Batch", columns);
    const col = (n) => columns.find((c) => c.name === n)?.type || "";
    expect("host", "HostInfo", structFields(col("host")) || []);
    const unit = structFields(elementOf(col("units"))) || [];
    expect("units", "UnitSeries", unit);
    const field = (n) => unit.find((f) => f.name === n)?.type || "";
    expect("units.base", "Sample", structFields(field("base")) || []);
    expect("units.samples", "Sample", structFields(elementOf(field("samples"))) || []);
    if (sd.ser_de_info?.[0]?.serialization_library !== "org.openx.data.jsonserde.JsonSerDe") errors.push(`athena: ${where} must read JSON (org.openx.data.jsonserde.JsonSerDe)`);
    const tmpl = t.parameters?.["storage.location.template"] || "";
    if (!tmpl.includes("dt=$${dt}/") || !tmpl.startsWith(sd.location)) errors.push(`athena: ${where} storage.location.template must be its location plus dt=$\${dt}/ (the batch key's day)`);
  }
}
