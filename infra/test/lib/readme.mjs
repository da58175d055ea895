// The module README's inputs and outputs tables list exactly the module's variables and outputs, with the
// defaults the variables declare, so the README cannot drift from the .tf files.
import fs from "node:fs";
import path from "node:path";

/** Rows of the first table under "## <title>": [{ name, cells }], name being the first cell without backticks. */
export function tableRows(markdown, title) {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.trim().toLowerCase() === `## ${title.toLowerCase()}`);
  if (start < 0) return null;
  const rows = [];
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (!line.trim().startsWith("|")) { if (rows.length) break; continue; }
    const cells = line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
    if (/^-+$/.test(cells[0].replace(/:/g, "")) || /^name$/i.test(cells[0])) continue;
    rows.push({ name: cells[0].replace(/`/g, ""), cells });
  }
  return rows;
}

export function checkReadme(m, { errors, moduleDir }) {
  const file = path.join(moduleDir, "README.md");
  if (!fs.existsSync(file)) { errors.push("readme: infra/terraform/README.md is missing"); return; }
  const md = fs.readFileSync(file, "utf8");
  const compare = (title, declared, what) => {
    const rows = tableRows(md, title);
    if (!rows) { errors.push(`readme: README.md has no "## ${title}" table`); return []; }
    const listed = rows.map((r) => r.name);
    for (const d of Object.keys(declared)) if (!listed.includes(d)) errors.push(`readme: ${what} ${d} is not in README.md's ${title} table`);
    for (const l of listed) if (!(l in declared)) errors.push(`readme: README.md's ${title} table names ${l}, which the module does not declare as ${what}`);
    const twice = listed.filter((l, i) => listed.indexOf(l) !== i);
    for (const t of new Set(twice)) errors.push(`readme: README.md's ${title} table lists ${t} twice`);
    return rows;
  };
  // Inputs: | Name | Type | Default | Description |; the default is what the variable declares.
  for (const row of compare("Inputs", m.variables, "variable")) {
    const v = m.variables[row.name];
    if (!v) continue;
    const cell = (row.cells[2] || "").replace(/^`|`$/g, "");
    const want = JSON.stringify(v.default === undefined ? null : v.default);
    if (cell !== want) errors.push(`readme: README.md gives ${row.name} the default ${cell}, but the variable's default is ${want}`);
  }
  compare("Outputs", m.outputs, "output");
}
